// Variable precedence lives here and nowhere else: nine layers, later wins, plus magic variables.
import { inventoryLayers } from '../inventory/host-vars.js';
import type { Inventory, Vars } from '../inventory/model.js';
import { ConfigError } from '../core/errors.js';
import { isSecretName } from '../core/secrets.js';
import { contextError } from './context.js';
import { renderValue } from './render.js';

/** Layer names, lowest precedence first; a later layer overrides an earlier one. */
export const VAR_PRECEDENCE = [
  'role_defaults',
  'group_vars',
  'host_vars',
  'gathered_facts',
  'vars_files',
  'play_vars',
  'facts',
  'task_vars',
  'extra_vars',
] as const;

// One of VAR_PRECEDENCE.
export type VarLayerName = (typeof VAR_PRECEDENCE)[number];

/** The precedence rules in one paragraph, for the README and `--help`. */
export const VAR_PRECEDENCE_DOC =
  'Variables come from nine layers; a later layer wins: (0) role defaults (defaults/main.yml), (1) inventory ' +
  'group vars, from `all` through parent groups to child groups, (2) inventory host vars, (3) gathered facts ' +
  '(ansible_os_family, ansible_facts, ...: gathered when first read), (4) the play\'s ' +
  'vars_files, (5) the play\'s vars, (6) host facts (register and set_fact), (7) role vars and parameters, then ' +
  'block and task vars, then the loop item, (8) extra vars (-e), which always win. Values from layers 0-2, 4-5 and 7 ' +
  'may be templates referring to other variables (`db_url: "http://{{ host }}"`); ' +
  'they are rendered once, when first used, with the merged variables, and a cycle is an error. Facts, loop items ' +
  'and extra vars are data and are never rendered (a `{{` in a password stays as it is). Magic variables ' +
  '(inventory_hostname, groups, group_names, hostvars, play_hosts, ansible_play_hosts, omsrun_check_mode, ' +
  'ansible_check_mode) are set by omsrun and override every layer.';

/** The sources of one host's variables for one task. Every field is optional. */
export interface VarLayers {
  /** Role defaults (defaults/main.yml): below everything else. */
  roleDefaults?: Vars;
  /** Inventory group vars, ordered from `all` to the most specific group. */
  groupVars?: Vars[];
  /** Inventory host vars. */
  hostVars?: Vars;
  /** Gathered facts (`ansible_os_family`, `ansible_facts`, ...), usually getters that gather on first read (never rendered). */
  gatheredFacts?: Vars;
  /** The play's vars_files, already merged in order. */
  varsFiles?: Vars;
  /** The play's `vars`. */
  playVars?: Vars;
  /** Facts of the host: `register` results and `set_fact` values (never rendered). */
  facts?: Vars;
  /** Block and task vars, outermost block first, the task last. */
  taskVars?: Vars[];
  /** The loop variable of the current iteration, e.g. `{ item: ... }` (never rendered). */
  loopVars?: Vars;
  /** Extra vars from `-e` (never rendered). */
  extraVars?: Vars;
  /** Magic variables, from `magicVars()`. */
  magic?: Vars;
}

const MAX_DEPTH = 50;

function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('{{');
  if (Array.isArray(v)) return v.some(hasTemplate);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasTemplate);
  return false;
}

function ordered(layers: VarLayers): [Vars | undefined, boolean][] {
  return [
    [layers.roleDefaults, true],
    ...(layers.groupVars ?? []).map((v): [Vars, boolean] => [v, true]),
    [layers.hostVars, true],
    [layers.gatheredFacts, false],
    [layers.varsFiles, true],
    [layers.playVars, true],
    [layers.facts, false],
    ...(layers.taskVars ?? []).map((v): [Vars, boolean] => [v, true]),
    [layers.loopVars, false],
    [layers.extraVars, false],
    [layers.magic, false],
  ];
}

function defineLazy(out: Vars, name: string, raw: unknown, resolving: string[]): void {
  let done = false;
  let cached: unknown;
  Object.defineProperty(out, name, {
    enumerable: true,
    configurable: true,
    get(): unknown {
      if (done) return cached;
      const at = resolving.indexOf(name);
      if (at >= 0) {
        const cycle = [...resolving.slice(at), name].join(' -> ');
        throw contextError(undefined, `variable cycle: ${cycle}`, 'a variable cannot refer to itself, directly or through others');
      }
      if (resolving.length >= MAX_DEPTH) throw contextError(undefined, `variables nest deeper than ${MAX_DEPTH} levels at "${name}"`);
      resolving.push(name);
      try {
        cached = renderTemplated(name, raw, out);
        done = true;
        Object.defineProperty(out, name, { value: cached, enumerable: true, writable: true, configurable: true });
        return cached;
      } finally {
        resolving.pop();
      }
    },
  });
}

