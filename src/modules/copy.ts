// Puts a controller file or literal content on the host, only when it differs.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { statPath, type PathStat } from '../connection/fs-ops.js';
import { controllerRead, failed, resolveControllerPath } from './support/common.js';
import { defineModule, type Plan } from './support/module.js';
import {
  applyWrite, CONVERGE_MAX_BYTES, convergeWriteFile, planWrite, sha256, validateField, writeFields, type WriteBody, type WritePlan,
} from './support/write-file.js';

const schema = z
  .strictObject({
    src: z.string().min(1).optional().describe('File on the controller: the playbook (or role) folder, then its files/.'),
    content: z.string().optional().describe('Literal content to write instead of src.'),
    remote_src: z.boolean().default(false).describe('src is a file on the host, not on the controller; its bytes are read only when dest differs.'),
    ...writeFields,
    mode: z.union([z.literal('preserve'), writeFields.mode]).describe('Octal mode of dest, or `preserve`: the mode src has.'),
    validate: validateField,
  })
  .refine((a) => (a.src === undefined) !== (a.content === undefined), { error: 'expected exactly one of src or content' })
  .refine((a) => !(a.remote_src && a.src === undefined), { error: 'remote_src needs src (a path on the host)', path: ['remote_src'] })
  .refine((a) => !(a.mode === 'preserve' && a.content !== undefined), { error: 'mode preserve needs src, not content', path: ['mode'] });

type Args = z.infer<typeof schema>;

interface CopyPlan extends WritePlan {
  dest: string;
  body: WriteBody;
  /** The octal mode wanted (preserve resolved). */
  mode?: string;
}

type PerFile<T> = Map<string, { key: string; value: Promise<T> }>;

// One value per controller file and run, however many hosts copy it; made again when its size or mtime changes.
function perFile<T>(cache: PerFile<T>, path: string, st: Stats, make: () => Promise<T>): Promise<T> {
  const key = `${st.size}/${st.mtimeMs}`;
  let entry = cache.get(path);
  if (entry?.key !== key) {
    entry = { key, value: make() };
    cache.set(path, entry);
    entry.value.catch(() => cache.delete(path));
  }
  return entry.value;
}

const digests: PerFile<string> = new Map();
const smallFiles: PerFile<Buffer> = new Map();

// A controller file is hashed once per run, never held in memory; the hash runs while the host is checked and the
// bytes go out, and is awaited only where it decides something.
async function fileBody(path: string): Promise<WriteBody> {
  const st = await controllerRead(path, stat(path));
  const sha256 = perFile(digests, path, st, () => {
    const h = createHash('sha256');
    return controllerRead(path, pipeline(createReadStream(path), h).then(() => h.digest('hex')));
  });
  return { source: { localPath: path }, sha256, size: st.size };
}

// A small controller file's bytes, read once per run; undefined when it is large.
async function smallFile(path: string): Promise<Buffer | undefined> {
  const st = await controllerRead(path, stat(path));
  return st.size > CONVERGE_MAX_BYTES ? undefined : perFile(smallFiles, path, st, () => controllerRead(path, readFile(path)));
}

// A dest ending in / names a folder: a controller file keeps its own name there.
function destFor(dest: string, srcPath: string | undefined): string {
  return srcPath && dest.endsWith('/') ? `${dest}${basename(srcPath)}` : dest;
}

// dest may name a folder (ending in / or existing): the file keeps its own name there; one stat serves both.
async function statDest(args: Args, srcPath: string | undefined, ctx: Parameters<typeof planWrite>[0]): Promise<{ dest: string; st: PathStat }> {
  const dest = destFor(args.dest, srcPath);
  const st = await statPath(ctx.conn, dest, ctx.become, { checksum: true });
  if (!srcPath || !st.isDir || dest !== args.dest) return { dest, st };
  const inside = `${args.dest.replace(/\/+$/, '')}/${basename(srcPath)}`;
  return { dest: inside, st: await statPath(ctx.conn, inside, ctx.become, { checksum: true }) };
}

type WriteArgs = Omit<Args, 'mode'> & { mode?: string };

// A file already on the host: stat it (with its hash), and read its bytes only when dest differs.
async function planRemote(args: Args, ctx: Parameters<typeof planWrite>[0]): Promise<Plan<CopyPlan>> {
  const src = args.src!;
  const from = await statPath(ctx.conn, src, ctx.become, { checksum: true });
  if (!from.exists) return { changes: false, outcome: failed(`src ${src} not found on the host (remote_src: true)`) };
  if (!from.isFile) return { changes: false, outcome: failed(`src ${src} on the host is not a regular file: omsrun's remote_src copies one file`) };
  const wanted: WriteArgs = { ...args, mode: args.mode === 'preserve' ? from.mode : args.mode };
  const { dest, st } = await statDest(args, src, ctx);
  const same = st.exists && st.isFile && st.sha256 === from.sha256;
  let body: WriteBody;
  if (same) body = { source: { content: Buffer.alloc(0) }, sha256: from.sha256!, size: from.size };
  else {
    const content = await ctx.conn.get(src, { become: ctx.become });
    body = { source: { content }, sha256: sha256(content), size: content.length };
  }
  const plan = await planWrite(ctx, body, { ...wanted, dest }, st);
  if (!plan.changes) return plan;
  return { ...plan, data: { ...(plan.data as WritePlan), dest, body, mode: wanted.mode } };
}

// mode preserve: the mode of the controller file.
async function localMode(args: Args, srcPath: string | undefined): Promise<string | undefined> {
  if (args.mode !== 'preserve') return args.mode;
  return srcPath ? ((await stat(srcPath)).mode & 0o7777).toString(8).padStart(4, '0') : undefined;
}

export const copyModule = defineModule<Args, CopyPlan>({
  name: 'copy',
  description: 'Copies a file or literal content to the host, atomically, only when it differs.',
  schema,
  check: async (args, ctx) => {
    if (args.remote_src) return planRemote(args, ctx);
    let body: WriteBody;
    let srcPath: string | undefined;
    if (args.src !== undefined) {
      srcPath = resolveControllerPath(ctx.baseDir, args.src, ['files']);
      if (!srcPath) return { changes: false, outcome: failed(`src ${args.src} not found (looked in ${ctx.baseDir} and files/)`) };
      body = await fileBody(srcPath);
    } else {
      const content = Buffer.from(args.content ?? '');
      body = { source: { content }, sha256: sha256(content) };
    }
    const { dest, st } = await statDest(args, srcPath, ctx);
    const mode = await localMode(args, srcPath);
    const plan = await planWrite(ctx, body, { ...args, mode, dest }, st);
    if (!plan.changes) return plan;
    return { ...plan, data: { ...(plan.data as WritePlan), dest, body, mode } };
  },
  apply: async (args, plan, ctx) => {
    if (!plan) throw new Error('copy: apply without a plan');
    return applyWrite(ctx, plan.body, { ...args, mode: plan.mode, dest: plan.dest }, plan);
  },
  // Small content in one round trip; a dest that turns out to be a folder takes the two steps (the file goes inside).
  converge: async (args, ctx) => {
    if (args.remote_src || args.mode === 'preserve') return undefined;
    if (args.src === undefined) return convergeWriteFile(ctx, Buffer.from(args.content ?? ''), args);
    const srcPath = resolveControllerPath(ctx.baseDir, args.src, ['files']);
    const content = srcPath ? await smallFile(srcPath) : undefined;
    if (!srcPath || !content) return undefined;
    const dest = destFor(args.dest, srcPath);
    return convergeWriteFile(ctx, content, { ...args, dest }, { dirFallback: dest === args.dest });
  },
});
