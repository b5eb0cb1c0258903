// Roles: `roles:` on a play loads roles/NAME/{tasks,handlers,defaults,vars}/main.yml; each role becomes a block.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatKeyPath, issuesToErrors } from '../core/yaml-source.js';
import type { KeyPath, YamlSource } from '../core/yaml-source.js';
import type { Vars } from '../inventory/model.js';
import { loadVarsFile, loadYamlFile } from '../vault/index.js';
import { convertArgs } from '../core/convert-args.js';
import { describeValue, didYouMean } from '../core/yaml-source.js';
import { shortName } from './fqcn.js';
import { blockSchema, condition, flag, names, toConditions, toNames } from './keywords.js';
import type { TaskKeywords } from './keywords.js';
import type { Block, Task, TaskCommon, TaskNode } from './model.js';
import { collect, commonOf, COMMON_KEYS, loadTaskFile, pickKeywords, report } from './tasks.js';
import type { LoadCtx } from './tasks.js';

/** Keywords a role entry may carry; every other key is a parameter (a variable of the role). */
const entrySchema = z
  .object({
    role: z.string().min(1),
    name: z.string().min(1),
    when: condition,
    tags: names,
    become: flag,
    become_user: z.string(),
    vars: z.record(z.string(), z.unknown()),
  })
  .partial();
const ENTRY_KEYS = Object.keys(entrySchema.shape);

/** A play's roles: a block per role (in order) and the handlers they bring. */
export interface LoadedRoles {
  blocks: Block[];
  handlers: Task[];
}

// roles/NAME next to the file naming it, then next to its folder (playbooks/ and roles/ side by side), the same for
// the playbook, and in the roles folder the file belongs to (a dependency or include_role inside a role).
function roleDir(file: string, name: string, ctx: LoadCtx): { dir?: string; tried: string[] } {
  const bases = [path.dirname(file), ...(ctx.stack[0] ? [path.dirname(ctx.stack[0])] : [])];
  const tried = bases.flatMap((b) => [path.join(b, 'roles', name), path.join(b, '..', 'roles', name)]);
  // Any `roles` folder the file sits in (nested role names such as `container-engine/docker` too).
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (path.basename(dir) === 'roles') tried.push(path.join(dir, name));
  }
  const unique = [...new Set(tried.map((t) => path.resolve(t)))];
  return { dir: unique.find((d) => existsSync(d)), tried: unique };
}

function mainFile(dir: string, sub: string, base = 'main'): string | undefined {
  return [base, `${base}.yml`, `${base}.yaml`].map((f) => path.join(dir, sub, f)).find((f) => /\.ya?ml$/.test(f) && existsSync(f));
}

/** `tasks_from` and the like: which file of each role folder to load instead of main. */
interface RoleFiles {
  tasks?: string;
  handlers?: string;
  vars?: string;
  defaults?: string;
}

export async function parseRoles(src: YamlSource, value: unknown, p: KeyPath, ctx: LoadCtx): Promise<LoadedRoles> {
  const out: LoadedRoles = { blocks: [], handlers: [] };
  // A role listed twice (with other parameters, say) brings its handlers once: they run once per notification.
  const withHandlers = new Set<string>();
  if (value === null || value === undefined) return out;
  if (!Array.isArray(value)) {
    report(ctx, src, p, 'expected a list of roles (names, or mappings with role:)');
    return out;
  }
  for (const [i, entry] of value.entries()) {
    const entryPath = [...p, i];
    const raw: Record<string, unknown> = typeof entry === 'string' ? { role: entry } : entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
    const name = raw.role ?? raw.name;
    if (typeof name !== 'string' || name.trim() === '') {
      report(ctx, src, entryPath, 'expected a role name, or a mapping with role: NAME', { hint: 'roles: [common, { role: oms, oms_version: "4.2" }]' });
      continue;
    }
    const { dir, tried } = roleDir(src.file, name, ctx);
    if (!dir) {
      report(ctx, src, typeof entry === 'string' ? entryPath : [...entryPath, raw.role !== undefined ? 'role' : 'name'], `role ${JSON.stringify(name)} not found`, { hint: `looked in ${tried.join(', ')}` });
      continue;
    }
    const res = entrySchema.safeParse(raw);
    if (!res.success) {
      ctx.errors.push(...issuesToErrors(res.error.issues, raw, entrySchema, src, { base: entryPath }));
      continue;
    }
    const handlers = withHandlers.has(dir) ? [] : out.handlers;
    withHandlers.add(dir);
    out.blocks.push(...(await loadRoleWithDependencies(src, { ...raw, ...res.data }, entryPath, dir, name, ctx, handlers, {})));
  }
  return out;
}

