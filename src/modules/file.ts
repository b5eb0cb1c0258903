// Paths in a wanted state: directory, existing file, touched file, or gone.
import { z } from 'zod';
import { applyError, applyPath, attrArgs, attrsDiffer, convergePath, run, statPath, type Attrs, type PathStat } from '../connection/fs-ops.js';
import type { FileDiff } from '../core/result.js';
import { attrFields } from './support/common.js';
import { convergeLink, planLink, runLink } from './support/file-link.js';
import { defineModule, type ModuleContext, type Plan } from './support/module.js';

const schema = z
  .strictObject({
    path: z.string().min(1).describe('Path on the host (for link and hard: the link).'),
    state: z
      .enum(['directory', 'file', 'touch', 'absent', 'link', 'hard'])
      .optional()
      .describe('directory: create it; file: must exist; touch: create an empty file if missing; absent: remove (recursively); link: a symlink to src; hard: a hard link to src.'),
    src: z.string().min(1).optional().describe('What the link points to (state link and hard); a relative src of a symlink is relative to the link\'s folder.'),
    force: z.boolean().default(false).describe('link and hard: replace a file (or an empty folder) at path, and make a symlink whose src does not exist yet.'),
    recurse: z.boolean().default(false).describe('With state directory (the default then): mode, owner and group are set on everything inside too (symlinks keep their mode and get the owner).'),
    ...attrFields,
  })
  .superRefine((a, ctx) => {
    const linking = a.state === 'link' || a.state === 'hard';
    if (linking && a.src === undefined) ctx.addIssue({ code: 'custom', path: ['src'], message: `src is required with state ${a.state}`, input: a });
    if (!linking && a.src !== undefined) ctx.addIssue({ code: 'custom', path: ['src'], message: 'src is only for state link or hard', input: a.src });
    if (a.recurse && a.state !== undefined && a.state !== 'directory') {
      ctx.addIssue({ code: 'custom', path: ['recurse'], message: `recurse requires state directory, got state ${a.state}`, input: a.recurse });
    }
  });

type Args = z.infer<typeof schema>;
type State = Exclude<NonNullable<Args['state']>, 'link' | 'hard'>;
const isLink = (a: Args) => a.state === 'link' || a.state === 'hard';

interface FilePlan {
  /** recurse: mode, owner or group differ somewhere inside the folder. */
  inside?: boolean;
  create?: 'directory' | 'file';
  remove?: boolean;
  attrs: Attrs;
  /** State of the path once applied. */
  state: string;
}

function stateOf(st: PathStat): string {
  if (!st.exists) return 'absent';
  return st.isDir ? 'directory' : st.isLink ? 'link' : 'file';
}

function describe(state: string, attrs: Attrs): string {
  const lines = [`state: ${state}`];
  for (const k of ['mode', 'owner', 'group'] as const) if (attrs[k] !== undefined) lines.push(`${k}: ${attrs[k]}`);
  return `${lines.join('\n')}\n`;
}

function pick(st: PathStat, keys: (keyof Attrs)[]): Attrs {
  return Object.fromEntries(keys.map((k) => [k, st[k]])) as Attrs;
}

// The plan from the path's state: check() stats first, converge() plans from what the host found while acting.
function planFor(args: Args, st: PathStat): Plan<FilePlan> {
  const state = (args.state ?? (st.isDir || args.recurse ? 'directory' : 'file')) as State;
  const want: Attrs = { mode: args.mode, owner: args.owner, group: args.group };
  const fail = (msg: string) => ({ changes: false as const, outcome: { failed: true, msg } });
  const done = { changes: false as const, outcome: { data: { path: args.path, state: stateOf(st) } } };
  const diffOf = (after: string, attrs: Attrs, before: Attrs): FileDiff[] => [
    { path: args.path, before: describe(stateOf(st), before), after: describe(after, attrs) },
  ];
  if (state === 'absent') {
    if (!st.exists) return done;
    return { changes: true, summary: `remove ${args.path}`, data: { remove: true, attrs: {}, state: 'absent' }, diff: diffOf('absent', {}, {}) };
  }
  if (!st.exists) {
    if (state === 'file') return fail(`${args.path} does not exist; use state: touch to create it`);
    const create = state === 'directory' ? 'directory' : 'file';
    const summary = `create ${create} ${args.path}`;
    return { changes: true, summary, data: { create, attrs: want, state: create }, diff: diffOf(create, want, {}) };
  }
  if (state === 'directory' && !st.isDir) return fail(`${args.path} exists and is not a directory`);
  if (state !== 'directory' && st.isDir) return fail(`${args.path} is a directory, not a file`);
  const keys = attrsDiffer(st, want);
  if (keys.length === 0) return done;
  const attrs = Object.fromEntries(keys.map((k) => [k, want[k]])) as Attrs;
  const summary = `set ${keys.map((k) => `${k} ${attrs[k]}`).join(', ')} on ${args.path}`;
  return { changes: true, summary, data: { attrs, state: stateOf(st) }, diff: diffOf(stateOf(st), attrs, pick(st, keys)) };
}

