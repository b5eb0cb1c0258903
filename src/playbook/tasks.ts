// Task lists: one module per task, blocks, static includes; every problem collected with its position.
import path from 'node:path';
import { ConfigError, ConfigErrors } from '../core/errors.js';
import { describeValue, didYouMean, formatKeyPath, issuesToErrors } from '../core/yaml-source.js';
import type { KeyPath, YamlSource } from '../core/yaml-source.js';
import type { Module } from '../modules/support/module.js';
import { moduleInput } from '../modules/support/run-module.js';
import { loadYamlFile } from '../vault/index.js';
import type { Block, Task, TaskCommon, TaskNode } from './model.js';
import { convertArgs } from '../core/convert-args.js';
import { blockSchema, BLOCK_ONLY_KEYS, commonKeywords, INCLUDE_KEYS, ROLE_INCLUDE_KEYS, TASK_KEYS, taskKeywords, taskSchema, toConditions, toNames, WITH_LOOKUPS } from './keywords.js';
import type { TaskKeywords, WithLookup } from './keywords.js';
import { ANSIBLE_ONLY, qualifiedName, shortName } from './fqcn.js';
import { checkConditions, checkTemplates } from './syntax.js';
import { unknownModuleHint } from './module-hints.js';

/** Where modules come from (the registry by default; tests pass their own). */
export interface ModuleLookup {
  get(name: string): Module | undefined;
  names(): string[];
}

/** State shared while loading one playbook. */
export interface LoadCtx {
  errors: ConfigError[];
  modules: ModuleLookup;
  /** Files being loaded, outermost first (cycle detection). */
  stack: string[];
  /** include_role / import_role (roles.ts builds on this file, so it plugs in here). */
  includeRole: (src: YamlSource, raw: Record<string, unknown>, key: string, p: KeyPath, ctx: LoadCtx) => Promise<Block | undefined>;
  /** Handlers brought by include_role / import_role in the play being loaded. */
  roleHandlers?: Task[];
  /** Role folders being loaded, outermost first (dependency cycles). */
  roleStack?: string[];
  /** Role dependencies already loaded in this play (folder and parameters): each runs once. */
  playRoles?: Set<string>;
}

export const COMMON_KEYS = Object.keys(commonKeywords);
const TEMPLATED_NUMBERS = ['retries', 'delay', 'timeout'] as const;
/** Keywords that may be templates, rendered per host when the task runs (executor/task-keywords.ts). */
const TEMPLATED_KEYWORDS = ['become', 'become_user', 'ignore_errors', 'no_log', 'run_once', 'check_mode', 'diff', 'environment'];
const LOOP_KEYS = ['loop', ...WITH_LOOKUPS.map((w) => `with_${w}`)];

// Adds an error positioned at `p` (its key when `key`).
export function report(ctx: LoadCtx, src: YamlSource, p: KeyPath, detail: string, opts: { key?: boolean; hint?: string } = {}): void {
  ctx.errors.push(new ConfigError(detail, { pos: opts.key ? src.posOfKey(p) : src.posOf(p), keyPath: formatKeyPath(p) || undefined, hint: opts.hint }));
}

// A list of tasks at `p` (null → empty); handlers must be plain tasks.
export async function parseTaskList(src: YamlSource, value: unknown, p: KeyPath, ctx: LoadCtx, handlers = false): Promise<TaskNode[]> {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    report(ctx, src, p, `expected a list of tasks, got ${describeValue(value)}`);
    return [];
  }
  const out: TaskNode[] = [];
  for (const [i, item] of value.entries()) {
    const ip = [...p, i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      report(ctx, src, ip, `expected a task (a mapping with a module), got ${describeValue(item)}`);
      continue;
    }
    const raw = item as Record<string, unknown>;
    const isBlock = 'block' in raw;
    const include = Object.keys(raw).find((k) => INCLUDE_KEYS.includes(shortName(k)));
    const roleInclude = Object.keys(raw).find((k) => ROLE_INCLUDE_KEYS.includes(shortName(k)));
    if (handlers && (isBlock || include || roleInclude)) {
      report(ctx, src, ip, 'blocks and includes are not supported in handlers', { hint: 'list handlers as plain tasks' });
      continue;
    }
    const node = isBlock
      ? await parseBlock(src, raw, ip, ctx)
      : include
        ? await parseInclude(src, raw, include, ip, ctx)
        : roleInclude
          ? await ctx.includeRole(src, raw, roleInclude, ip, ctx)
          : parseTask(src, raw, ip, ctx, handlers);
    if (node) out.push(node);
  }
  return out;
}

