// After every source is read: groups hang under `all`, lone hosts go to `ungrouped`, each host learns its groups.
import { ConfigError } from '../core/errors.js';
import type { Inventory, InventoryHost } from './model.js';

// Rejects group cycles and names used for a host and a group at once.
export function checkGraph(inv: Inventory, errors: ConfigError[]): void {
  for (const h of inv.hosts.values()) {
    if (inv.groups.has(h.name)) errors.push(new ConfigError(`${JSON.stringify(h.name)} is both a host and a group`, { pos: h.pos, hint: 'rename the group or the host' }));
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
  for (const name of ['all', ...inv.groups.keys()]) if (!state.has(name)) visit(name, [name]);
}

// Ansible's reconciliation: parentless groups become children of `all`; hosts in no group but `all` are `ungrouped`.
export function reconcile(inv: Inventory): void {
  const all = inv.groups.get('all')!;
  const hasParent = new Set([...inv.groups.values()].flatMap((g) => g.children));
  for (const g of inv.groups.values()) if (g.name !== 'all' && !hasParent.has(g.name)) all.children.push(g.name);
  const direct = new Map<string, Set<string>>();
  for (const g of inv.groups.values()) for (const h of g.hosts) (direct.get(h) ?? direct.set(h, new Set()).get(h)!).add(g.name);
  const ungrouped = inv.groups.get('ungrouped');
  if (ungrouped) {
    const lone = (h: InventoryHost) => [...(direct.get(h.name) ?? [])].every((g) => g === 'all' || g === 'ungrouped');
    ungrouped.hosts = ungrouped.hosts.filter((name) => lone(inv.hosts.get(name)!));
    for (const h of inv.hosts.values()) if (!h.implicit && lone(h) && !ungrouped.hosts.includes(h.name)) ungrouped.hosts.push(h.name);
  }
  hostGroups(inv);
}

// Each host's groups with their ancestors, ordered as Ansible applies their variables: by depth, then priority, then name.
function hostGroups(inv: Inventory): void {
  const depth = new Map<string, number>([['all', 0]]);
  const parents = new Map<string, string[]>();
  const walk = (name: string, d: number): void => {
    for (const c of inv.groups.get(name)?.children ?? []) {
      const list = parents.get(c) ?? [];
      if (!list.includes(name)) parents.set(c, [...list, name]);
      if ((depth.get(c) ?? -1) < d + 1) {
        depth.set(c, d + 1);
        walk(c, d + 1);
      }
    }
  };
  walk('all', 0);
  const rank = (g: string): [number, number] => [depth.get(g) ?? 0, inv.groups.get(g)?.priority ?? 1];
  const byDirect = new Map<string, string[]>();
  for (const g of inv.groups.values()) for (const h of g.hosts) (byDirect.get(h) ?? byDirect.set(h, []).get(h)!).push(g.name);
  for (const h of inv.hosts.values()) {
    const set = new Set<string>(['all']);
    const up = (g: string): void => {
      if (set.has(g) && g !== 'all') return;
      set.add(g);
      for (const p of parents.get(g) ?? []) up(p);
    };
    for (const g of byDirect.get(h.name) ?? []) up(g);
    h.groups = [...set].sort((a, b) => {
      const [da, pa] = rank(a);
      const [db, pb] = rank(b);
      return da - db || pa - pb || (a < b ? -1 : a > b ? 1 : 0);
    });
  }
}
