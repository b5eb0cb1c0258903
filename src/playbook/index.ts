// The playbook layer's public surface.
export { loadPlaybook } from './load.js';
export type { LoadPlaybookOptions } from './load.js';
export type { ModuleLookup } from './tasks.js';
export { listTasks } from './list-tasks.js';
export type { PlayTaskList } from './list-tasks.js';
export type * from './model.js';
