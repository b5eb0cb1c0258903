// The one way a file is replaced on a host, by every transport: a private temp file beside it, written, synced to disk
// and checked against its sha256, given owner and group before its mode, renamed over the file. On any failure the
// file is untouched and the temp file is gone. `rewriteInPlace` is the mode for a file that must keep its inode.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, chown, lstat, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { CommandError, fromSystemError, InterruptedError } from '../core/errors.js';
import type { Attrs, Become, Connection, ExecResult, PutSource } from './connection.js';
import { applyArgv, ATTR_FIX_LINES, attrArgs, commandError, converged, type Converged } from './fs-ops.js';
import { ATTR_LINES, FIELD_LINES, SHA_LINES, STAT_LINES } from './shell-lines.js';

/** Content up to this size travels in the command's stdin; larger content is uploaded first. */
export const STDIN_MAX_BYTES = 64 * 1024;

// A hidden sibling name nobody else uses, so the final rename stays on one file system.
export function siblingTemp(path: string, tag = 'omsrun'): string {
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash + 1) : '';
  return `${dir}.${path.slice(slash + 1)}.${tag}-${randomBytes(6).toString('hex')}`;
}

// `stage` puts the new content in the private temp file $tmp beside $path: from stdin when $src is empty, from the file
// $src, or already there when $src is $tmp; syncs it to disk and checks it has sha256 $want_sum. `fail RC TEXT` reports.
const STAGE_LINES = [
  'stage() {',
  '  folder=${path%/*}; [ "$folder" != "$path" ] || folder=.; [ -n "$folder" ] || folder=/',
  '  [ -d "$folder" ] || fail 4 "the folder $folder does not exist"',
  '  umask 077',
  '  if [ "$src" != "$tmp" ] && ! err=$(cat -- "${src:--}" 2>&1 >"$tmp"); then fail 4 "$err"; fi',
  '  err=$(sync -- "$tmp" 2>&1) || fail 4 "$err"',
  '  got=$(sha256_of "$tmp" "$size") || fail 4 "cannot read $tmp back"',
  '  [ "$got" = "$want_sum" ] || fail 5 "the content arrived incomplete (sha256 $got, expected $want_sum)"',
  '}',
];

// After STAT_LINES, FIELD_LINES, ATTR_LINES and STAGE_LINES, `replace` stages the content, gives the temp file the wanted
// owner, group and mode (where not asked for, those of the file it replaces, as far as this user may set them; a new
// file is 0644) and renames it over $path (-T: a folder or a link at $path is never entered).
const REPLACE_LINES = [
  'fail() { echo "$2" >&2; exit "$1"; }',
  'replace() {',
  `  trap 'rm -f -- "$tmp"' EXIT`,
  '  [ "$kind" != dir ] || fail 4 "expected a file, got a folder"',
  '  stage',
  '  [ "$kind" != file ] || set_attrs "$tmp" "" "${owner:-$old_uid}" "${group:-$old_gid}" 2>/dev/null',
  '  [ -n "$mode" ] || { [ "$kind" = file ] && mode=$old_mode; } || mode=0644',
  '  set_attrs "$tmp" "$mode" "$owner" "$group" || exit 4',
  '  mv -fT -- "$tmp" "$path" || exit 4',
  '  trap - EXIT',
  '  exit 0',
  '}',
];

const REPLACE_PIECES = [...STAT_LINES, ...FIELD_LINES, ...ATTR_LINES, ...STAGE_LINES, ...REPLACE_LINES];

// Replaces $path with the content of stdin or of an uploaded file ($src); what it prints is not read.
const REPLACE_SCRIPT = [
  'path=$1 tmp=$2 want_sum=$3 mode=$4 owner=$5 group=$6 src=$7 size=$8 checksum=0',
  // Set before anything can fail: an uploaded temp file goes even when the path cannot be looked at.
  `trap 'rm -f -- "$tmp"' EXIT`,
  ...REPLACE_PIECES,
  'replace',
].join('\n');

/** The file a replace makes: `dest` holding new content of sha256 `sha256`, with the attributes wanted. */
export interface Replacement {
  dest: string;
  sha256: string;
  want: Attrs;
}

/** Where the new content comes from: stdin (''), or a file on the host (`tmp` itself when uploaded there already). */
export interface ReplaceSource {
  src: string;
  /** Byte count: picks the hasher. */
  size: number;
}

/** The argv that makes the replacement through the temp file `tmp`. */
export function replaceArgv(to: Replacement, tmp: string, from: ReplaceSource): string[] {
  return ['/bin/sh', '-c', REPLACE_SCRIPT, 'sh', to.dest, tmp, to.sha256, ...attrArgs(to.want), from.src, String(from.size)];
}

