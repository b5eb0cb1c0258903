// The one way every inventory source (YAML, INI, script, host list) adds groups, hosts and variables, with Ansible's rules.
import type { SourcePos } from '../core/errors.js';
import type { Inventory, InventoryGroup, InventoryHost, Vars } from './model.js';
import { reconcile } from './reconcile.js';

// An inventory holding only `all` and its child `ungrouped`, as Ansible starts every inventory.
export function emptyInventory(source = ''): Inventory {
  const inv: Inventory = { source, sources: source ? [source] : [], hosts: new Map(), groups: new Map() };
  inv.groups.set('all', { name: 'all', hosts: [], children: ['ungrouped'], vars: {} });
  inv.groups.set('ungrouped', { name: 'ungrouped', hosts: [], children: [], vars: {} });
  return inv;
}

// The group, created when new.
export function addGroup(inv: Inventory, name: string, pos?: SourcePos): InventoryGroup {
  let g = inv.groups.get(name);
  if (!g) {
    g = { name, hosts: [], children: [], vars: {}, pos };
    inv.groups.set(name, g);
  }
  return g;
}

// The host, created when new (a `:port` only counts then, as ansible_port), and added to `group`.
export function addHost(inv: Inventory, name: string, group: string | undefined, port: number | undefined, pos?: SourcePos): InventoryHost {
  let h = inv.hosts.get(name);
  if (!h) {
    h = { name, vars: port ? { ansible_port: port } : {}, groups: [], pos };
    inv.hosts.set(name, h);
  }
  if (group !== undefined) {
    const g = addGroup(inv, group);
    if (!g.hosts.includes(name)) g.hosts.push(name);
  }
  return h;
}

// `child` (a known group) under `parent`.
export function addChild(inv: Inventory, parent: string, child: string): void {
  const g = addGroup(inv, parent);
  if (!g.children.includes(child)) g.children.push(child);
}

// A group variable; `ansible_group_priority` sets the group's priority instead of a variable.
export function setGroupVar(g: InventoryGroup, key: string, value: unknown): string | undefined {
  if (key !== 'ansible_group_priority') {
    defineVar(g.vars, key, value);
    return undefined;
  }
  const n = typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) return `ansible_group_priority must be a whole number, got ${JSON.stringify(value)}`;
  g.priority = n;
  return undefined;
}

// Sets a variable even when its name is `__proto__`.
export function defineVar(vars: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(vars, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * add_host and group_by during a run: the host (made when new, with `vars` over its own) joins `groups`, each made when
 * new under `parents` (`all` when none); then each host's groups and `ungrouped` are worked out again.
 */
export function joinGroups(inv: Inventory, host: string, groups: string[], opts: { vars?: Vars; parents?: string[] } = {}): void {
  const h = addHost(inv, host, undefined, undefined);
  delete h.implicit;
  for (const [k, v] of Object.entries(opts.vars ?? {})) defineVar(h.vars, k, v);
  for (const name of groups) {
    if (!inv.groups.has(name)) for (const parent of opts.parents ?? ['all']) addChild(inv, parent, name);
    addHost(inv, host, name, undefined);
  }
  reconcile(inv);
}