function describeWant(want: Attrs): string {
  return (['mode', 'owner', 'group'] as const).filter((k) => want[k] !== undefined).map((k) => `${k} ${want[k]}`).join(', ');
}

// How many paths inside the folder have another mode (symlinks aside), owner or group than wanted.
const RECURSE_CHECK = [
  'p=$1 mode=$2 owner=$3 group=$4',
  'set --',
  '[ -n "$mode" ] && set -- "$@" -o "(" ! -type l ! -perm "$mode" ")"',
  '[ -n "$owner" ] && set -- "$@" -o ! -user "$owner"',
  '[ -n "$group" ] && set -- "$@" -o ! -group "$group"',
  '[ $# -eq 0 ] && { echo 0; exit 0; }',
  'shift',
  'n=$(find "$p" -mindepth 1 "(" "$@" ")" -print | wc -l) || exit',
  'echo $n',
].join('\n');

const RECURSE_APPLY = [
  'p=$1 mode=$2 owner=$3 group=$4',
  'if [ -n "$owner$group" ]; then chown -hR "$owner${group:+:$group}" -- "$p" || exit; fi',
  'if [ -n "$mode" ]; then chmod -R "$mode" -- "$p" || exit; fi',
].join('\n');

async function recurseDiffers(ctx: ModuleContext, path: string, want: Attrs): Promise<number> {
  const r = await run(ctx.conn, ['/bin/sh', '-c', RECURSE_CHECK, 'sh', path, ...attrArgs(want)], ctx.become);
  return Number(r.stdout.trim()) || 0;
}

async function recurseApply(ctx: ModuleContext, path: string, want: Attrs): Promise<void> {
  await run(ctx.conn, ['/bin/sh', '-c', RECURSE_APPLY, 'sh', path, ...attrArgs(want)], ctx.become);
}

function opOf(p: FilePlan): 'rm' | 'dir' | 'touch' | undefined {
  return p.remove ? 'rm' : p.create === 'directory' ? 'dir' : p.create === 'file' ? 'touch' : undefined;
}

export const fileModule = defineModule<Args, FilePlan>({
  name: 'file',
  description: 'Creates directories, removes paths, touches files, makes symlinks and hard links, and sets their mode and owner.',
  schema,
  argAliases: { dest: 'path', name: 'path' },
  check: async (args, ctx) => {
    if (isLink(args)) return planLink(args, await runLink(ctx, args, false)) as Plan<FilePlan>;
    const st = await statPath(ctx.conn, args.path, ctx.become);
    const plan = planFor(args, st);
    if (!args.recurse || !st.isDir || (!plan.changes && plan.outcome?.failed)) return plan;
    const want: Attrs = { mode: args.mode, owner: args.owner, group: args.group };
    const count = await recurseDiffers(ctx, args.path, want);
    if (count === 0) return plan;
    const summary = `set ${describeWant(want)} on ${count} path(s) inside ${args.path}`;
    if (plan.changes) return { ...plan, summary: `${plan.summary}; ${summary}`, data: { ...(plan.data as FilePlan), inside: true } };
    return { changes: true, summary, data: { attrs: {}, state: 'directory', inside: true } };
  },
  apply: async (args, plan, ctx) => {
    if (isLink(args)) return convergeLink(ctx, args);
    const p = plan ?? { attrs: {}, state: 'file' };
    await applyPath(ctx.conn, args.path, opOf(p), p.attrs, ctx.become);
    if (p.inside) await recurseApply(ctx, args.path, { mode: args.mode, owner: args.owner, group: args.group });
    return { changed: true, data: { path: args.path, state: p.state } };
  },
  converge: async (args, ctx) => {
    if (isLink(args)) return convergeLink(ctx, args);
    if (args.recurse) return undefined;
    const want: Attrs = { mode: args.mode, owner: args.owner, group: args.group };
    const { before, result } = await convergePath(ctx.conn, args.path, args.state as State | undefined, want, ctx.become);
    const plan = planFor(args, before);
    if (!plan.changes) return { changed: false, ...plan.outcome };
    const p = plan.data as FilePlan;
    if (result.rc !== 0) throw applyError(args.path, opOf(p), result);
    return { changed: true, data: { path: args.path, state: p.state } };
  },
});
