// Loads a playbook: plays, import_playbook, vars_files and task lists, validated before anything runs.
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { describeValue, formatKeyPath, issuesToErrors, toErrors } from '../core/yaml-source.js';
import type { KeyPath, YamlSource } from '../core/yaml-source.js';
import type { Vars } from '../inventory/model.js';
import { getModule, moduleNames } from '../modules/support/registry.js';
import { loadVarsFile, loadYamlFile } from '../vault/index.js';
import { playSchema, toNames } from './keywords.js';
import type { PlayKeywords } from './keywords.js';
import type { Play, Playbook, Task, TaskNode } from './model.js';
import { checkTemplates } from './syntax.js';
import { parseRoleInclude, parseRoles } from './roles.js';
import { collect, parseTaskList, report } from './tasks.js';
import type { LoadCtx, ModuleLookup } from './tasks.js';

/** Options for loadPlaybook. */
export interface LoadPlaybookOptions {
  /** Where modules are looked up. @defaultValue the module registry */
  modules?: ModuleLookup;
  /** Most errors reported at once. @defaultValue 30 */
  maxErrors?: number;
}

// The whole playbook or every error found in it (ConfigError for one, ConfigErrors for several).
export async function loadPlaybook(file: string, options: LoadPlaybookOptions = {}): Promise<Playbook> {
  const abs = path.resolve(file);
  const ctx: LoadCtx = { errors: [], modules: options.modules ?? { get: getModule, names: moduleNames }, stack: [], includeRole: parseRoleInclude };
  const src = await loadYamlFile(abs);
  const plays = await parsePlays(src, ctx);
  if (ctx.errors.length > 0) throw toErrors(byPosition(ctx.errors).slice(0, options.maxErrors ?? 30));
  return { file: abs, plays };
}

async function parsePlays(src: YamlSource, ctx: LoadCtx): Promise<Play[]> {
  ctx.stack.push(src.file);
  try {
    const data = src.data;
    if (data === null || data === undefined) return [];
    if (!Array.isArray(data)) {
      report(ctx, src, [], `expected a list of plays, got ${describeValue(data)}`, { hint: 'a playbook starts with `- hosts: ...`' });
      return [];
    }
    const plays: Play[] = [];
    for (const [i, item] of data.entries()) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item) && 'import_playbook' in item) {
        plays.push(...(await importPlaybook(src, item as Record<string, unknown>, [i], ctx)));
        continue;
      }
      const play = await parsePlay(src, item, [i], ctx);
      if (play) plays.push(play);
    }
    return plays;
  } finally {
    ctx.stack.pop();
  }
}

async function importPlaybook(src: YamlSource, item: Record<string, unknown>, p: KeyPath, ctx: LoadCtx): Promise<Play[]> {
  for (const k of Object.keys(item).filter((k) => k !== 'import_playbook' && k !== 'name')) {
    report(ctx, src, [...p, k], `${JSON.stringify(k)} is not allowed on import_playbook`, { key: true, hint: 'only name and import_playbook' });
  }
  const fieldPath = [...p, 'import_playbook'];
  const file = item.import_playbook;
  if (typeof file !== 'string' || file.trim() === '') {
    report(ctx, src, fieldPath, `expected a file path, got ${describeValue(file)}`);
    return [];
  }
  if (file.includes('{{')) {
    report(ctx, src, fieldPath, `templated import paths are not supported, got ${describeValue(file)}`, { hint: 'use a static path relative to this file' });
    return [];
  }
  const abs = path.resolve(path.dirname(src.file), file);
  const where = { pos: src.posOf(fieldPath), keyPath: formatKeyPath(fieldPath) };
  if (ctx.stack.includes(abs)) {
    const chain = [...ctx.stack.slice(ctx.stack.indexOf(abs)), abs].map((f) => path.relative(path.dirname(abs), f) || path.basename(f));
    ctx.errors.push(new ConfigError(`import cycle: ${chain.join(' → ')}`, where));
    return [];
  }
  const sub = await collect(ctx, () => loadYamlFile(abs, where));
  return sub ? parsePlays(sub, ctx) : [];
}