// A script killed before its own clean-up ran (Ctrl-C, a task timeout, a lost connection) leaves its temp file behind.
export async function removingTemp<T>(conn: Pick<Connection, 'exec'>, tmp: string, become: Become | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await conn.exec(['rm', '-f', '--', tmp], { become }).catch(() => undefined);
    throw err;
  }
}

/** Through sudo, and stopped by Ctrl-C. */
export interface HostOptions {
  become?: Become;
  signal?: AbortSignal;
}

// One command replaces dest with what its stdin carries (`size` bytes): for transports (or sudo users) that can only run commands.
export function replaceViaExec(conn: Pick<Connection, 'exec'>, to: Replacement, stdin: Buffer | Readable, o: HostOptions & { size: number }): Promise<ExecResult> {
  const tmp = siblingTemp(to.dest);
  const argv = replaceArgv(to, tmp, { src: '', size: o.size });
  return removingTemp(conn, tmp, o.become, () => conn.exec(argv, { become: o.become, stdin, signal: o.signal, ownScript: true }));
}

// An edit computed from the text read earlier: replaces $path only if it still holds that text ($old_sum, or `absent`
// for a file that was missing), so a change made meanwhile by someone else is never lost.
const REPLACE_IF_UNCHANGED_SCRIPT = [
  'path=$1 tmp=$2 want_sum=$3 mode=$4 owner=$5 group=$6 size=$7 old_sum=$8 src= checksum=1',
  `trap 'rm -f -- "$tmp"' EXIT`,
  ...REPLACE_PIECES,
  'if [ "$old_sum" = absent ]; then found=$kind; else found=$sum; fi',
  '[ "$found" = "$old_sum" ] || fail 6 "$path changed since it was read; nothing was written, run the task again"',
  'replace',
].join('\n');

/** What the file held when it was read: its sha256, or `absent`. */
export type ReadState = string;

// One command replaces dest with `content` (on stdin) if dest still holds what was read (`was`).
export async function replaceIfUnchanged(conn: Pick<Connection, 'exec'>, to: Replacement, content: Buffer, was: ReadState, o: HostOptions = {}): Promise<void> {
  const tmp = siblingTemp(to.dest);
  const argv = ['/bin/sh', '-c', REPLACE_IF_UNCHANGED_SCRIPT, 'sh', to.dest, tmp, to.sha256, ...attrArgs(to.want), String(content.length), was];
  const r = await removingTemp(conn, tmp, o.become, () => conn.exec(argv, { become: o.become, stdin: content, signal: o.signal, ownScript: true }));
  if (r.rc !== 0) throw commandError(`cannot write ${to.dest}`, r);
}

// copy/template's check and apply in one process: prints dest's state as found (with its sha256); when the content
// differs, replaces the file with stdin; when only attributes differ, fixes them. A folder, link or device is left alone.
const CONVERGE_WRITE_SCRIPT = [
  'path=$1 checksum=1 want_sum=$2 mode=$3 owner=$4 group=$5 tmp=$6 src= size=',
  ...REPLACE_PIECES,
  'if [ "$kind" = absent ] || { [ "$kind" = file ] && [ "$sum" != "$want_sum" ]; }; then replace; fi',
  '[ "$kind" = file ] || exit 0',
  ...ATTR_FIX_LINES,
].join('\n');

/** One round trip: makes the replacement with `content` where it is due (or fixes attributes), returning what it found. */
export async function convergeWrite(conn: Connection, to: Replacement, content: Buffer, opts: HostOptions = {}): Promise<Converged> {
  const tmp = siblingTemp(to.dest);
  const argv = ['/bin/sh', '-c', CONVERGE_WRITE_SCRIPT, 'sh', to.dest, to.sha256, ...attrArgs(to.want), tmp];
  const exec = () => conn.exec(argv, { become: opts.become, stdin: content, signal: opts.signal, ownScript: true });
  return converged(to.dest, await removingTemp(conn, tmp, opts.become, exec));
}

