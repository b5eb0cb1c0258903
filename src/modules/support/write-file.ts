// copy and template both end here: compare by sha256 and attributes, validate, back up, replace atomically.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { PutSource } from '../../connection/connection.js';
import { applyPath, attrsDiffer, commandError, run, statPath, type Attrs, type PathStat } from '../../connection/fs-ops.js';
import { convergeWrite, rewriteInPlace, STDIN_MAX_BYTES } from '../../connection/replace-file.js';
import type { FileDiff } from '../../core/result.js';
import { argvOrString, attrFields, failed, isDiffable } from './common.js';
import type { ModuleContext, ModuleOutcome, Plan } from './module.js';
import { splitArgs } from './split-args.js';

/** Destination options shared by copy and template. */
export const writeFields = {
  dest: z.string().min(1).describe('Path of the file on the host.'),
  ...attrFields,
  backup: z.boolean().default(false).describe('Keep the old file as `<dest>.<timestamp>~` before replacing it.'),
  in_place: z
    .boolean()
    .default(false)
    .describe(
      'Rewrite an existing dest in place, keeping its inode, instead of renaming a new file over it: a file bind-mounted into a container sees the change. The new content is verified first and the old content kept until the write has been read back; on any failure it is put back and the task fails.',
    ),
};

/** `validate: visudo -cf %s` — `%s` is a temp file holding the new content. */
export const validateField = argvOrString
  .refine((v) => (Array.isArray(v) ? v.join(' ') : v).includes('%s'), { error: 'validate must contain %s (the file to check)' })
  .optional()
  .describe('Command run on the new content before it replaces dest; %s is the temp file path. Exit 0 means valid.');

export interface WriteArgs extends Attrs {
  dest: string;
  backup: boolean;
  in_place?: boolean;
  validate?: string | string[];
}

