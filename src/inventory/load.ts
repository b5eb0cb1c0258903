// Finds, loads and checks an inventory: a YAML file or a folder with group_vars/ and host_vars/.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { didYouMean, displayPath, loadYamlFile, toErrors } from '../core/yaml-source.js';
import type { Inventory, InventoryHost } from './model.js';
import { parseInventory } from './parse.js';
import { applyVarsDirs } from './vars-dirs.js';

const YAML_EXT = ['.yml', '.yaml'];

// `-i NAME`, `-i path`, or nothing (inventories/default.yml; localhost only when there are no inventories).
export async function resolveInventory(name: string | undefined, cwd: string): Promise<Inventory> {
  const found = await findInventory(name, cwd);
  return found === undefined ? implicitInventory() : loadInventory(found);
}

// The path `-i` points at; undefined means the implicit localhost-only inventory.
export async function findInventory(name: string | undefined, cwd: string): Promise<string | undefined> {
  const dir = path.join(cwd, 'inventories');
  const available = await listInventories(dir);
  if (name === undefined) {
    if (!(await exists(dir)) || available.length === 0) return undefined;
    const def = await candidate(dir, 'default');
    if (def) return def;
    const list = available.join(', ');
    throw new ConfigError(`no inventory given and inventories/default.yml does not exist; found: ${list}; pass one with -i NAME`);
  }
  const named = /[\\/]/.test(name) ? undefined : await candidate(dir, name);
  if (named) return named;
  const asPath = path.resolve(cwd, name);
  if (await exists(asPath)) return asPath;
  const list = available.length ? available.join(', ') : '(none)';
  throw new ConfigError(`inventory ${JSON.stringify(name)} not found: no inventories/${name}.yml, inventories/${name}.yaml, inventories/${name}/ or path ${name}; found: ${list}`, {
    hint: didYouMean(name, available) ?? 'pass one with -i NAME or -i path/to/inventory',
  });
}

// Loads one inventory file or folder; collects every error before throwing.
export async function loadInventory(file: string): Promise<Inventory> {
  const abs = path.resolve(file);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new ConfigError(`inventory not found: ${displayPath(abs)}`);
  const base = info.isDirectory() ? abs : path.dirname(abs);
  const hostsFile = info.isDirectory() ? await firstExisting(['hosts.yml', 'hosts.yaml', 'hosts'].map((f) => path.join(abs, f))) : abs;
  if (!hostsFile) throw new ConfigError(`inventory folder ${displayPath(abs)} has no hosts.yml, hosts.yaml or hosts file`);
  const src = await loadYamlFile(hostsFile);
  const errors: ConfigError[] = [];
  const inv = parseInventory(src, errors);
  inv.source = abs;
  checkGraph(inv, errors);
  if (errors.length === 0) await applyVarsDirs(inv, base, errors);
  if (errors.length > 0) throw toErrors(errors.slice(0, 50));
  computeHostGroups(inv);
  addImplicitLocalhost(inv, false);
  return inv;
}

// No inventories folder and no -i: only localhost, over the local connection.
export function implicitInventory(): Inventory {
  const inv: Inventory = { source: '', hosts: new Map(), groups: new Map([['all', { name: 'all', hosts: [], children: [], vars: {} }]]) };
  addImplicitLocalhost(inv, true);
  return inv;
}

function addImplicitLocalhost(inv: Inventory, member: boolean): void {
  if (inv.hosts.has('localhost')) return;
  const h: InventoryHost = { name: 'localhost', vars: { ansible_connection: 'local' }, groups: ['all'], implicit: true };
  inv.hosts.set('localhost', h);
  if (member) inv.groups.get('all')!.hosts.push('localhost');
}

function checkGraph(inv: Inventory, errors: ConfigError[]): void {
  for (const h of inv.hosts.values()) {
    const g = inv.groups.get(h.name);
    if (g) errors.push(new ConfigError(`${JSON.stringify(h.name)} is both a host and a group`, { pos: h.pos, hint: 'rename the group or the host' }));
  }
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    state.set(name, 'open');
    for (const child of inv.groups.get(name)?.children ?? []) {
      if (state.get(child) === 'open') {
        const cycle = [...trail.slice(trail.indexOf(child)), child].join(' → ');
        errors.push(new ConfigError(`group cycle: ${cycle}`, { pos: inv.groups.get(child)?.pos, hint: 'a group cannot be its own ancestor' }));
      } else if (!state.has(child)) {
        visit(child, [...trail, child]);
      }
    }
    state.set(name, 'done');
  };
  visit('all', ['all']);
}

function computeHostGroups(inv: Inventory): void {
  const order = [...inv.groups.keys()];
  const depth = new Map<string, number>([['all', 0]]);
  const parents = new Map<string, string[]>();
  const walk = (name: string, d: number): void => {
    for (const c of inv.groups.get(name)?.children ?? []) {
      parents.set(c, [...(parents.get(c) ?? []), name].filter((v, i, a) => a.indexOf(v) === i));
      if ((depth.get(c) ?? -1) < d + 1) {
        depth.set(c, d + 1);
        walk(c, d + 1);
      }
    }
  };
  walk('all', 0);
  for (const h of inv.hosts.values()) {
    const set = new Set<string>(['all']);
    const up = (g: string): void => {
      if (set.has(g) && g !== 'all') return;
      set.add(g);
      for (const p of parents.get(g) ?? []) up(p);
    };
    for (const g of inv.groups.values()) if (g.hosts.includes(h.name)) up(g.name);
    h.groups = [...set].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || order.indexOf(a) - order.indexOf(b));
  }
}

async function listInventories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries.flatMap((e) => {
    if (e.isDirectory()) return e.name === 'group_vars' || e.name === 'host_vars' ? [] : [e.name];
    const ext = path.extname(e.name);
    return YAML_EXT.includes(ext) ? [e.name.slice(0, -ext.length)] : [];
  });
  return [...new Set(names)].sort();
}

async function candidate(dir: string, name: string): Promise<string | undefined> {
  return firstExisting([...YAML_EXT.map((e) => path.join(dir, name + e)), path.join(dir, name)]);
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const p of paths) if (await exists(p)) return p;
  return undefined;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