function parseTask(src: YamlSource, raw: Record<string, unknown>, p: KeyPath, ctx: LoadCtx, handler: boolean): Task | undefined {
  const others = Object.keys(raw).filter((k) => !TASK_KEYS.includes(k));
  const moduleOf = (k: string) => ctx.modules.get(shortName(k));
  const found = others.filter((k) => moduleOf(k));
  if (found.length > 1) {
    report(ctx, src, p, `several modules in one task: ${found.join(', ')}`, { hint: 'split it into one task per module' });
    return undefined;
  }
  let moduleNamed = found.length === 1;
  for (const k of others.filter((o) => !moduleOf(o))) {
    const unsupported = ANSIBLE_ONLY[shortName(k)];
    if (unsupported) {
      report(ctx, src, [...p, k], `${JSON.stringify(k)} is an Ansible ${unsupported.action ? 'action' : 'keyword'} omsrun does not support`, { key: true, hint: unsupported.hint });
      moduleNamed ||= unsupported.action;
      continue;
    }
    const keyHint = didYouMean(k, [...TASK_KEYS, ...BLOCK_ONLY_KEYS, ...INCLUDE_KEYS, ...ROLE_INCLUDE_KEYS]);
    const q = qualifiedName(k);
    if ((keyHint || moduleNamed) && !q.collection) {
      report(ctx, src, [...p, k], `unknown task key ${JSON.stringify(k)}`, { key: true, hint: keyHint });
    } else {
      report(ctx, src, [...p, k], unknownModule(k), { key: true, hint: unknownModuleHint(k, ctx.modules.names()) });
      moduleNamed = true;
    }
  }
  if (!moduleNamed) report(ctx, src, p, 'a task needs exactly one module, got none', { hint: 'e.g. `command: ls -l` or `copy: {src: a, dest: /tmp/a}`' });
  // Numbers may be templates (`retries: "{{ n }}"`), rendered per host when the task runs.
  const templated = Object.fromEntries(TEMPLATED_NUMBERS.filter((k) => typeof raw[k] === 'string' && (raw[k] as string).includes('{{')).map((k) => [k, raw[k] as string]));
  const picked = pickKeywords(src, raw, p, ctx, taskSchema, TASK_KEYS.filter((k) => !(k in templated)));
  if (found.length !== 1 || !picked) return undefined;
  const keywords = picked as Record<string, unknown> & TaskKeywords;
  const key = found[0]!;
  const mod = moduleOf(key)!;
  const args = moduleArgs(src, raw, key, mod, p, ctx);
  const loops = LOOP_KEYS.filter((k) => keywords[k as keyof TaskKeywords] !== undefined);
  if (loops.length > 1) report(ctx, src, [...p, loops[1]!], `use one of ${loops.join(', ')}, not several`, { key: true });
  if (keywords.listen !== undefined && !handler) report(ctx, src, [...p, 'listen'], 'listen is only allowed on handlers', { key: true });
  if (handler && keywords.name === undefined && keywords.listen === undefined) report(ctx, src, p, 'a handler needs a name or listen', { hint: 'notify refers to handlers by name' });
  const common = commonOf(src, keywords, p, ctx);
  if (!common || args === undefined) return undefined;
  const at = (k: string): [KeyPath, unknown] => [[...p, k], raw[k]];
  checkTemplates(src, [at('name'), at(key), at('args'), at('vars'), at('delegate_to'), ...TEMPLATED_KEYWORDS.map(at), ...TEMPLATED_NUMBERS.map(at), ...LOOP_KEYS.map(at), at('loop_control')], ctx.errors);
  checkConditions(src, [at('when'), at('changed_when'), at('failed_when'), at('until')], ctx.errors);
  const loopKey = loops[0];
  const control = keywords.loop_control;
  const task: Task = {
    kind: 'task',
    ...common,
    module: mod.name,
    args,
    loopVar: control?.loop_var ?? 'item',
    retries: templated.retries ?? keywords.retries ?? 3,
    delay: templated.delay ?? keywords.delay ?? 5,
    notify: toNames(keywords.notify),
  };
  const extra: Partial<Task> = {
    loop: loopKey === undefined ? undefined : keywords[loopKey as keyof TaskKeywords],
    loopWith: loopKey === undefined || loopKey === 'loop' ? undefined : (loopKey.slice('with_'.length) as WithLookup),
    loopControl: control && (control.index_var ?? control.label ?? control.pause ?? control.extended) !== undefined
      ? dropUndefined({ indexVar: control.index_var, label: control.label, pause: control.pause, extended: control.extended, allItems: control.extended_allitems })
      : undefined,
    register: keywords.register,
    changedWhen: toConditions(keywords.changed_when),
    failedWhen: toConditions(keywords.failed_when),
    until: toConditions(keywords.until),
    timeout: templated.timeout ?? keywords.timeout,
    listen: keywords.listen === undefined ? undefined : toNames(keywords.listen),
    moduleRunsOnce: mod.runOnce ? true : undefined,
  };
  return Object.assign(task, dropUndefined(extra));
}

