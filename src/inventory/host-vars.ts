// One place for inventory variable precedence, Ansible's: `all`, group_vars/all, every other group by depth, their group_vars/, then the host.
import type { Inventory, Vars } from './model.js';

/** A host's inventory variables as two precedence layers. */
export interface InventoryLayers {
  /** Group vars in the order they apply: `all`'s own, group_vars/all, the other groups' own (by depth, priority, name), their group_vars/. */
  groupVars: Vars[];
  /** The host's own vars (inventory file, then host_vars/). */
  hostVars: Vars;
}

// The inventory's layers for one host; unknown hosts have none.
export function inventoryLayers(inv: Inventory, host: string): InventoryLayers {
  const h = inv.hosts.get(host);
  if (!h) return { groupVars: [], hostVars: {} };
  const groups = h.groups.flatMap((name) => inv.groups.get(name) ?? []);
  const all = groups.filter((g) => g.name === 'all');
  const others = groups.filter((g) => g.name !== 'all');
  const groupVars = [...all.map((g) => g.vars), ...all.map((g) => g.dirVars ?? {}), ...others.map((g) => g.vars), ...others.map((g) => g.dirVars ?? {})];
  return { groupVars: groupVars.filter((v) => Object.keys(v).length > 0), hostVars: h.vars };
}

// The layers merged: group vars from `all` down, then host vars.
export function hostVars(inv: Inventory, host: string): Vars {
  const { groupVars, hostVars: own } = inventoryLayers(inv, host);
  return Object.assign({}, ...groupVars, own) as Vars;
}
