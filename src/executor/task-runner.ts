// One task on one host: variables, when, loop, until/retries, changed_when/failed_when, register.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Become, Connection } from '../connection/connection.js';
import { describeValue } from '../core/key-path.js';
import type { TaskRef } from '../core/events.js';
import { ConnectionError, InterruptedError, OmsrunError } from '../core/errors.js';
import { isChanged, isFailed, statusOf, type TaskResult } from '../core/result.js';
import { connectionSpec } from '../inventory/connection-vars.js';
import type { Vars } from '../inventory/model.js';
import type { Module, ModuleContext } from '../modules/support/module.js';
import { getModule } from '../modules/support/registry.js';
import { runModule } from '../modules/support/run-module.js';
import type { Task } from '../playbook/model.js';
import { evalConditions, evaluate } from '../template/expr.js';
import type { RenderContext } from '../template/context.js';
import { renderTemplateFile, renderValue } from '../template/render.js';
import { buildVars } from '../template/vars.js';
import type { RunState } from './context.js';
import { ensureFacts, neededFacts } from './host-facts.js';
import type { HostState } from './host-state.js';
import { lookupItems } from './loop-items.js';
import type { Scope } from './scope.js';
import { locate, resolveScope } from './task-keywords.js';
import { censor, failure, fromOutcome, loopResult, registerValue, skipped } from './task-result.js';

/** What running a task needs from the play it belongs to (a PlayRun is one). */
export interface TaskPlay {
  readonly run: RunState;
  readonly baseDir: string;
  /** defaults: role defaults, below every other layer. */
  readonly varsFor: (host: HostState, taskVars: Vars, loopVars?: Vars, defaults?: Vars) => Vars;
  localConnection(): Connection;
  /** The connection of another inventory host, for delegate_to (opened once per run). */
  delegateConnection(host: string): Promise<Connection>;
}

export interface TaskRun {
  task: Task;
  ref: TaskRef;
  scope: Scope;
}

/** Runs a task on one host and returns its result; never throws for host-side failures. */
export async function runTaskOnHost(playRun: TaskPlay, given: TaskRun, host: HostState): Promise<TaskResult> {
  const started = Date.now();
  const where = renderContext(given);
  const facts = <T>(step: () => Promise<T> | T) => withFacts(playRun, step);
  try {
    const scope = await facts(() => resolveScope(given.scope, playRun.varsFor(host, given.scope.vars, undefined, given.scope.defaults), where));
    const taskRun: TaskRun = { ...given, scope };
    const result = await runResolved(playRun, taskRun, host, started, facts);
    return isFailed(result) && scope.ignoreErrors && result.status !== 'unreachable' ? { ...result, ignored: true } : result;
  } catch (err) {
    // A keyword that cannot be rendered: a literal ignore_errors still holds.
    if (err instanceof OmsrunError) return { ...failure(err.message, Date.now() - started), ...(given.scope.ignoreErrors === true ? { ignored: true } : {}) };
    throw err;
  }
}

async function runResolved(
  playRun: TaskPlay,
  taskRun: TaskRun,
  host: HostState,
  started: number,
  facts: <T>(step: () => Promise<T> | T) => Promise<T>,
): Promise<TaskResult> {
  const { task, scope } = taskRun;
  const where = renderContext(taskRun);
  try {
    // Fact variables read the run's cache when read, so these variables stay right after a gathering.
    const vars = withCheckMode(playRun.varsFor(host, scope.vars, undefined, scope.defaults), scope);
    const items = await facts(() => (task.loop === undefined ? undefined : loopItems(task, vars, where, scope.baseDir ?? playRun.baseDir)));
    if (items === undefined) return await facts(() => runOne(playRun, taskRun, host, vars));
    const results: TaskResult[] = [];
    const control = task.loopControl ?? {};
    for (const [index, item] of items.entries()) {
      if (playRun.run.opts.signal.aborted) break;
      if (index > 0 && control.pause) await sleep(control.pause * 1000, undefined, { signal: playRun.run.opts.signal }).catch(() => undefined);
      const itemVars = withCheckMode(playRun.varsFor(host, scope.vars, loopVars(task, items, index), scope.defaults), scope);
      const r = await facts(() => runOne(playRun, taskRun, host, itemVars));
      if (r.status === 'unreachable') return { ...r, durationMs: Date.now() - started };
      const label = control.label === undefined ? undefined : renderValue(control.label, itemVars, { ...where, field: 'loop_control.label' });
      results.push({ ...r, item, ...(label === undefined ? {} : { label: typeof label === 'string' ? label : JSON.stringify(label) }) });
    }
    return loopResult(results, Date.now() - started);
  } catch (err) {
    if (err instanceof OmsrunError) return failure(err.message, Date.now() - started);
    throw err;
  }
}

