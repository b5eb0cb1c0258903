// What the playbook loader produces: validated, includes and imports expanded, positions kept.
import type { SourcePos } from '../core/errors.js';
import type { Vars } from '../inventory/model.js';
import type { WithLookup } from './keywords.js';

/** A literal flag, or a template rendered per host when the task runs. */
export type Flag = boolean | string;

/** `environment:` of a play, block or task: a mapping (values may be templates) or one template yielding a mapping. */
export type Environment = Record<string, string | number | boolean> | string;

export interface TaskCommon {
  name?: string;
  /** Conditions, all must hold (expression strings, or literal booleans). */
  when?: (string | boolean)[];
  tags: string[];
  /** These flags may be templates (`"{{ x }}"`), rendered per host when the task runs (see resolveScope). */
  become?: Flag;
  becomeUser?: string;
  ignoreErrors?: Flag;
  noLog?: Flag;
  runOnce?: Flag;
  /** An inventory host or localhost (may be a template, rendered per host). */
  delegateTo?: string;
  /** With delegateTo: facts the task sets go to the delegated host. */
  delegateFacts?: boolean;
  /** At most this many hosts run the task at once. */
  throttle?: number;
  /** true: always in check mode; false: for real even under --check. */
  checkMode?: Flag;
  /** Diffs of this task shown (true) or hidden (false), whatever --diff says. */
  diff?: Flag;
  /** Task-level vars (may contain templates). */
  vars?: Vars;
  /** Environment variables for the commands it runs (values may contain templates), or a template yielding them. */
  environment?: Environment;
  /** A role's defaults/main.yml: the lowest variable layer for the tasks inside. */
  roleDefaults?: Vars;
  /** Folder that controller paths (template and copy src) resolve against inside a role. */
  baseDir?: string;
  pos: SourcePos;
  /** Key path in its file, e.g. `[0].tasks[3]`. */
  keyPath: string;
}

export interface Task extends TaskCommon {
  kind: 'task';
  module: string;
  /** Raw arguments, templated at run time (free-form already turned into an object). */
  args: unknown;
  /** A list, or a template string yielding a list. */
  loop?: unknown;
  loopVar: string;
  /** How `loop` becomes items: plain `loop` (undefined) or one of Ansible's `with_*` lookups. */
  loopWith?: WithLookup;
  /** `loop_control` beyond loop_var. */
  loopControl?: LoopControl;
  register?: string;
  changedWhen?: (string | boolean)[];
  failedWhen?: (string | boolean)[];
  until?: (string | boolean)[];
  /** A number, or a template rendered per host. */
  retries: number | string;
  /** Seconds between retries (a number, or a template rendered per host). */
  delay: number | string;
  notify: string[];
  /** Seconds (a number, or a template rendered per host). */
  timeout?: number | string;
  /** Handlers only: extra names this handler answers to. */
  listen?: string[];
  /** The module runs once for all the play's hosts by nature (add_host, pause), known when the play is loaded. */
  moduleRunsOnce?: true;
}

export interface LoopControl {
  /** Variable holding the item's index (from 0). */
  indexVar?: string;
  /** What the output shows for an item instead of the item (a template). */
  label?: unknown;
  /** Seconds between items. */
  pause?: number;
  /** Adds `ansible_loop` (index, first, last, length, ...). */
  extended?: boolean;
  /** With extended: `ansible_loop.allitems` too. */
  allItems?: boolean;
}

export interface Block extends TaskCommon {
  kind: 'block';
  block: TaskNode[];
  rescue: TaskNode[];
  always: TaskNode[];
}

export type TaskNode = Task | Block;

export interface Play {
  name: string;
  /** Host pattern (as in --limit). */
  hosts: string;
  vars: Vars;
  /** Vars files, loaded and merged in order (already parsed). */
  varsFromFiles: Vars;
  become?: boolean;
  becomeUser?: string;
  /** ssh or local where the inventory sets no ansible_connection (variables win, as in Ansible). */
  connection?: 'ssh' | 'local';
  /** Login user where the inventory sets none (ansible_user and its aliases win, as in Ansible). */
  remoteUser?: string;
  environment?: Record<string, string | number | boolean>;
  /**
   * true: a `Gathering Facts` task opens the play; false: reading a fact is an error;
   * unset: facts are gathered on a host the first time a task reads one.
   */
  gatherFacts?: boolean;
  /** Rolling batches: numbers or percentages ('30%'); the last entry repeats. */
  serial?: (number | string)[];
  strategy: 'linear' | 'free';
  anyErrorsFatal: boolean;
  maxFailPercentage?: number;
  tasks: TaskNode[];
  handlers: Task[];
  pos: SourcePos;
  /** The file this play came from (imports keep their own file). */
  file: string;
}

export interface Playbook {
  file: string;
  plays: Play[];
}
