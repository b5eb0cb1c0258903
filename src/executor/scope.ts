// Keywords a block hands down to the tasks inside it.
import type { Vars } from '../inventory/model.js';
import type { Block, Play, Task } from '../playbook/model.js';

export interface Scope {
  when: (string | boolean)[];
  vars: Vars;
  become?: boolean;
  becomeUser?: string;
  ignoreErrors?: boolean;
  noLog?: boolean;
  runOnce?: boolean;
  delegateTo?: string;
  /** Merged from play to task, inner levels winning; rendered per host when the task runs. */
  environment: Record<string, string | number | boolean>;
  /** Role defaults, the lowest variable layer (inner roles win). */
  defaults: Vars;
  /** A role's folder, for template and copy src. */
  baseDir?: string;
}

export function playScope(play: Play): Scope {
  return { when: [], vars: {}, become: play.become, becomeUser: play.becomeUser, environment: play.environment ?? {}, defaults: {} };
}

/** Block or task keywords override the enclosing scope; `when` and vars accumulate. */
export function innerScope(outer: Scope, node: Block | Task): Scope {
  return {
    when: [...outer.when, ...(node.when ?? [])],
    vars: { ...outer.vars, ...(node.vars ?? {}) },
    become: node.become ?? outer.become,
    becomeUser: node.becomeUser ?? outer.becomeUser,
    ignoreErrors: node.ignoreErrors ?? outer.ignoreErrors,
    noLog: node.noLog ?? outer.noLog,
    runOnce: node.runOnce ?? outer.runOnce,
    delegateTo: node.delegateTo ?? outer.delegateTo,
    environment: { ...outer.environment, ...(node.environment ?? {}) },
    defaults: node.roleDefaults ? { ...outer.defaults, ...node.roleDefaults } : outer.defaults,
    baseDir: node.baseDir ?? outer.baseDir,
  };
}