// The in-place mode: the content is staged as for a replace; then a copy of the old content is kept, $path is
// rewritten (same inode, so a file bind-mounted into a container sees the change), synced and read back; on any
// failure the old content is put back and the reason (the system's words, without the shell's prefix) is printed.
// Signals that end a session are ignored meanwhile.
const IN_PLACE_SCRIPT = [
  'path=$1 tmp=$2 want_sum=$3 mode=$4 owner=$5 group=$6 keep=$7 src=$8 size=$9',
  `trap 'rm -f -- "$tmp" "$keep"' EXIT`,
  "trap '' HUP INT TERM",
  ...SHA_LINES,
  ...ATTR_LINES,
  ...STAGE_LINES,
  'reason() { echo "${1##*: }"; }',
  'fail() { echo "$(reason "$2"); the file is unchanged" >&2; exit "$1"; }',
  'stage',
  'if ! err=$(cat -- "$path" 2>&1 >"$keep") || ! old_sum=$(sha256_of "$path") || [ "$(sha256_of "$keep")" != "$old_sum" ]; then',
  '  fail 4 "cannot keep a copy of the old content first${err:+ ($(reason "$err"))}"',
  'fi',
  'why=',
  'if ! err=$(cat -- "$tmp" 2>&1 >"$path"); then why=$(reason "${err:-write failed}")',
  'else',
  '  sync -- "$path" 2>/dev/null',
  '  if [ "$(sha256_of "$path" "$size")" != "$want_sum" ]; then why="it does not read back as written"',
  '  elif ! err=$(set_attrs "$path" "$mode" "$owner" "$group" 2>&1); then why=$err',
  '  else exit 0',
  '  fi',
  'fi',
  'if [ "$(sha256_of "$path")" = "$old_sum" ]; then echo "$why; the file is unchanged" >&2; exit 4; fi',
  'if cat -- "$keep" >"$path" 2>/dev/null && [ "$(sha256_of "$path")" = "$old_sum" ]; then',
  '  echo "$why; its previous content was put back unchanged" >&2; exit 4',
  'fi',
  `trap 'rm -f -- "$tmp"' EXIT`,
  'echo "$why; its previous content could not be put back either: a copy of it is kept in $keep" >&2',
  'exit 6',
].join('\n');

/**
 * Rewrites an existing file in place, keeping its inode, through a verified temp file; the old content is kept and put
 * back when the write fails, so dest ends holding either the old or the new content, never a part.
 */
export async function rewriteInPlace(conn: Connection, to: Replacement, source: PutSource, opts: HostOptions = {}): Promise<void> {
  const tmp = siblingTemp(to.dest);
  const keep = siblingTemp(to.dest, 'omsrun-old');
  const size = 'content' in source ? Buffer.byteLength(source.content) : (await stat(source.localPath)).size;
  const inline = 'content' in source && size <= STDIN_MAX_BYTES ? Buffer.from(source.content) : undefined;
  const argv = ['/bin/sh', '-c', IN_PLACE_SCRIPT, 'sh', to.dest, tmp, to.sha256, ...attrArgs(to.want), keep, inline ? '' : tmp, String(size)];
  await removingTemp(conn, tmp, opts.become, async () => {
    if (!inline) await conn.put(source, tmp, { mode: '0600', become: opts.become, signal: opts.signal, sha256: to.sha256, replace: true });
    const r = await conn.exec(argv, { become: opts.become, signal: opts.signal, stdin: inline, ownScript: true });
    if (r.rc !== 0) throw commandError(`cannot write ${to.dest}`, r);
  });
}

/** sha256 of a file on the controller, read as a stream. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// The same steps with node's fs, on the controller itself: no process is started but for an owner or group asked for
// (by name, which only chown resolves).
export async function replaceLocally(conn: Pick<Connection, 'exec'>, to: Replacement, content: Buffer, signal?: AbortSignal): Promise<void> {
  const { dest, sha256: sha, want } = to;
  const tmp = siblingTemp(dest);
  try {
    const old = await lstat(dest).catch(() => undefined);
    const file = old?.isFile() ? old : undefined;
    const handle = await open(tmp, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      throw new CommandError(`cannot write ${dest}: the folder ${dirname(dest)} does not exist`, 4, '', err.message);
    });
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const got = await fileSha256(tmp);
    if (got !== sha) throw new CommandError(`cannot write ${dest}: the content arrived incomplete (sha256 ${got}, expected ${sha})`, 5, '', '');
    if (file) await chown(tmp, file.uid, file.gid).catch(() => undefined);
    const mode = want.mode ?? (file ? (file.mode & 0o7777).toString(8) : '0644');
    await setLocalAttrs(conn, tmp, dest, { ...want, mode });
    if (signal?.aborted) throw new InterruptedError();
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw fromSystemError(`cannot write ${dest}`, err);
  }
}

// An owner or group goes through the same chown (and then chmod) as on any host; a mode alone needs no process.
async function setLocalAttrs(conn: Pick<Connection, 'exec'>, tmp: string, dest: string, want: Attrs & { mode: string }): Promise<void> {
  if (want.owner === undefined && want.group === undefined) return chmod(tmp, parseInt(want.mode, 8));
  const r = await conn.exec(applyArgv(tmp, undefined, want) as string[], { ownScript: true });
  if (r.rc !== 0) throw commandError(`cannot write ${dest}`, r);
}