// A secret that fails to render is most likely literal text that only looks like a template (a password with `{{`).
function renderTemplated(name: string, raw: unknown, vars: Vars): unknown {
  try {
    return renderValue(raw, vars, { field: `var "${name}"` });
  } catch (err) {
    if (!(err instanceof ConfigError) || !isSecretName(name) || !/^var "[^"]+": undefined variable /.test(err.detail)) throw err;
    const hint = `if the value of ${name} is literal text, mark it with YAML's !unsafe tag (${name}: !unsafe '...'), as in Ansible, so that it is never rendered; ${err.where.hint ?? ''}`;
    const detail = err.detail.replace(/^(var "[^"]+"): /, '$1 holds "{{" and was read as a template: ');
    throw new ConfigError(detail, { ...err.where, hint: hint.replace(/; $/, '') }, { cause: err });
  }
}

// Merges the layers (see VAR_PRECEDENCE); templated values are rendered lazily, once, when first read.
// Runs per host and task, so it records only which layer wins each name and reads that one descriptor (never a
// getter's value: a layer built here holds still-lazy values): the run's largest source of garbage otherwise.
export function buildVars(layers: VarLayers): Vars {
  const list = ordered(layers);
  const winner = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const vars = list[i]![0];
    if (!vars) continue;
    for (const name of Object.getOwnPropertyNames(vars)) winner.set(name, i);
  }
  const out: Vars = {};
  const resolving: string[] = [];
  for (const [name, i] of winner) {
    const [vars, templated] = list[i]!;
    const desc = Object.getOwnPropertyDescriptor(vars!, name)!;
    if (desc.get) Object.defineProperty(out, name, { get: desc.get, set: desc.set, enumerable: true, configurable: true });
    else if (templated && hasTemplate(desc.value)) defineLazy(out, name, desc.value, resolving);
    else out[name] = desc.value;
  }
  if (layers.facts) Object.defineProperty(out, FACTS_OF, { value: layers.facts, enumerable: false });
  return out;
}

/** Hidden key of a built set of variables: the host's facts layer (`register`, `set_fact`), for checks that read settings. */
export const FACTS_OF = Symbol('omsrun.facts');

// True when `name` comes from the host's facts (a registered result or set_fact), not from the inventory or the play.
export function isFact(vars: Vars, name: string): boolean {
  const facts = (vars as { [FACTS_OF]?: Vars })[FACTS_OF];
  return facts !== undefined && Object.hasOwn(facts, name);
}


/** What magic variables are computed from. */
export interface MagicInput {
  inventory: Inventory;
  host: string;
  /** Hosts of the current play. @defaultValue every host of the inventory */
  playHosts?: string[];
  /** --check is on. @defaultValue false */
  checkMode?: boolean;
  /**
   * Merged variables of another host, for `hostvars`; read lazily.
   * @defaultValue that host's inventory variables plus its magic variables
   */
  hostvarsOf?: (host: string) => Vars;
}

const groupsOf = new WeakMap<Inventory, Record<string, readonly string[]>>();

// `groups` lists every host of a group, children included. Built once per inventory and shared, frozen, by every host
// and task (built per host and task it cost O(hosts) each, O(hosts²) per task round); add_host and group_by, which
// change the inventory during a run, call inventoryChanged.
export function groupMembers(inventory: Inventory): Record<string, readonly string[]> {
  const known = groupsOf.get(inventory);
  if (known) return known;
  const groups: Record<string, string[]> = {};
  for (const name of inventory.groups.keys()) groups[name] = [];
  for (const h of inventory.hosts.values()) for (const g of h.groups) (groups[g] ??= []).push(h.name);
  for (const members of Object.values(groups)) Object.freeze(members);
  groupsOf.set(inventory, Object.freeze(groups));
  return groups;
}

/** Drops what was worked out from the inventory (`groups`) after add_host or group_by changed it. */
export function inventoryChanged(inventory: Inventory): void {
  groupsOf.delete(inventory);
}

// `hostvars`: every inventory host, each one's variables built when first read. A proxy, so that making it costs
// nothing per host: each host and task gets its own (facts change between tasks), and most never read it.
function lazyHostvars(inventory: Inventory, of: (host: string) => Vars): Vars {
  const built = new Map<string, Vars>();
  const get = (host: string): Vars => {
    let value = built.get(host);
    if (value) return value;
    value = of(host);
    // As in Ansible, a host's entry does not list hostvars again: JSON of hostvars ends instead of recursing forever.
    const own = Object.getOwnPropertyDescriptor(value, 'hostvars');
    if (own) Object.defineProperty(value, 'hostvars', { ...own, enumerable: false });
    built.set(host, value);
    return value;
  };
  const known = (key: string | symbol): key is string => typeof key === 'string' && inventory.hosts.has(key);
  return new Proxy({} as Vars, {
    get: (target, key) => (known(key) ? get(key) : Reflect.get(target, key)),
    has: (target, key) => known(key) || Reflect.has(target, key),
    ownKeys: () => [...inventory.hosts.keys()],
    getOwnPropertyDescriptor: (_, key) => (known(key) ? { value: get(key), enumerable: true, configurable: true, writable: false } : undefined),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

// Magic variables of one host (they override every layer, see VAR_PRECEDENCE_DOC).
export function magicVars(input: MagicInput): Vars {
  const { inventory, host } = input;
  const playHosts = input.playHosts ?? [...inventory.hosts.keys()];
  const checkMode = input.checkMode ?? false;
  const of =
    input.hostvarsOf ??
    ((other: string): Vars =>
      buildVars({ ...inventoryLayers(inventory, other), magic: magicVars({ ...input, host: other, hostvarsOf: of }) }));
  const groupNames = (inventory.hosts.get(host)?.groups ?? []).filter((g) => g !== 'all' && g !== 'ungrouped');
  return {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    groups: groupMembers(inventory),
    group_names: groupNames,
    hostvars: lazyHostvars(inventory, of),
    play_hosts: playHosts,
    ansible_play_hosts: playHosts,
    omsrun_check_mode: checkMode,
    ansible_check_mode: checkMode,
  };
}

export { inventoryLayers };
