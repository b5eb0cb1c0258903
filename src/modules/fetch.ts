// Brings a host's file to the controller: streamed into a temp file beside dest, sha256 checked, then renamed.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { Connection, GetFileOptions } from '../connection/connection.js';
import { statPath } from '../connection/fs-ops.js';
import { fromSystemError } from '../core/errors.js';
import { failed } from './support/common.js';
import { defineModule, type ModuleOutcome } from './support/module.js';

const schema = z.strictObject({
  src: z.string().min(1).describe('File on the host (a regular file; folders are not fetched).'),
  dest: z
    .string()
    .min(1)
    .describe('Folder on the controller (relative to the folder omsrun runs in): the file lands in DEST/HOST/SRC (its full path), or with flat in DEST itself.'),
  flat: z
    .boolean()
    .default(false)
    .describe('dest is the file itself (or, ending in /, the folder that gets the file under its own name), without HOST/SRC.'),
  fail_on_missing: z.boolean().default(true).describe('Fail when src does not exist on the host; false: report it and go on.'),
  validate_checksum: z.boolean().default(true).describe("Compare the fetched copy's sha256 with the host's before it replaces dest."),
});

type Args = z.infer<typeof schema>;

interface FetchPlan {
  dest: string;
  remoteSha: string;
  size: number;
}

/** Where a fetched file lands on the controller (Ansible's layout): DEST/HOST/SRC, or with flat DEST (DEST/ + name). */
export function fetchDest(args: Pick<Args, 'src' | 'dest' | 'flat'>, host: string, cwd = process.cwd()): string {
  const base = isAbsolute(args.dest) ? args.dest : resolve(cwd, args.dest);
  if (args.flat) return args.dest.endsWith('/') ? join(base, basename(args.src)) : base;
  return join(base, host, args.src.replace(/^\/+/, ''));
}

// sha256 of a controller file, undefined when there is none.
async function localSha256(path: string): Promise<string | undefined> {
  const h = createHash('sha256');
  try {
    await pipeline(createReadStream(path), h);
  } catch {
    return undefined;
  }
  return h.digest('hex');
}

/** Streams a host's file into a controller file; a transport that cannot stream has it read whole. */
export async function fetchToLocal(conn: Connection, path: string, local: string, o: GetFileOptions = {}): Promise<void> {
  if (conn.getFile) return conn.getFile(path, local, o);
  await writeFile(local, await conn.get(path, { become: o.become }), { mode: 0o600 });
}

export const fetchModule = defineModule<Args, FetchPlan>({
  name: 'fetch',
  description: "Copies a file from the host to the controller, binary-safe and streamed, checked by sha256; unchanged when the controller's copy has the same sha256.",
  schema,
  check: async (args, ctx) => {
    const st = await statPath(ctx.conn, args.src, ctx.become, { checksum: true });
    const dest = fetchDest(args, ctx.host);
    if (!st.exists) {
      const msg = `${args.src} does not exist on the host`;
      return { changes: false, outcome: args.fail_on_missing ? failed(msg) : { changed: false, msg: `${msg}; nothing fetched`, data: { file: args.src, dest } } };
    }
    if (!st.isFile || !st.sha256) return { changes: false, outcome: failed(`${args.src} is not a regular file; fetch copies files only`) };
    const data = { file: args.src, dest, checksum: st.sha256, size: st.size };
    if ((await localSha256(dest)) === st.sha256) return { changes: false, outcome: { changed: false, data } };
    return { changes: true, summary: `fetch ${args.src} (${st.size ?? 0} bytes) to ${dest}`, data: { dest, remoteSha: st.sha256, size: st.size ?? 0 } };
  },
  apply: async (args, plan, ctx): Promise<ModuleOutcome> => {
    if (!plan) throw new Error('fetch: apply without a plan');
    const { dest, remoteSha } = plan;
    const tmp = join(dirname(dest), `.${basename(dest)}.omsrun-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dirname(dest), { recursive: true }).catch((err: unknown) => {
        throw fromSystemError(`cannot create ${dirname(dest)}`, err);
      });
      await fetchToLocal(ctx.conn, args.src, tmp, {
        become: ctx.become,
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress(done, total, 'bytes'),
      });
      // Private on the controller: a fetched file may hold secrets.
      await chmod(tmp, 0o600);
      const got = await localSha256(tmp);
      if (args.validate_checksum && got !== remoteSha) {
        return failed(`the fetched copy of ${args.src} has sha256 ${got}, the host's file had ${remoteSha} (did it change meanwhile?); ${dest} is unchanged`);
      }
      await rename(tmp, dest).catch((err: unknown) => {
        throw fromSystemError(`cannot write ${dest}`, err);
      });
      return { changed: true, msg: `fetched ${args.src} to ${dest}`, data: { file: args.src, dest, checksum: got, size: plan.size } };
    } finally {
      await rm(tmp, { force: true });
    }
  },
});