// Runs a step; when it read a fact not gathered yet, gathers that host's facts (one command) and runs the step again.
// A step stops at its first fact read: before its module acts (arguments, when, loop; modules render before they
// change anything), or in a condition read after it acted (until, changed_when, failed_when), retried alone.
async function withFacts<T>(playRun: TaskPlay, step: () => Promise<T> | T): Promise<T> {
  for (;;) {
    try {
      return await step();
    } catch (err) {
      const need = neededFacts(err);
      const other = need && playRun.run.hosts.get(need.host);
      if (!other) throw err;
      await ensureFacts(playRun.run, other);
    }
  }
}

async function runOne(playRun: TaskPlay, taskRun: TaskRun, host: HostState, vars: Vars): Promise<TaskResult> {
  const { task, scope } = taskRun;
  const where = renderContext(taskRun);
  const conditions = [...scope.when];
  if (conditions.length && !evalConditions(conditions, vars, { ...where, field: 'when' })) {
    return skipped('conditional result was false');
  }
  const retries = task.until ? Math.max(0, numberKeyword(task.retries, 'retries', vars, where)) : 0;
  const delay = task.until ? numberKeyword(task.delay, 'delay', vars, where) : 0;
  let result: TaskResult = failure('not run');
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    result = await attemptOnce(playRun, taskRun, host, vars);
    if (!task.until || result.status === 'unreachable') break;
    const scoped = withRegister(vars, task.register, result);
    result.attempts = attempt;
    if (!isFailed(result) && (await withFacts(playRun, () => evalConditions(task.until!, scoped, { ...where, field: 'until' })))) break;
    if (attempt === retries + 1) {
      result = { ...result, status: 'failed', msg: `until condition not met after ${attempt} attempts${result.msg ? `: ${result.msg}` : ''}` };
      break;
    }
    playRun.run.emit({ kind: 'host_output', host: host.name, task: taskRun.ref, stream: 'info', line: `retrying (${attempt}/${retries})` });
    await sleep(delay * 1000, undefined, { signal: playRun.run.opts.signal }).catch(() => undefined);
    if (playRun.run.opts.signal.aborted) break;
  }
  return scope.noLog ? censor(result) : result;
}