export interface WritePlan {
  /** Content differs (or dest is missing): the file is rewritten. */
  content: boolean;
  existed: boolean;
  attrs: Attrs;
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** New content for dest: bytes in memory or a controller file, with its sha256 computed once (a file's hash may still be running). */
export interface WriteBody {
  source: PutSource;
  sha256: string | Promise<string>;
  /** Byte count: a different size decides "changed" without waiting for the hash. */
  size?: number;
}

// Large controller files stay on disk and are hashed once; small rendered content is hashed here.
function bodyOf(content: Buffer | WriteBody): WriteBody {
  return Buffer.isBuffer(content) ? { source: { content }, sha256: sha256(content) } : content;
}

async function bytesOf(body: WriteBody): Promise<Buffer> {
  return 'content' in body.source ? Buffer.from(body.source.content) : readFile(body.source.localPath);
}

// Local time like Ansible's backup names: file.2026-11-22@01:45:00~
export function backupName(dest: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
  return `${dest}.${day}@${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}~`;
}

// `known` is a stat of dest (with checksum) the caller already made, saving a round trip.
export async function planWrite(ctx: ModuleContext, content: Buffer | WriteBody, args: WriteArgs, known?: PathStat): Promise<Plan<WritePlan>> {
  const st = known ?? (await statPath(ctx.conn, args.dest, ctx.become, { checksum: true }));
  const body = bodyOf(content);
  const sizeDiffers = st.exists && body.size !== undefined && st.size !== body.size;
  if (st.exists && !st.isFile) {
    return { changes: false, outcome: { failed: true, msg: `${args.dest} exists and is not a regular file` } };
  }
  const want: Attrs = { mode: args.mode, owner: args.owner, group: args.group };
  const changed = !st.exists || sizeDiffers || st.sha256 !== (await body.sha256);
  const keys = attrsDiffer(st, want);
  if (!changed && keys.length === 0) {
    return { changes: false, outcome: { data: { dest: args.dest, checksum: await body.sha256 } } };
  }
  const summary = !st.exists
    ? `create ${args.dest}`
    : changed
      ? `update ${args.dest}`
      : `set ${keys.map((k) => `${k} ${want[k]}`).join(', ')} on ${args.dest}`;
  let diff: FileDiff[] | undefined;
  if (ctx.diffMode && changed) {
    const before = st.exists ? await ctx.conn.get(args.dest, { become: ctx.become }) : Buffer.alloc(0);
    const text = (b: Buffer) => (isDiffable(b) ? b.toString('utf8') : `(binary, sha256 ${sha256(b)})\n`);
    diff = [{ path: args.dest, before: text(before), after: text(await bytesOf(body)) }];
  }
  const attrs = changed ? want : (Object.fromEntries(keys.map((k) => [k, want[k]])) as Attrs);
  return { changes: true, summary, diff, data: { content: changed, existed: st.exists, attrs } };
}

export async function applyWrite(
  ctx: ModuleContext,
  content: Buffer | WriteBody,
  args: WriteArgs,
  plan: WritePlan,
): Promise<ModuleOutcome> {
  const body = bodyOf(content);
  const data: Record<string, unknown> = { dest: args.dest };
  if (!plan.content) {
    await applyPath(ctx.conn, args.dest, undefined, plan.attrs, ctx.become);
    return { changed: true, data: { ...data, checksum: await body.sha256 } };
  }
  if (args.validate !== undefined) {
    const bad = await validateCommand(ctx, body.source, args.validate);
    if (bad) return bad;
  }
  if (args.backup && plan.existed) {
    const backup = backupName(args.dest);
    await run(ctx.conn, ['cp', '-p', '--', args.dest, backup], ctx.become);
    data.backup_file = backup;
  }
  const { mode, owner, group } = plan.attrs;
  if (args.in_place && plan.existed) {
    const to = { dest: args.dest, sha256: await body.sha256, want: plan.attrs };
    await rewriteInPlace(ctx.conn, to, body.source, { become: ctx.become, signal: ctx.signal });
    return { changed: true, data: { ...data, checksum: await body.sha256 } };
  }
  const known = { sha256: body.sha256, replace: true };
  await ctx.conn.put(body.source, args.dest, { mode, owner, group, become: ctx.become, signal: ctx.signal, ...known });
  return { changed: true, data: { ...data, checksum: await body.sha256 } };
}

/** Content up to this size goes in the converge command's stdin, even when the host turns out to have it already. */
export const CONVERGE_MAX_BYTES = STDIN_MAX_BYTES;

/**
 * planWrite and applyWrite in one round trip (see Module.converge). Undefined, having changed nothing, when the two
 * steps are needed: a backup, an in-place rewrite or a validate command, large content, or (with `dirFallback`) dest found to be a folder.
 */
export async function convergeWriteFile(
  ctx: ModuleContext,
  content: Buffer,
  args: WriteArgs,
  opts: { dirFallback?: boolean } = {},
): Promise<ModuleOutcome | undefined> {
  if (args.backup || args.in_place || args.validate !== undefined || content.length > CONVERGE_MAX_BYTES) return undefined;
  const sum = sha256(content);
  const want: Attrs = { mode: args.mode, owner: args.owner, group: args.group };
  const to = { dest: args.dest, sha256: sum, want };
  const { before, result } = await convergeWrite(ctx.conn, to, content, { become: ctx.become, signal: ctx.signal });
  if (opts.dirFallback && before.isDir) return undefined;
  const plan = await planWrite(ctx, { source: { content }, sha256: sum }, args, before);
  if (!plan.changes) return { changed: false, ...plan.outcome };
  if (result.rc !== 0) throw commandError(`cannot write ${args.dest}`, result);
  return { changed: true, data: { dest: args.dest, checksum: sum } };
}

// The content goes to a private temp file that `%s` names; a failed check is the task's failure and changes nothing.
export async function validateCommand(ctx: ModuleContext, source: PutSource, cmd: string | string[]): Promise<ModuleOutcome | undefined> {
  const tmp = (await run(ctx.conn, ['mktemp'], ctx.become)).stdout.trim();
  try {
    await ctx.conn.put(source, tmp, { mode: '0600', become: ctx.become });
    const argv = (Array.isArray(cmd) ? cmd : splitArgs(cmd)).map((a) => a.replaceAll('%s', tmp));
    const r = await ctx.conn.exec(argv, { become: ctx.become, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    if (r.rc === 0) return undefined;
    const why = (r.stderr.trim() || r.stdout.trim()).replaceAll(tmp, '%s');
    return failed(`validation failed (rc ${r.rc}): ${why}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  } finally {
    await ctx.conn.exec(['rm', '-f', '--', tmp], { become: ctx.become });
  }
}
