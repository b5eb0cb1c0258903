// A module is one file: a zod schema for its arguments and a check/apply pair.
import type { z } from 'zod';
import type { Become, Connection } from '../../connection/connection.js';
import type { FileDiff, TaskResult } from '../../core/result.js';
import type { Facts } from '../../facts/parse.js';

export interface ModuleContext {
  conn: Connection;
  host: string;
  /** --check: report what would change, change nothing. */
  checkMode: boolean;
  /** --diff: modules that change files fill `diff`. */
  diffMode: boolean;
  become?: Become;
  /** Task timeout in ms, if any. */
  timeoutMs?: number;
  /** The task's `environment:`, rendered: for the commands the module runs (command, shell, docker). */
  env?: Record<string, string>;
  /** All variables visible to the task (already merged by precedence). */
  vars: Record<string, unknown>;
  /** Folder that relative controller-side paths (copy src, template src) resolve against. */
  baseDir: string;
  /** Renders a template string with the task's variables (for template files). */
  render(template: string, name: string): string;
  /** Evaluates an expression (as in `when`) against the task's variables; used by `assert` and `debug: var`. */
  evaluate?(expr: string): unknown;
  /** Gathers the host's facts again (one command) and keeps them as the run's facts of the host. */
  gatherFacts?(): Promise<Facts>;
  /** Streams a line to the live view. */
  log(line: string, stream?: 'stdout' | 'stderr' | 'info'): void;
  /** Something the user should see at any verbosity (a warning line naming the host), e.g. an earlier run's command found still running. */
  warn(msg: string): void;
  progress(done: number, total: number, unit: 'bytes' | 'items'): void;
  signal: AbortSignal;
}

/** What a module returns: a TaskResult without the fields the executor fills in. */
export type ModuleOutcome = Omit<TaskResult, 'status' | 'durationMs' | 'results'> & { changed: boolean; failed?: boolean; skipped?: boolean };

/** `check` decides; `apply` acts. A plan with `changes: false` is the whole answer. */
export type Plan<P = unknown> =
  | { changes: false; outcome?: Partial<ModuleOutcome> }
  | {
      changes: true;
      /** One line shown in check mode and -v: what would be done. */
      summary: string;
      diff?: FileDiff[];
      /** Module-private data handed to apply. */
      data?: P;
      /** In check mode report the task as skipped instead of changed (command, shell). */
      skipInCheckMode?: boolean;
    };

export interface Module<A = any, P = any> {
  name: string;
  /** Other names this module answers to (e.g. `uri` for `http`). */
  aliases?: string[];
  /** One line for the reference and --help. */
  description: string;
  /** Arguments; `.describe()` on each field documents it. */
  schema: z.ZodType<A>;
  /** Other names of arguments, as Ansible's argument aliases: `{ dest: 'path' }` lets `dest:` set `path`. */
  argAliases?: Record<string, string>;
  /** Arguments whose values are secrets (a password): masked in every output, as a variable named like a secret is. */
  secretArgs?: string[];
  /**
   * Free-form argument: `command: ls -l` / `shell: echo hi` become `{ [freeForm]: value }`.
   */
  freeForm?: string;
  /** Runs in check mode as well (reads only: stat, debug, assert, set_fact, wait_for...). */
  readOnly?: boolean;
  /** Runs on the first host of the batch only, as a task with run_once (pause). */
  runOnce?: boolean;
  check(args: A, ctx: ModuleContext): Promise<Plan<P>>;
  apply?(args: A, plan: P | undefined, ctx: ModuleContext): Promise<ModuleOutcome>;
  /**
   * check and apply in one round trip to the host, for runs without --check and --diff: the host acts on what it
   * finds and reports it, and the module plans from that report exactly as check() would, so both paths give the
   * same outcome. Returns undefined, having changed nothing, where the two steps are needed.
   */
  converge?(args: A, ctx: ModuleContext): Promise<ModuleOutcome | undefined>;
}

export function defineModule<A, P = unknown>(m: Module<A, P>): Module<A, P> {
  return m;
}