// The role's dependencies (meta/main.yml), each once per play, then the role itself.
async function loadRoleWithDependencies(src: YamlSource, raw: Record<string, unknown>, entryPath: KeyPath, dir: string, name: string, ctx: LoadCtx, handlers: Task[], files: RoleFiles): Promise<Block[]> {
  const from = { pos: src.posOf(entryPath), keyPath: formatKeyPath(entryPath) };
  const chain = ctx.roleStack ?? [];
  if (chain.includes(dir)) {
    report(ctx, src, entryPath, `role dependency cycle: ${[...chain.slice(chain.indexOf(dir)), dir].map((d) => path.basename(d)).join(' → ')}`);
    return [];
  }
  ctx.roleStack = [...chain, dir];
  try {
    const blocks: Block[] = [];
    const meta = mainFile(dir, 'meta');
    const metaSrc = meta ? await collect(ctx, () => loadYamlFile(meta, from)) : undefined;
    const deps = metaSrc && metaSrc.data && typeof metaSrc.data === 'object' ? (metaSrc.data as Record<string, unknown>).dependencies : undefined;
    if (metaSrc && Array.isArray(deps)) {
      for (const [i, dep] of deps.entries()) {
        const depPath: KeyPath = ['dependencies', i];
        const depRaw: Record<string, unknown> = typeof dep === 'string' ? { role: dep } : dep !== null && typeof dep === 'object' && !Array.isArray(dep) ? (dep as Record<string, unknown>) : {};
        const depName = depRaw.role ?? depRaw.name;
        if (typeof depName !== 'string' || depName.trim() === '') {
          report(ctx, metaSrc, depPath, 'expected a role name, or a mapping with role: NAME');
          continue;
        }
        const found = roleDir(metaSrc.file, depName, ctx);
        if (!found.dir) {
          report(ctx, metaSrc, depPath, `role ${JSON.stringify(depName)} not found`, { hint: `looked in ${found.tried.join(', ')}` });
          continue;
        }
        // As in Ansible, a dependency with the same parameters runs once per play.
        const seen = `${found.dir}\0${JSON.stringify(depRaw)}`;
        ctx.playRoles ??= new Set();
        if (ctx.playRoles.has(seen)) continue;
        ctx.playRoles.add(seen);
        const res = entrySchema.safeParse(depRaw);
        if (!res.success) {
          ctx.errors.push(...issuesToErrors(res.error.issues, depRaw, entrySchema, metaSrc, { base: depPath }));
          continue;
        }
        blocks.push(...(await loadRoleWithDependencies(metaSrc, { ...depRaw, ...res.data }, depPath, found.dir, depName, ctx, handlers, {})));
      }
    } else if (metaSrc && deps !== undefined && deps !== null) {
      report(ctx, metaSrc, ['dependencies'], 'expected a list of roles');
    }
    const block = await loadRole(src, raw, entryPath, dir, name, ctx, handlers, files);
    if (block) blocks.push(block);
    return blocks;
  } finally {
    ctx.roleStack = chain;
  }
}

async function loadRole(src: YamlSource, raw: Record<string, unknown>, entryPath: KeyPath, dir: string, name: string, ctx: LoadCtx, handlers: Task[], files: RoleFiles): Promise<Block | undefined> {
  const from = { pos: src.posOf(entryPath), keyPath: formatKeyPath(entryPath) };
  const list = async (sub: 'tasks' | 'handlers', asHandlers: boolean): Promise<TaskNode[]> => {
    const file = mainFile(dir, sub, files[sub]);
    if (!file && files[sub]) report(ctx, src, entryPath, `role ${JSON.stringify(name)} has no ${sub}/${files[sub]}(.yml)`);
    return (file && (await loadTaskFile(file, src, entryPath, ctx, asHandlers))) || [];
  };
  const vars = async (sub: 'vars' | 'defaults'): Promise<Vars> => {
    const file = mainFile(dir, sub, files[sub]);
    return ((file && (await collect(ctx, () => loadVarsFile(file, from)))) || {}) as Vars;
  };
  const tasks = await list('tasks', false);
  handlers.push(...(await list('handlers', true)).flatMap((h) => (h.kind === 'task' ? [h] : [])));
  const params: Vars = {};
  for (const [k, v] of Object.entries(raw)) if (!ENTRY_KEYS.includes(k)) params[k] = v;
  const entryVars = raw.vars !== null && typeof raw.vars === 'object' && !Array.isArray(raw.vars) ? (raw.vars as Vars) : {};
  const block: Block = {
    kind: 'block',
    name: `role ${name}`,
    block: tasks,
    rescue: [],
    always: [],
    tags: toNames(raw.tags as string | string[] | undefined, true),
    // Role vars sit above play vars; the entry's parameters above those; block and task vars inside still win.
    vars: { ...(await vars('vars')), ...params, ...entryVars },
    roleDefaults: await vars('defaults'),
    baseDir: dir,
    pos: src.posOf(entryPath),
    keyPath: formatKeyPath(entryPath),
  };
  const when = toConditions(raw.when as never);
  if (when) block.when = when;
  if (typeof raw.become === 'boolean') block.become = raw.become;
  if (typeof raw.become_user === 'string') block.becomeUser = raw.become_user;
  return block;
}

