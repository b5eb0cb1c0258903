// One place for inventory variable precedence: `all`, then groups by depth, then the host.
import type { Inventory, Vars } from './model.js';

/** A host's inventory variables as two precedence layers. */
export interface InventoryLayers {
  /** Group vars, ordered from `all` to the most specific group (siblings in inventory order). */
  groupVars: Vars[];
  /** The host's own vars (inventory file, then host_vars/). */
  hostVars: Vars;
}

// The inventory's layers for one host; unknown hosts have none.
export function inventoryLayers(inv: Inventory, host: string): InventoryLayers {
  const h = inv.hosts.get(host);
  if (!h) return { groupVars: [], hostVars: {} };
  return { groupVars: h.groups.map((g) => inv.groups.get(g)?.vars ?? {}), hostVars: h.vars };
}

// The layers merged: group vars from `all` down, then host vars.
export function hostVars(inv: Inventory, host: string): Vars {
  const { groupVars, hostVars: own } = inventoryLayers(inv, host);
  return Object.assign({}, ...groupVars, own) as Vars;
}