// `ansible.builtin.apt` when omsrun has no apt: say which name omsrun looked for.
function unknownModule(key: string): string {
  const q = qualifiedName(key);
  if (!q.collection) return `unknown module ${JSON.stringify(key)}`;
  if (q.foreign) return `unknown module ${JSON.stringify(key)}: omsrun does not map the collection ${q.collection}, and has no module ${JSON.stringify(q.name)}`;
  return `unknown module ${JSON.stringify(key)}: omsrun has no module ${JSON.stringify(q.name)}`;
}

/** Free-form string → `{ [freeForm]: value }`, `args:` merged over; validated against the module schema. */
function moduleArgs(src: YamlSource, raw: Record<string, unknown>, key: string, mod: Module, p: KeyPath, ctx: LoadCtx): unknown {
  const inline = raw[key];
  const extra = raw.args !== null && typeof raw.args === 'object' && !Array.isArray(raw.args) ? (raw.args as Record<string, unknown>) : {};
  let base: Record<string, unknown>;
  let freeForm = false;
  if (inline === null || inline === undefined) base = {};
  else if (typeof inline === 'string' && mod.freeForm) {
    base = { [mod.freeForm]: inline };
    freeForm = true;
  } else if (typeof inline === 'object' && !Array.isArray(inline)) base = inline as Record<string, unknown>;
  else {
    const hint = mod.freeForm ? undefined : `${key} takes its arguments as a mapping, e.g. \`${key}: {name: value}\``;
    report(ctx, src, [...p, key], `expected a mapping of arguments, got ${describeValue(inline)}`, { hint });
    return undefined;
  }
  const args = moduleInput(mod, { ...base, ...extra }) as Record<string, unknown>;
  const res = mod.schema.safeParse(args);
  if (!res.success) {
    const mapPath = (ip: KeyPath): KeyPath => {
      const [first, ...rest] = ip;
      if (first === undefined) return [key];
      if (typeof raw.args === 'object' && raw.args !== null && first in (raw.args as object)) return ['args', first, ...rest];
      return freeForm && first === mod.freeForm ? [key] : [key, first, ...rest];
    };
    ctx.errors.push(...issuesToErrors(res.error.issues, args, mod.schema, src, { base: p, mapPath, skipTemplated: true }));
  }
  return args;
}

async function parseBlock(src: YamlSource, raw: Record<string, unknown>, p: KeyPath, ctx: LoadCtx): Promise<Block | undefined> {
  const allowed = [...COMMON_KEYS, ...BLOCK_ONLY_KEYS];
  for (const k of Object.keys(raw).filter((o) => !allowed.includes(o))) {
    const taskOnly = k in taskKeywords || ctx.modules.get(k);
    report(ctx, src, [...p, k], taskOnly ? `${JSON.stringify(k)} is not allowed on a block` : `unknown block key ${JSON.stringify(k)}`, {
      key: true,
      hint: taskOnly ? 'put it on the tasks inside the block' : didYouMean(k, allowed),
    });
  }
  const keywords = pickKeywords(src, raw, p, ctx, blockSchema, allowed) as import('./keywords.js').BlockKeywords | undefined;
  const block = await parseTaskList(src, raw.block, [...p, 'block'], ctx);
  const rescue = await parseTaskList(src, raw.rescue, [...p, 'rescue'], ctx);
  const always = await parseTaskList(src, raw.always, [...p, 'always'], ctx);
  const common = keywords && commonOf(src, keywords, p, ctx);
  if (!common) return undefined;
  checkTemplates(src, [[[...p, 'name'], raw.name], [[...p, 'vars'], raw.vars], ...TEMPLATED_KEYWORDS.map((k): [KeyPath, unknown] => [[...p, k], raw[k]])], ctx.errors);
  checkConditions(src, [[[...p, 'when'], raw.when]], ctx.errors);
  return { kind: 'block', ...common, block, rescue, always };
}

