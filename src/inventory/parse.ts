// Ansible's YAML inventory layout (`all` → hosts/children/vars) into validated plain data.
import { ConfigError } from '../core/errors.js';
import { describeValue, didYouMean, formatKeyPath } from '../core/yaml-source.js';
import type { KeyPath, YamlSource } from '../core/yaml-source.js';
import { HostPatternError, parseHostEntry } from './host-pattern.js';
import { addChild, addGroup, addHost, defineVar, emptyInventory, setGroupVar } from './inventory-data.js';
import type { Inventory, Vars } from './model.js';

const GROUP_KEYS = ['hosts', 'children', 'vars'];

// Adds one YAML file's groups and hosts to `inv` (a new inventory by default), collecting every error.
export function parseInventory(src: YamlSource, errors: ConfigError[], inv: Inventory = emptyInventory(src.file)): Inventory {
  const err = (detail: string, p: KeyPath, key = false, hint?: string): void => {
    errors.push(new ConfigError(detail, { pos: key ? src.posOfKey(p) : src.posOf(p), keyPath: formatKeyPath(p) || undefined, hint }));
  };
  const isMapping = (v: unknown, p: KeyPath, what: string): v is Record<string, unknown> => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return true;
    err(`expected ${what}, got ${describeValue(v)}`, p);
    return false;
  };
  // As in Ansible, `hosts: web1` is short for `hosts: { web1: }`.
  const section = (v: unknown): unknown => (typeof v === 'string' ? { [v]: null } : v);
  const parseGroup = (name: string, value: unknown, p: KeyPath, parent: string | undefined): void => {
    const g = addGroup(inv, name, p.length ? src.posOfKey(p) : src.posOf(p));
    if (parent !== undefined) addChild(inv, parent, name);
    if (value === null || value === undefined) return;
    if (!isMapping(value, p, 'a mapping with hosts, children or vars')) return;
    for (const [key, raw] of Object.entries(value)) {
      const kp = [...p, key];
      const v = section(raw);
      if (key === 'vars') {
        if (v === null || !isMapping(v, kp, 'a mapping of variables')) continue;
        for (const [k, val] of Object.entries(v)) {
          const problem = setGroupVar(g, k, val);
          if (problem) err(problem, [...kp, k]);
        }
      } else if (key === 'hosts') {
        if (v === null || !isMapping(v, kp, 'a mapping of host names')) continue;
        for (const [hostKey, hv] of Object.entries(v)) {
          const hp = [...kp, hostKey];
          if (hv !== null && !isMapping(hv, hp, 'a mapping of host variables or nothing')) continue;
          let entry: { names: string[]; port?: number };
          try {
            entry = parseHostEntry(hostKey);
          } catch (e) {
            if (!(e instanceof HostPatternError)) throw e;
            err(e.message, hp, true, 'ranges look like web[01:20] or db-[a:f]');
            continue;
          }
          for (const hostName of entry.names) {
            const h = addHost(inv, hostName, name, entry.port, src.posOfKey(hp));
            for (const [k, val] of Object.entries((hv ?? {}) as Vars)) defineVar(h.vars, k, val);
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
  inv.groups.get('all')!.pos ??= src.posOf([]);
  const data = src.data;
  if (data !== null && data !== undefined && isMapping(data, [], 'a mapping of groups (all: {hosts, children, vars})')) {
    for (const [name, v] of Object.entries(data)) parseGroup(name, v, [name], undefined);
  }
  return inv;
}
