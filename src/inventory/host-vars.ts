// One place for inventory variable precedence: `all`, then groups by depth, then the host.
import type { Inventory, Vars } from './model.js';

// Group vars from `all` down to the most specific group (siblings in inventory order), then host vars.
export function hostVars(inv: Inventory, host: string): Vars {
  const h = inv.hosts.get(host);
  if (!h) return {};
  const out: Vars = {};
  for (const g of h.groups) Object.assign(out, inv.groups.get(g)?.vars);
  return Object.assign(out, h.vars);
}
