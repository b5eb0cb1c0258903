// Ansible's YAML inventory layout (`all` → hosts/children/vars) into validated plain data.
import { ConfigError } from '../core/errors.js';
import { describeValue, didYouMean, formatKeyPath } from '../core/yaml-source.js';
import type { KeyPath, YamlSource } from '../core/yaml-source.js';
import type { Inventory, InventoryGroup, InventoryHost, Vars } from './model.js';

const GROUP_KEYS = ['hosts', 'children', 'vars'];

// Builds groups and hosts from one inventory file, collecting every error.
export function parseInventory(src: YamlSource, errors: ConfigError[]): Inventory {
  const inv: Inventory = { source: src.file, hosts: new Map(), groups: new Map() };
  const err = (detail: string, p: KeyPath, key = false, hint?: string): void => {
    errors.push(new ConfigError(detail, { pos: key ? src.posOfKey(p) : src.posOf(p), keyPath: formatKeyPath(p) || undefined, hint }));
  };
  const isMapping = (v: unknown, p: KeyPath, what: string): v is Record<string, unknown> => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return true;
    err(`expected ${what}, got ${describeValue(v)}`, p);
    return false;
  };
  const group = (name: string, p: KeyPath): InventoryGroup => {
    let g = inv.groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], vars: {}, pos: p.length ? src.posOfKey(p) : src.posOf(p) };
      inv.groups.set(name, g);
    }
    return g;
  };
  const parseGroup = (name: string, value: unknown, p: KeyPath, parent: string | undefined): void => {
    const g = group(name, p);
    if (parent !== undefined && !inv.groups.get(parent)!.children.includes(name)) inv.groups.get(parent)!.children.push(name);
    if (value === null || value === undefined) return;
    if (!isMapping(value, p, 'a mapping with hosts, children or vars')) return;
    for (const [key, v] of Object.entries(value)) {
      const kp = [...p, key];
      if (key === 'vars') {
        if (v !== null && isMapping(v, kp, 'a mapping of variables')) Object.assign(g.vars, v);
      } else if (key === 'hosts') {
        if (v === null || !isMapping(v, kp, 'a mapping of host names')) continue;
        for (const [hostKey, hv] of Object.entries(v)) {
          const hp = [...kp, hostKey];
          if (hv !== null && !isMapping(hv, hp, 'a mapping of host variables or nothing')) continue;
          for (const hostName of expandHostRange(hostKey)) {
            let h = inv.hosts.get(hostName);
            if (!h) {
              h = { name: hostName, vars: {}, groups: [], pos: src.posOfKey(hp) } satisfies InventoryHost;
              inv.hosts.set(hostName, h);
            }
            Object.assign(h.vars, (hv ?? {}) as Vars);
            if (!g.hosts.includes(hostName)) g.hosts.push(hostName);
          }
        }
      } else if (key === 'children') {
        if (v === null || !isMapping(v, kp, 'a mapping of child groups')) continue;
        for (const [child, cv] of Object.entries(v)) {
          if (child === 'all') err('group "all" cannot be a child group', [...kp, child], true);
          else parseGroup(child, cv, [...kp, child], name);
        }
      } else {
        err(`unknown key ${JSON.stringify(key)}`, kp, true, didYouMean(key, GROUP_KEYS) ?? 'a group holds hosts, children and vars');
      }
    }
  };
  inv.groups.set('all', { name: 'all', hosts: [], children: [], vars: {}, pos: src.posOf([]) });
  const data = src.data;
  if (data !== null && data !== undefined && isMapping(data, [], 'a mapping of groups (all: {hosts, children, vars})')) {
    for (const [name, v] of Object.entries(data)) parseGroup(name, v, [name], name === 'all' ? undefined : 'all');
  }
  return inv;
}

// `web[01:03].example.com` → web01, web02, web03 (Ansible host ranges).
export function expandHostRange(name: string): string[] {
  const m = /\[([0-9]+|[a-z]):([0-9]+|[a-z])(?::([0-9]+))?\]/.exec(name);
  if (!m) return [name];
  const [whole, from, to, stepText] = m as unknown as [string, string, string, string | undefined];
  const step = stepText ? Math.max(1, Number(stepText)) : 1;
  const head = name.slice(0, m.index);
  const tail = name.slice(m.index + whole.length);
  const items: string[] = [];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const width = from.startsWith('0') ? from.length : 0;
    for (let i = Number(from); i <= Number(to) && items.length < 10_000; i += step) items.push(String(i).padStart(width, '0'));
  } else if (/^[a-z]$/.test(from) && /^[a-z]$/.test(to)) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) items.push(String.fromCharCode(c));
  } else {
    return [name];
  }
  return items.flatMap((i) => expandHostRange(`${head}${i}${tail}`));
}
