// Keywords a block hands down to the tasks inside it.
import type { Vars } from '../inventory/model.js';
import type { Block, Environment, Play, Task, TaskCommon } from '../playbook/model.js';

/** The keywords a block hands down as they are (the rest accumulate or merge). */
type Inherited = Pick<TaskCommon, 'become' | 'becomeUser' | 'ignoreErrors' | 'noLog' | 'runOnce' | 'delegateTo' | 'delegateFacts' | 'checkMode' | 'diff' | 'baseDir' | 'throttle'>;

export interface Scope extends Inherited {
  when: (string | boolean)[];
  vars: Vars;
  /** From play to task, inner levels winning when merged; rendered per host when the task runs. */
  environment: Environment[];
  /** Role defaults, the lowest variable layer (inner roles win). */
  defaults: Vars;
}

export function playScope(play: Play): Scope {
  return { when: [], vars: {}, become: play.become, becomeUser: play.becomeUser, environment: play.environment ? [play.environment] : [], defaults: {} };
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
    delegateFacts: node.delegateFacts ?? outer.delegateFacts,
    checkMode: node.checkMode ?? outer.checkMode,
    throttle: node.throttle ?? outer.throttle,
    diff: node.diff ?? outer.diff,
    environment: node.environment ? [...outer.environment, node.environment] : outer.environment,
    defaults: node.roleDefaults ? { ...outer.defaults, ...node.roleDefaults } : outer.defaults,
    baseDir: node.baseDir ?? outer.baseDir,
  };
}
