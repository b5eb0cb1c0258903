// The host's installed packages as ansible_facts.packages, as Ansible's package_facts returns them.
import { z } from 'zod';
import { failed } from './support/common.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule } from './support/module.js';

const MANAGERS = ['auto', 'apt', 'rpm'] as const;
type Manager = (typeof MANAGERS)[number];

const schema = z.strictObject({
  manager: z
    .union([z.enum(MANAGERS), z.array(z.enum(MANAGERS)).min(1)])
    .default(['auto'])
    .describe('Package manager(s) to ask: apt (dpkg-query), rpm, or auto (the first of them the host has).'),
  strategy: z.enum(['first', 'all']).default('first').describe('first: the first manager found answers; all: every manager listed that the host has.'),
});

type Args = z.infer<typeof schema>;

/** One installed package, as Ansible lists it under its name. */
export interface PackageInfo {
  name: string;
  version: string;
  arch: string;
  source: 'apt' | 'rpm';
  release?: string;
  epoch?: number | null;
}

// Prints `@@ manager` then one tab-separated line per installed package, for each manager the host has (and stops after
// the first one with strategy first); a manager it lacks prints nothing.
const LIST_SCRIPT = [
  'strategy=$1; shift',
  'for manager in "$@"; do',
  '  case $manager in',
  "    apt) command -v dpkg-query >/dev/null 2>&1 || continue; echo '@@ apt'; dpkg-query -W -f='${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\n' || exit 3 ;;",
  "    rpm) command -v rpm >/dev/null 2>&1 || continue; echo '@@ rpm'; rpm -qa --qf '%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\n' || exit 3 ;;",
  '  esac',
  '  [ "$strategy" = all ] || exit 0',
  'done',
].join('\n');

export function listArgv(strategy: string, managers: string[]): string[] {
  return ['/bin/sh', '-c', LIST_SCRIPT, 'sh', strategy, ...managers];
}

function parseLine(manager: string, line: string): PackageInfo | undefined {
  const f = line.split('\t');
  if (manager === 'apt') {
    const [status, name, version, arch] = f;
    return status === 'installed' && name ? { name, version: version ?? '', arch: arch ?? '', source: 'apt' } : undefined;
  }
  const [name, version, release, epoch, arch] = f;
  if (!name) return undefined;
  const e = Number(epoch);
  return { name, version: version ?? '', release: release ?? '', epoch: epoch === '(none)' || Number.isNaN(e) ? null : e, arch: arch ?? '', source: 'rpm' };
}

// The script's output → the managers that answered and the packages by name (a name may have several versions/arches).
export function parsePackages(stdout: string): { managers: string[]; packages: Record<string, PackageInfo[]> } {
  const managers: string[] = [];
  const packages: Record<string, PackageInfo[]> = {};
  let manager = '';
  for (const line of stdout.split('\n')) {
    const head = /^@@ (\w+)$/.exec(line);
    if (head) {
      manager = head[1]!;
      managers.push(manager);
      continue;
    }
    const p = manager ? parseLine(manager, line) : undefined;
    if (p) (packages[p.name] ??= []).push(p);
  }
  return { managers, packages };
}

export const packageFactsModule = defineModule<Args>({
  name: 'package_facts',
  description: 'Lists the installed packages (dpkg-query or rpm) as ansible_facts.packages: name → list of {name, version, arch, source}.',
  schema,
  readOnly: true,
  check: async (args, ctx) => {
    const asked = (Array.isArray(args.manager) ? args.manager : [args.manager]) as Manager[];
    const managers = [...new Set(asked.flatMap((m) => (m === 'auto' ? ['apt', 'rpm'] : [m])))];
    const r = await hostExec(ctx, listArgv(args.strategy, managers), { noBecome: true });
    if (r.rc !== 0) return { changes: false, outcome: failed(`listing the packages failed (rc ${r.rc}): ${outputTail(r, 3)}`, { rc: r.rc }) };
    const found = parsePackages(r.stdout);
    if (found.managers.length === 0) {
      return { changes: false, outcome: failed(`none of the package managers asked for (${managers.join(', ')}) is on ${ctx.host}: it has no ${managers.map((m) => (m === 'apt' ? 'dpkg-query' : m)).join(' and no ')}`) };
    }
    return { changes: false, outcome: { data: { ansible_facts: { packages: found.packages }, managers: found.managers } } };
  },
});