async function attemptOnce(playRun: TaskPlay, taskRun: TaskRun, host: HostState, vars: Vars): Promise<TaskResult> {
  const { task, scope, ref } = taskRun;
  const started = Date.now();
  const where = renderContext(taskRun);
  const module = getModule(task.module);
  if (!module) return failure(`unknown module "${task.module}"`);
  const args = renderValue(task.args ?? {}, vars, where);
  registerSecretArgs(playRun.run, module, args);
  if (playRun.run.opts.verbosity >= 2 && !scope.noLog) {
    playRun.run.emit({ kind: 'verbose', level: 2, host: host.name, msg: `${task.module} ${JSON.stringify(args)}` });
  }
  const conn = await connectionFor(playRun, host, scope, vars, where);
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  playRun.run.opts.signal.addEventListener('abort', onAbort, { once: true });
  const timeout = task.timeout === undefined ? undefined : numberKeyword(task.timeout, 'timeout', vars, where);
  const timeoutMs = timeout ? timeout * 1000 : undefined;
  const timer = timeoutMs ? setTimeout(() => abort.abort(), timeoutMs) : undefined;
  const ctx: ModuleContext = {
    conn,
    host: host.name,
    checkMode: typeof scope.checkMode === 'boolean' ? scope.checkMode : playRun.run.opts.checkMode,
    diffMode: typeof scope.diff === 'boolean' ? scope.diff : playRun.run.opts.diffMode,
    become: becomeFor(host.name, scope, vars),
    timeoutMs,
    env: environmentFor(scope, vars, where),
    vars,
    baseDir: scope.baseDir ?? playRun.baseDir,
    render: (text, name) => renderTemplateFile(text, vars, { ...where, source: name }),
    evaluate: (expr) => evaluate(expr, vars, { ...where, field: 'that' }),
    log: (line, stream = 'stdout') => {
      if (!scope.noLog) playRun.run.emit({ kind: 'host_output', host: host.name, task: ref, stream, line });
    },
    warn: (msg) => playRun.run.emit({ kind: 'warning', host: host.name, msg: scope.noLog ? `task "${ref.name}": a warning hidden by no_log` : msg }),
    progress: (done, total, unit) => playRun.run.emit({ kind: 'host_progress', host: host.name, task: ref, done, total, unit }),
    signal: abort.signal,
    gatherFacts: () => ensureFacts(playRun.run, host, true),
  };
  let result: TaskResult;
  let stopped: string | undefined;
  try {
    const outcome = await runModule(module, args, ctx, where);
    result = fromOutcome(outcome, Date.now() - started);
  } catch (err) {
    if (!(err instanceof OmsrunError) || neededFacts(err)) throw err;
    if (err instanceof ConnectionError && !playRun.run.opts.signal.aborted) {
      return { ...failure(err.detail, Date.now() - started), status: 'unreachable' };
    }
    if (err instanceof InterruptedError) stopped = err.detail;
    result = failure(err.message, Date.now() - started);
  } finally {
    if (timer) clearTimeout(timer);
    playRun.run.opts.signal.removeEventListener('abort', onAbort);
  }
  if (timeoutMs && abort.signal.aborted && !playRun.run.opts.signal.aborted) {
    result = { ...result, status: 'failed', msg: `task timed out after ${timeout} s${stopped ? `: ${stopped}` : ''}` };
  }
  return withFacts(playRun, () => applyOverrides(taskRun, result, vars));
}

// A module's secret arguments (a literal password in the playbook, say) are masked like secret variables.
function registerSecretArgs(run: RunState, module: Module, args: unknown): void {
  if (!module.secretArgs || !args || typeof args !== 'object') return;
  const aliases = Object.entries(module.argAliases ?? {});
  for (const [name, value] of Object.entries(args as Record<string, unknown>)) {
    const target = aliases.find(([alias]) => alias === name)?.[1] ?? name;
    if (module.secretArgs.includes(target)) run.opts.redactor.add(value);
  }
}

function applyOverrides(taskRun: TaskRun, result: TaskResult, vars: Vars): TaskResult {
  const { task } = taskRun;
  if (!task.changedWhen && !task.failedWhen) return result;
  const where = renderContext(taskRun);
  const scoped = withRegister(vars, task.register, result);
  const changed = task.changedWhen ? evalConditions(task.changedWhen, scoped, { ...where, field: 'changed_when' }) : isChanged(result);
  const failed = task.failedWhen ? evalConditions(task.failedWhen, scoped, { ...where, field: 'failed_when' }) : isFailed(result);
  const msg = failed && !isFailed(result) ? `failed_when condition matched: ${task.failedWhen!.join(' and ')}` : result.msg;
  return { ...result, status: statusOf({ failed, skipped: result.status === 'skipped', changed }), msg };
}

/** The task's variables plus its own registered result, for until / changed_when / failed_when. */
function withRegister(vars: Vars, register: string | undefined, result: TaskResult): Vars {
  return register ? buildVars({ facts: vars, loopVars: { [register]: registerValue(result) } }) : vars;
}

// The task host's own connection, or the delegated host's (delegate_to is rendered with the task's variables).
async function connectionFor(playRun: TaskPlay, host: HostState, scope: Scope, vars: Vars, where: RenderContext): Promise<Connection> {
  const target = delegateOf(scope, vars, where);
  if (target !== undefined && target !== host.name) return target === 'localhost' ? playRun.localConnection() : playRun.delegateConnection(target);
  if (!host.conn) throw new OmsrunError(`${host.name}: not connected`);
  return host.conn;
}