/** include_role / import_role arguments (both load the role when the playbook loads). */
const includeRoleSchema = z
  .strictObject({
    name: z.string().min(1),
    tasks_from: z.string().min(1),
    handlers_from: z.string().min(1),
    vars_from: z.string().min(1),
    defaults_from: z.string().min(1),
    public: flag,
    allow_duplicates: flag,
    rolespec_validate: flag,
    apply: z.record(z.string(), z.unknown()).describe('Keywords for every task of the role (tags, become, when, ...).'),
  })
  .partial()
  .required({ name: true });

// `include_role: {name: web, tasks_from: install}` as a block of the role's tasks; `vars:` are its parameters.
export async function parseRoleInclude(src: YamlSource, raw: Record<string, unknown>, key: string, p: KeyPath, ctx: LoadCtx): Promise<Block | undefined> {
  const allowed = [...COMMON_KEYS, key];
  for (const k of Object.keys(raw).filter((o) => !allowed.includes(o))) {
    const hint = k.startsWith('with_') || k === 'loop' ? 'looping over a role is not supported' : didYouMean(k, allowed);
    report(ctx, src, [...p, k], `${JSON.stringify(k)} is not allowed on ${key}`, { key: true, hint });
  }
  const keywords = pickKeywords(src, raw, p, ctx, blockSchema.omit({ block: true }), COMMON_KEYS) as TaskKeywords | undefined;
  const argsPath = [...p, key];
  const res = includeRoleSchema.safeParse(convertArgs(includeRoleSchema, raw[key]));
  if (!res.success) {
    ctx.errors.push(...issuesToErrors(res.error.issues, raw[key], includeRoleSchema, src, { base: argsPath }));
    return undefined;
  }
  const args = res.data;
  if (args.name.includes('{{')) {
    report(ctx, src, [...argsPath, 'name'], `templated role names are not supported, got ${describeValue(args.name)}`, { hint: 'name the role' });
    return undefined;
  }
  const { dir, tried } = roleDir(src.file, args.name, ctx);
  if (!dir) {
    report(ctx, src, [...argsPath, 'name'], `role ${JSON.stringify(args.name)} not found`, { hint: `looked in ${tried.join(', ')}` });
    return undefined;
  }
  ctx.roleHandlers ??= [];
  ctx.playRoles ??= new Set();
  // A role included several times brings its handlers once: they run once per notification.
  const handlers = ctx.playRoles.has(`handlers\0${dir}`) ? [] : ctx.roleHandlers;
  ctx.playRoles.add(`handlers\0${dir}`);
  const files: RoleFiles = { tasks: args.tasks_from, handlers: args.handlers_from, vars: args.vars_from, defaults: args.defaults_from };
  const entry = { role: args.name, ...(keywords?.vars ? { vars: keywords.vars } : {}) };
  const blocks = await loadRoleWithDependencies(src, entry, argsPath, dir, args.name, ctx, handlers, files);
  const common = keywords && commonOf(src, keywords, p, ctx);
  const applied = args.apply === undefined ? undefined : appliedKeywords(src, args.apply, [...argsPath, 'apply'], ctx);
  if (!common || applied === null) return undefined;
  const block: Block = { kind: 'block', ...common, name: common.name ?? `${shortName(key)}: ${args.name}`, block: blocks, rescue: [], always: [] };
  // The include is loaded with the playbook, so `apply:` keywords sit on an inner block around the role's tasks.
  return applied ? { ...block, block: [{ kind: 'block', ...applied, name: `apply: ${args.name}`, block: blocks, rescue: [], always: [] }] } : block;
}

// include_role's `apply:` keywords, checked like a block's; null when they have errors.
function appliedKeywords(src: YamlSource, apply: Record<string, unknown>, p: KeyPath, ctx: LoadCtx): TaskCommon | null {
  for (const k of Object.keys(apply).filter((o) => !COMMON_KEYS.includes(o))) {
    report(ctx, src, [...p, k], `${JSON.stringify(k)} is not allowed in apply`, { key: true, hint: didYouMean(k, COMMON_KEYS) });
  }
  const keywords = pickKeywords(src, apply, p, ctx, blockSchema.omit({ block: true }), COMMON_KEYS) as TaskKeywords | undefined;
  return (keywords && commonOf(src, keywords, p, ctx)) ?? null;
}
