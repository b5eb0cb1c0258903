// Roles: `roles:` on a play loads roles/NAME/{tasks,handlers,defaults,vars}/main.yml; each role becomes a block.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatKeyPath, issuesToErrors } from '../core/yaml-source.js';
import type { KeyPath, YamlSource } from '../core/yaml-source.js';
import type { Vars } from '../inventory/model.js';
import { loadVarsFile } from '../vault/index.js';
import { condition, flag, names, toConditions, toNames } from './keywords.js';
import type { Block, Task, TaskNode } from './model.js';
import { collect, loadTaskFile, report } from './tasks.js';
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

// roles/NAME next to the playbook, then next to its folder (playbooks/ and roles/ side by side).
function roleDir(playbookFile: string, name: string): { dir?: string; tried: string[] } {
  const base = path.dirname(playbookFile);
  const tried = [path.join(base, 'roles', name), path.join(base, '..', 'roles', name)];
  return { dir: tried.find((d) => existsSync(d)), tried };
}

function mainFile(dir: string, sub: string): string | undefined {
  return ['main.yml', 'main.yaml'].map((f) => path.join(dir, sub, f)).find((f) => existsSync(f));
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
    const { dir, tried } = roleDir(src.file, name);
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
    const block = await loadRole(src, { ...raw, ...res.data }, entryPath, dir, name, ctx, handlers);
    if (block) out.blocks.push(block);
  }
  return out;
}

async function loadRole(src: YamlSource, raw: Record<string, unknown>, entryPath: KeyPath, dir: string, name: string, ctx: LoadCtx, handlers: Task[]): Promise<Block | undefined> {
  const from = { pos: src.posOf(entryPath), keyPath: formatKeyPath(entryPath) };
  const list = async (sub: string, asHandlers: boolean): Promise<TaskNode[]> => {
    const file = mainFile(dir, sub);
    return (file && (await loadTaskFile(file, src, entryPath, ctx, asHandlers))) || [];
  };
  const vars = async (sub: string): Promise<Vars> => {
    const file = mainFile(dir, sub);
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