async function parsePlay(src: YamlSource, item: unknown, p: KeyPath, ctx: LoadCtx): Promise<Play | undefined> {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    report(ctx, src, p, `expected a play (a mapping with hosts and tasks), got ${describeValue(item)}`);
    return undefined;
  }
  const raw = item as Record<string, unknown>;
  const res = playSchema.safeParse(raw);
  if (!res.success) ctx.errors.push(...issuesToErrors(res.error.issues, raw, playSchema, src, { base: p }));
  const at = (k: string): [KeyPath, unknown] => [[...p, k], raw[k]];
  checkTemplates(src, [at('name'), at('vars')], ctx.errors);
  ctx.roleHandlers = [];
  ctx.playRoles = new Set();
  const lists: TaskNode[][] = [];
  for (const k of ['pre_tasks', 'tasks', 'post_tasks']) lists.push(Array.isArray(raw[k]) ? await parseTaskList(src, raw[k], [...p, k], ctx) : []);
  const roles = await parseRoles(src, raw.roles, [...p, 'roles'], ctx);
  lists.splice(1, 0, roles.blocks);
  const handlers = [...(Array.isArray(raw.handlers) ? await parseTaskList(src, raw.handlers, [...p, 'handlers'], ctx, true) : []), ...roles.handlers, ...ctx.roleHandlers];
  const varsFromFiles = await varsFiles(src, raw.vars_files, [...p, 'vars_files'], ctx);
  if (!res.success) return undefined;
  const keywords: PlayKeywords = res.data;
  const playTags = toNames(keywords.tags, true);
  if (keywords.gather_facts === true) lists.unshift([gatheringTask(src, [...p, 'gather_facts'])]);
  const tasks = lists.flat().map((t) => (playTags.length ? { ...t, tags: [...new Set([...playTags, ...t.tags])] } : t));
  const play: Play = {
    name: keywords.name ?? (Array.isArray(keywords.hosts) ? keywords.hosts.join(',') : keywords.hosts),
    hosts: Array.isArray(keywords.hosts) ? keywords.hosts.join(',') : keywords.hosts,
    vars: (keywords.vars ?? {}) as Vars,
    varsFromFiles,
    strategy: keywords.strategy ?? 'linear',
    anyErrorsFatal: keywords.any_errors_fatal ?? false,
    tasks,
    handlers: handlers.flatMap((h) => (h.kind === 'task' ? [h] : [])),
    pos: src.posOf(p),
    file: src.file,
  };
  if (keywords.become !== undefined) play.become = keywords.become;
  if (keywords.become_user !== undefined) play.becomeUser = keywords.become_user;
  if (keywords.environment !== undefined) play.environment = keywords.environment;
  if (keywords.remote_user !== undefined) play.remoteUser = keywords.remote_user;
  if (keywords.connection !== undefined) play.connection = keywords.connection;
  if (keywords.gather_facts !== undefined) play.gatherFacts = keywords.gather_facts;
  if (keywords.serial !== undefined) play.serial = Array.isArray(keywords.serial) ? keywords.serial : [keywords.serial];
  if (keywords.max_fail_percentage !== undefined) play.maxFailPercentage = keywords.max_fail_percentage;
  return play;
}

// gather_facts: true opens the play with Ansible's `Gathering Facts` task, tagged always as in Ansible.
function gatheringTask(src: YamlSource, p: KeyPath): Task {
  return { kind: 'task', name: 'Gathering Facts', module: 'setup', args: {}, loopVar: 'item', retries: 0, delay: 0, notify: [], tags: ['always'], pos: src.posOf(p), keyPath: formatKeyPath(p) };
}

async function varsFiles(src: YamlSource, value: unknown, p: KeyPath, ctx: LoadCtx): Promise<Vars> {
  const out: Vars = {};
  if (value === undefined || value === null) return out;
  const list: [KeyPath, unknown][] = typeof value === 'string' ? [[p, value]] : Array.isArray(value) ? value.map((v, i): [KeyPath, unknown] => [[...p, i], v]) : [];
  for (const [fieldPath, f] of list) {
    if (typeof f !== 'string') continue;
    if (f.includes('{{')) {
      report(ctx, src, fieldPath, `templated vars_files paths are not supported, got ${describeValue(f)}`, { hint: 'use a static path relative to the playbook' });
      continue;
    }
    const where = { pos: src.posOf(fieldPath), keyPath: formatKeyPath(fieldPath) };
    Object.assign(out, await collect(ctx, () => loadVarsFile(path.resolve(path.dirname(src.file), f), where)));
  }
  return out;
}

/** Errors of one file in line order; files in the order they were first reported. */
function byPosition(errors: ConfigError[]): ConfigError[] {
  const files = [...new Set(errors.map((e) => e.where.pos?.file ?? ''))];
  const key = (e: ConfigError): [number, number, number] => [files.indexOf(e.where.pos?.file ?? ''), e.where.pos?.line ?? 0, e.where.pos?.col ?? 0];
  return [...errors].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}
