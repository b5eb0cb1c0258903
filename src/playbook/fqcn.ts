// Ansible's fully qualified names (`ansible.builtin.copy`, `community.docker.docker_container`) for omsrun's modules.

/** Collections whose module names are omsrun's own: `COLLECTION.X` is omsrun's `X` where omsrun has one. */
const SAME_NAME_COLLECTIONS = ['ansible.builtin', 'ansible.legacy', 'ansible.posix', 'community.general', 'community.docker', 'community.mysql'];

/** Collection modules that omsrun knows under another name. */
const RENAMED: Record<string, string> = {
  'community.docker.docker_container_exec': 'docker_exec',
  'community.docker.docker_image_load': 'docker_image_load',
  'community.mysql.mysql_query': 'mysql_query',
};

/** A task key as written, split into the name omsrun looks up and the collection it came from. */
export interface QualifiedName {
  /** The short name omsrun knows (`copy`), or the key unchanged when it is not a collection name. */
  name: string;
  /** `ansible.builtin`, `community.docker`, ...: set when the key was a collection name. */
  collection?: string;
  /** The collection is not one omsrun maps (e.g. `kubernetes.core`). */
  foreign: boolean;
}

// `ansible.builtin.copy` → copy; `community.docker.docker_container_exec` → docker_exec; `copy` stays copy.
export function qualifiedName(key: string): QualifiedName {
  const renamed = RENAMED[key];
  const dot = key.lastIndexOf('.');
  if (dot <= 0) return { name: key, foreign: false };
  const collection = key.slice(0, dot);
  if (!/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(collection)) return { name: key, foreign: false };
  return { name: renamed ?? key.slice(dot + 1), collection, foreign: !SAME_NAME_COLLECTIONS.includes(collection) };
}

// The names a task key stands for in omsrun: the short name, for mapped collections only.
export function shortName(key: string): string {
  const q = qualifiedName(key);
  return q.collection && !q.foreign ? q.name : key;
}

/** Ansible task keywords and actions omsrun does not have, with what to do instead. */
export const ANSIBLE_ONLY: Record<string, { action: boolean; hint: string }> = {
  include: { action: true, hint: 'use include_tasks (or import_playbook for plays)' },
  local_action: { action: true, hint: 'name the module as the key and add delegate_to: localhost' },
  action: { action: true, hint: 'name the module as the key, e.g. `copy: {src: a, dest: b}`' },
  async: { action: false, hint: 'omsrun runs each task to its end; use timeout: SECONDS to bound it' },
  poll: { action: false, hint: 'omsrun runs each task to its end; use timeout: SECONDS to bound it' },
  ignore_unreachable: { action: false, hint: 'an unreachable host stops there; the others go on' },
  module_defaults: { action: false, hint: 'repeat the arguments on each task, or use a variable' },
  collections: { action: false, hint: 'write the collection name on the module, or its short name' },
  become_method: { action: false, hint: 'omsrun becomes through sudo' },
  debugger: { action: false, hint: 'run with -vv to see each task\'s arguments and output' },
};
