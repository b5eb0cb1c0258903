// The inventory layer's public surface.
export { findInventory, implicitInventory, loadInventory, resolveInventory } from './load.js';
export { groupHosts, selectHosts } from './pattern.js';
export { hostVars } from './host-vars.js';
export { connectionSpec } from './connection-vars.js';
export type { ConnectionSpec } from './connection-vars.js';
export type * from './model.js';
