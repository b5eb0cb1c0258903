// The facts omsrun gathers, by Ansible's short name; each is also a variable `ansible_<name>`.
import type { Facts } from './parse.js';

/** Every short name parseFacts can produce (`ansible_facts.<name>`, variable `ansible_<name>`). */
export const FACT_NAMES = [
  'all_ipv4_addresses',
  'architecture',
  'date_time',
  'default_ipv4',
  'distribution',
  'distribution_major_version',
  'distribution_release',
  'distribution_version',
  'domain',
  'env',
  'fqdn',
  'hostname',
  'interfaces',
  'kernel',
  'kernel_version',
  'machine',
  'memfree_mb',
  'memtotal_mb',
  'mounts',
  'nodename',
  'os_family',
  'pkg_mgr',
  'processor',
  'processor_cores',
  'processor_count',
  'processor_nproc',
  'processor_threads_per_core',
  'processor_vcpus',
  'service_mgr',
  'swapfree_mb',
  'swaptotal_mb',
  'system',
  'user_dir',
  'user_gecos',
  'user_gid',
  'user_id',
  'user_shell',
  'user_uid',
] as const;

/** The variable holding every fact by short name, as in Ansible. */
export const FACTS_VAR = 'ansible_facts';

/** Variable names that read gathered facts: `ansible_facts` and `ansible_<name>` for each fact. */
export const FACT_VARIABLES: readonly string[] = [FACTS_VAR, ...FACT_NAMES.map((n) => `ansible_${n}`)];

// `ansible_os_family` → `os_family`; undefined for a name that is no fact variable.
export function factOfVariable(name: string): string | undefined {
  if (name === FACTS_VAR) return '';
  return name.startsWith('ansible_') && (FACT_NAMES as readonly string[]).includes(name.slice(8)) ? name.slice(8) : undefined;
}

/** The hint for an undefined fact variable: only a play with gather_facts: false leaves one undefined. */
export function factHint(name: string): string | undefined {
  if (factOfVariable(name.split(/[.[]/)[0]!) === undefined) return undefined;
  return `${name.split(/[.[]/)[0]} is a host fact, and this play sets gather_facts: false: remove that (omsrun then gathers facts with one command the first time a task uses one), or run the setup module before this task`;
}

// The value of a fact variable in a set of gathered facts.
export function factValue(facts: Facts, variable: string): unknown {
  const short = factOfVariable(variable);
  if (short === undefined) return undefined;
  return short === '' ? facts : facts[short];
}

// gather_subset / filter of the setup module: the facts kept, by short name (`*` and `?` globs match).
export function filterFacts(facts: Facts, patterns: string[]): Facts {
  if (patterns.length === 0) return facts;
  const res = patterns.map((p) => new RegExp(`^${p.replace(/^ansible_/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return Object.fromEntries(Object.entries(facts).filter(([k]) => res.some((r) => r.test(k))));
}