async function parseInclude(src: YamlSource, raw: Record<string, unknown>, key: string, p: KeyPath, ctx: LoadCtx): Promise<Block | undefined> {
  const allowed = [...COMMON_KEYS, key];
  for (const k of Object.keys(raw).filter((o) => !allowed.includes(o))) {
    const hint = LOOP_KEYS.includes(k) ? 'looping over an include is not supported' : didYouMean(k, allowed);
    report(ctx, src, [...p, k], `${JSON.stringify(k)} is not allowed on ${key}`, { key: true, hint });
  }
  const keywords = pickKeywords(src, raw, p, ctx, blockSchema.omit({ block: true }), COMMON_KEYS);
  let file = raw[key];
  const fieldPath = [...p, key];
  if (file !== null && typeof file === 'object' && !Array.isArray(file) && 'file' in file) file = (file as { file: unknown }).file;
  if (typeof file !== 'string' || file.trim() === '') {
    report(ctx, src, fieldPath, `expected a file path, got ${describeValue(file)}`);
    return undefined;
  }
  if (file.includes('{{')) {
    report(ctx, src, fieldPath, `templated include paths are not supported, got ${describeValue(file)}`, { hint: 'use a static path relative to this file' });
    return undefined;
  }
  const abs = path.resolve(path.dirname(src.file), file);
  const tasks = await loadTaskFile(abs, src, fieldPath, ctx);
  const common = keywords && tasks && commonOf(src, keywords, p, ctx);
  if (!common || !tasks) return undefined;
  return { kind: 'block', ...common, name: common.name ?? `${key}: ${file}`, block: tasks, rescue: [], always: [] };
}

/** Runs a loader; its configuration errors join the others (undefined then), anything else is thrown. */
export async function collect<T>(ctx: LoadCtx, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof ConfigErrors) ctx.errors.push(...err.errors);
    else if (err instanceof ConfigError) ctx.errors.push(err);
    else throw err;
    return undefined;
  }
}

// A task file (include_tasks/import_tasks, a role's tasks or handlers) with cycle detection; its errors join the others.
export async function loadTaskFile(abs: string, from: YamlSource, fieldPath: KeyPath, ctx: LoadCtx, handlers = false): Promise<TaskNode[] | undefined> {
  const where = { pos: from.posOf(fieldPath), keyPath: formatKeyPath(fieldPath) };
  if (ctx.stack.includes(abs)) {
    const chain = [...ctx.stack.slice(ctx.stack.indexOf(abs)), abs].map((f) => path.relative(path.dirname(abs), f) || path.basename(f));
    ctx.errors.push(new ConfigError(`include cycle: ${chain.join(' → ')}`, where));
    return undefined;
  }
  const src = await collect(ctx, () => loadYamlFile(abs, where));
  if (!src) return undefined;
  ctx.stack.push(abs);
  try {
    return await parseTaskList(src, src.data, [], ctx, handlers);
  } finally {
    ctx.stack.pop();
  }
}

/** Validates the keyword subset of a task/block against its schema; module and unknown keys are left out. */
export function pickKeywords(src: YamlSource, raw: Record<string, unknown>, p: KeyPath, ctx: LoadCtx, schema: import('zod').ZodType, keys: string[]): Record<string, unknown> | undefined {
  const subset = convertArgs(schema, Object.fromEntries(Object.entries(raw).filter(([k]) => keys.includes(k)))) as Record<string, unknown>;
  const res = schema.safeParse(subset);
  if (res.success) return res.data as Record<string, unknown>;
  ctx.errors.push(...issuesToErrors(res.error.issues, subset, schema, src, { base: p }));
  return undefined;
}

export function commonOf(src: YamlSource, keywords: TaskKeywords, p: KeyPath, _ctx: LoadCtx): TaskCommon | undefined {
  const c: TaskCommon = { tags: toNames(keywords.tags, true), pos: src.posOf(p), keyPath: formatKeyPath(p) };
  return Object.assign(
    c,
    dropUndefined({
      name: keywords.name,
      when: toConditions(keywords.when),
      become: keywords.become,
      becomeUser: keywords.become_user,
      ignoreErrors: keywords.ignore_errors,
      noLog: keywords.no_log,
      runOnce: keywords.run_once,
      delegateTo: keywords.delegate_to ?? (keywords.connection === 'local' ? 'localhost' : undefined),
      delegateFacts: keywords.delegate_facts,
      checkMode: keywords.check_mode,
      throttle: keywords.throttle,
      diff: keywords.diff,
      vars: keywords.vars,
      environment: keywords.environment,
    }),
  );
}

export function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