const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The host a task is delegated to ('localhost' for the controller), or undefined when it runs on its own host. */
export function delegateOf(scope: Scope, vars: Vars, where: RenderContext): string | undefined {
  if (scope.delegateTo === undefined) return undefined;
  const name = String(renderValue(scope.delegateTo, vars, { ...where, field: 'delegate_to' })).trim();
  return LOCAL_NAMES.includes(name) ? 'localhost' : name;
}

// Task/block keywords win; otherwise the host's connection variables (one alias table: connectionSpec).
function becomeFor(host: string, scope: Scope, vars: Vars): Become | undefined {
  const spec = connectionSpec(host, vars);
  if (!(scope.become ?? spec.become)) return undefined;
  return { user: scope.becomeUser ?? spec.becomeUser, password: spec.becomePassword };
}

// The task's environment with its values rendered; undefined when it has none.
function environmentFor(scope: Scope, vars: Vars, where: RenderContext): Record<string, string> | undefined {
  const merged = Object.assign({}, ...scope.environment) as Record<string, unknown>;
  const names = Object.keys(merged);
  if (names.length === 0) return undefined;
  const rendered = renderValue(merged, vars, { ...where, field: 'environment' }) as Record<string, unknown>;
  return Object.fromEntries(names.map((k) => [k, String(rendered[k] ?? '')]));
}

function loopItems(task: Task, vars: Vars, where: RenderContext, baseDir: string): unknown[] {
  const value = renderValue(task.loop, vars, where);
  try {
    return lookupItems(task.loopWith, value, baseDir);
  } catch (err) {
    if (err instanceof OmsrunError) throw new OmsrunError(`${locate(where)}${err.message}`);
    throw err;
  }
}

// A task's own check_mode is what ansible_check_mode (omsrun_check_mode) says inside it, as in Ansible.
function withCheckMode(vars: Vars, scope: Scope): Vars {
  if (scope.checkMode === undefined) return vars;
  // The property descriptors are copied, not the values: lazy values such as hostvars and facts stay lazy, and every
  // variable stays an own property (Handlebars refuses to read inherited ones).
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(vars)) as Vars;
  out.ansible_check_mode = scope.checkMode;
  out.omsrun_check_mode = scope.checkMode;
  return out;
}

// retries / delay / timeout: a number, or a template that renders to one for this host.
function numberKeyword(value: number | string, name: string, vars: Vars, where: RenderContext): number {
  if (typeof value === 'number') return value;
  const rendered = renderValue(value, vars, { ...where, field: name });
  const n = typeof rendered === 'number' ? rendered : typeof rendered === 'string' && rendered.trim() !== '' ? Number(rendered) : NaN;
  if (Number.isFinite(n) && n >= 0) return n;
  throw new OmsrunError(`${locate(where)}${name}: expected a number of at least 0, got ${describeValue(rendered)}`);
}

// The item, its index (index_var) and Ansible's `ansible_loop` (extended) for the item at `index`.
function loopVars(task: Task, items: unknown[], index: number): Vars {
  const control = task.loopControl ?? {};
  const out: Vars = { [task.loopVar]: items[index] };
  if (control.indexVar) out[control.indexVar] = index;
  if (control.extended) {
    const n = items.length;
    out.ansible_loop = {
      index: index + 1,
      index0: index,
      revindex: n - index,
      revindex0: n - index - 1,
      first: index === 0,
      last: index === n - 1,
      length: n,
      previtem: index > 0 ? items[index - 1] : undefined,
      nextitem: index < n - 1 ? items[index + 1] : undefined,
      ...(control.allItems === false ? {} : { allitems: items }),
    };
  }
  return out;
}

export function renderContext(taskRun: TaskRun): RenderContext {
  return { file: taskRun.task.pos.file, line: taskRun.task.pos.line, col: taskRun.task.pos.col, task: taskRun.ref.name };
}

