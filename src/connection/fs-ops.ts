// File helpers built only on exec/put/get, so modules work the same over any transport.
import { randomBytes } from 'node:crypto';
import { CommandError } from '../core/errors.js';
import type { Become, Connection, ExecResult, PutOptions, PutSource } from './connection.js';

/** What one `stat` of a path on the target says; `mode` is 4 octal digits such as '0644'. */
export interface PathStat {
  exists: boolean;
  isDir: boolean;
  isFile: boolean;
  isLink: boolean;
  mode?: string;
  owner?: string;
  group?: string;
  uid?: number;
  gid?: number;
  size?: number;
  /** sha256 of a regular file's content, when asked for. */
  sha256?: string;
}

// Shell lines that print what parseStat reads for path $p: `absent`, or the stat line and, for a regular file when
// c=1, its sha256. They leave k (absent, dir, file or other), st (the stat line) and s (the sha256) set for what follows.
const STAT_LINES = [
  'k=absent',
  'if [ -e "$p" ] || [ -L "$p" ]; then',
  `  if st=$(stat -c '%f/%a/%U/%G/%u/%g/%s' -- "$p"); then`,
  '    echo "$st"',
  '    case $(( 0x${st%%/*} & 61440 )) in 16384) k=dir ;; 32768) k=file ;; *) k=other ;; esac',
  // A path removed between the two checks is absent, not an error.
  '  elif [ -e "$p" ] || [ -L "$p" ]; then exit 3',
  '  fi',
  'fi',
  '[ "$k" != absent ] || echo absent',
  's=',
  'if [ "$k" = file ] && [ "$c" = 1 ]; then',
  '  if [ "${st##*/}" -ge 8388608 ] && command -v openssl >/dev/null 2>&1; then s=$(openssl dgst -sha256 -r < "$p"); else s=$(sha256sum < "$p"); fi',
  '  s=${s%% *}',
  '  echo "$s"',
  'fi',
];

const STAT_SCRIPT = ['p=$1 c=$2', ...STAT_LINES].join('\n');

// Fails loudly: a stat that cannot run means the target is not what modules assume.
export async function statPath(
  conn: Connection,
  path: string,
  become?: Become,
  opts: { checksum?: boolean } = {},
): Promise<PathStat> {
  const r = await conn.exec(['/bin/sh', '-c', STAT_SCRIPT, 'sh', path, opts.checksum ? '1' : '0'], { become, ownScript: true });
  if (r.rc !== 0) throw commandError(`cannot stat ${path}`, r);
  return parseStat(r.stdout);
}

/** Reads what STAT_LINES printed. */
export function parseStat(stdout: string): PathStat {
  const [head = '', sum] = stdout.trim().split('\n');
  if (head === 'absent') return { exists: false, isDir: false, isFile: false, isLink: false };
  const [rawHex = '0', perms = '0', owner, group, uid, gid, size] = head.split('/');
  const type = parseInt(rawHex, 16) & 0o170000;
  return {
    exists: true,
    isDir: type === 0o040000,
    isFile: type === 0o100000,
    isLink: type === 0o120000,
    mode: normalizeMode(perms),
    owner,
    group,
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size),
    ...(sum ? { sha256: sum } : {}),
  };
}

// '755', '0755' and '00755' all mean the same mode; compare one spelling.
export function normalizeMode(mode: string): string {
  return mode.replace(/^0+(?=\d)/, '').padStart(4, '0');
}

// Runs argv and turns a non-zero rc into a CommandError carrying the output.
export async function run(conn: Connection, argv: string[], become?: Become, stdin?: string | Buffer): Promise<ExecResult> {
  const r = await conn.exec(argv, { become, stdin });
  if (r.rc !== 0) throw commandError(`${argv[0]} failed`, r);
  return r;
}

/** Owner/group wanted on a path; an absent field is left alone. */
export interface Attrs {
  mode?: string;
  owner?: string;
  group?: string;
}

// Attribute differences decide "changed" for file, copy and template alike.
export function attrsDiffer(st: PathStat, want: Attrs): (keyof Attrs)[] {
  const out: (keyof Attrs)[] = [];
  if (want.mode !== undefined && normalizeMode(want.mode) !== st.mode) out.push('mode');
  if (want.owner !== undefined && !sameId(want.owner, st.owner, st.uid)) out.push('owner');
  if (want.group !== undefined && !sameId(want.group, st.group, st.gid)) out.push('group');
  return out;
}

function sameId(want: string, name: string | undefined, id: number | undefined): boolean {
  return /^\d+$/.test(want) ? Number(want) === id : want === name;
}

/** `owner:group`, `owner`, `:group` or '' for chown. */
export function ownerSpec(want: Pick<Attrs, 'owner' | 'group'>): string {
  return `${want.owner ?? ''}${want.group !== undefined ? `:${want.group}` : ''}`;
}

// chmod/chown only what was asked for.
export async function setAttrs(conn: Connection, path: string, want: Attrs, become?: Become): Promise<void> {
  if (want.owner !== undefined || want.group !== undefined) {
    await run(conn, ['chown', '-h', ownerSpec(want), '--', path], become);
  }
  if (want.mode !== undefined) await run(conn, ['chmod', normalizeMode(want.mode), '--', path], become);
}

const APPLY_PATH_SCRIPT = [
  'set -e',
  'case $2 in rm) rm -rf -- "$1" ;; dir) mkdir -p -- "$1" ;; touch) touch -- "$1" ;; esac',
  // chown first: it clears setuid/setgid bits that chmod sets.
  '[ -z "$4" ] || chown -h "$4" -- "$1"',
  '[ -z "$3" ] || chmod "$3" -- "$1"',
].join('\n');

// Remove, create and set attributes in one round trip: every exec costs a channel and a process on the host.
export async function applyPath(
  conn: Connection,
  path: string,
  op: 'rm' | 'dir' | 'touch' | undefined,
  want: Attrs,
  become?: Become,
): Promise<void> {
  const spec = ownerSpec(want);
  const mode = want.mode !== undefined ? normalizeMode(want.mode) : '';
  if (!op && !mode && !spec) return;
  const r = await conn.exec(['/bin/sh', '-c', APPLY_PATH_SCRIPT, 'sh', path, op ?? '', mode, spec], { become, ownScript: true });
  if (r.rc !== 0) throw applyError(path, op, r);
}

/** The error of a failed remove, create or attribute change of `path`. */
export function applyError(path: string, op: 'rm' | 'dir' | 'touch' | undefined, r: ExecResult): CommandError {
  return commandError(`cannot ${op === 'rm' ? 'remove' : op ? 'create' : 'set attributes of'} ${path}`, r);
}

// After STAT_LINES: the old path's mode (4 digits), user and group names and ids, for comparisons.
const FIELD_LINES = [
  'if [ "$k" != absent ]; then set -f; IFS=/; set -- $st; unset IFS; a=000$2; a=${a#"${a%????}"}; U=$3 G=$4 u=$5 gi=$6; fi',
];

// Sets only the wanted attributes that differ (m: 4-digit mode, o: user, g: group; names or ids); chown first, as it
// clears setuid/setgid bits.
const ATTR_FIX_LINES = [
  'co= cg=',
  'if [ -n "$o" ]; then case $o in *[!0-9]*) [ "$o" = "$U" ] ;; *) [ "$o" = "$u" ] ;; esac || co=$o; fi',
  'if [ -n "$g" ]; then case $g in *[!0-9]*) [ "$g" = "$G" ] ;; *) [ "$g" = "$gi" ] ;; esac || cg=$g; fi',
  'if [ -n "$co$cg" ]; then chown -h "$co${cg:+:$cg}" -- "$p" || exit 4; fi',
  'if [ -n "$m" ] && [ "$m" != "$a" ]; then chmod "$m" -- "$p" || exit 4; fi',
];

// The file module's check and apply in one process: prints the path's state as found, then acts only where the
// file module's plan (planned in JS from that same state) would: creates, removes or fixes attributes.
const CONVERGE_PATH_SCRIPT = [
  'p=$1 c=0 want=$2 m=$3 o=$4 g=$5',
  ...STAT_LINES,
  ...FIELD_LINES,
  'if [ "$k" = absent ]; then',
  '  case $want in directory) mkdir -p -- "$p" ;; touch) touch -- "$p" ;; *) exit 0 ;; esac || exit 4',
  '  if [ -n "$o$g" ]; then chown -h "$o${g:+:$g}" -- "$p" || exit 4; fi',
  '  if [ -n "$m" ]; then chmod "$m" -- "$p" || exit 4; fi',
  '  exit 0',
  'fi',
  'case $want in',
  '  absent) rm -rf -- "$p" || exit 4; exit 0 ;;',
  '  directory) [ "$k" = dir ] || exit 0 ;;',
  '  file|touch) [ "$k" != dir ] || exit 0 ;;',
  'esac',
  ...ATTR_FIX_LINES,
].join('\n');

// copy/template's check and apply in one process: prints dest's state as found (with its sha256); when the content
// differs, writes stdin to a private temp file beside dest, checks its sha256, sets owner and mode and renames it
// into place; when only attributes differ, fixes them. A directory, link or device is left alone.
const CONVERGE_WRITE_SCRIPT = [
  'p=$1 c=1 e=$2 m=$3 o=$4 g=$5 t=$6',
  ...STAT_LINES,
  ...FIELD_LINES,
  'if [ "$k" = absent ] || { [ "$k" = file ] && [ "$s" != "$e" ]; }; then',
  '  dir=${p%/*}; [ "$dir" != "$p" ] || dir=.; [ -n "$dir" ] || dir=/',
  '  [ -d "$dir" ] || { echo "the folder $dir does not exist" >&2; exit 4; }',
  '  umask 077',
  `  trap 'rm -f -- "$t"' EXIT`,
  '  cat > "$t" || exit 4',
  '  n=$(sha256sum < "$t") || exit 4',
  '  [ "${n%% *}" = "$e" ] || { echo "the content arrived incomplete (sha256 ${n%% *}, expected $e)" >&2; exit 5; }',
  '  if [ -n "$o$g" ]; then chown "$o${g:+:$g}" -- "$t" || exit 4; fi',
  // Where not asked for, the replaced file keeps its owner (as far as this user may set it) and mode.
  '  if [ "$k" = file ]; then chown "${o:-$u}:${g:-$gi}" -- "$t" 2>/dev/null; fi',
  '  [ -n "$m" ] || { [ "$k" = file ] && m=$a; } || m=0644',
  '  chmod "$m" -- "$t" || exit 4',
  '  mv -f -- "$t" "$p" || exit 4',
  '  trap - EXIT',
  '  exit 0',
  'fi',
  '[ "$k" = file ] || exit 0',
  ...ATTR_FIX_LINES,
].join('\n');

/** What a converge found before it acted; `result` is the exec's (rc 0: done, 3: cannot stat, 4/5: the change failed). */
export interface Converged {
  before: PathStat;
  result: ExecResult;
}

function modeArg(mode: string | undefined): string {
  return mode === undefined ? '' : normalizeMode(mode);
}

// '007' and '7' are the same uid; the script compares ids as strings.
function idArg(id: string | undefined): string {
  return id === undefined ? '' : /^\d+$/.test(id) ? String(Number(id)) : id;
}

/** One round trip: states `path` as the file module wants it (state undefined: keep its type), returning what it found. */
export async function convergePath(
  conn: Connection,
  path: string,
  state: 'directory' | 'file' | 'touch' | 'absent' | undefined,
  want: Attrs,
  become?: Become,
): Promise<Converged> {
  const argv = ['/bin/sh', '-c', CONVERGE_PATH_SCRIPT, 'sh', path, state ?? 'auto', modeArg(want.mode), idArg(want.owner), idArg(want.group)];
  return converged(path, await conn.exec(argv, { become, ownScript: true }));
}

// What a converge script printed before acting; a script that could not even stat the path is an error.
function converged(path: string, result: ExecResult): Converged {
  if (result.rc === 3 || (result.rc !== 0 && !result.stdout)) throw commandError(`cannot stat ${path}`, result);
  return { before: parseStat(result.stdout), result };
}

/** One round trip: makes `dest` hold `content` (sha256 `sha`) with the wanted attributes, returning what it found. */
export async function convergeWrite(
  conn: Connection,
  dest: string,
  content: Buffer,
  sha: string,
  want: Attrs,
  opts: { become?: Become; signal?: AbortSignal } = {},
): Promise<Converged> {
  const tmp = siblingTemp(dest);
  const argv = ['/bin/sh', '-c', CONVERGE_WRITE_SCRIPT, 'sh', dest, sha, modeArg(want.mode), idArg(want.owner), idArg(want.group), tmp];
  let result: ExecResult;
  try {
    result = await conn.exec(argv, { become: opts.become, stdin: content, signal: opts.signal, ownScript: true });
  } catch (err) {
    // Interrupted or timed out: the script was killed before its own cleanup could run.
    await conn.exec(['rm', '-f', '--', tmp], { become: opts.become }).catch(() => undefined);
    throw err;
  }
  return converged(dest, result);
}

// A sibling name nobody else uses, so rename() stays on one file system.
export function siblingTemp(path: string, tag = 'omsrun'): string {
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash + 1) : '';
  return `${dir}.${path.slice(slash + 1)}.${tag}-${randomBytes(6).toString('hex')}`;
}

// Rewrites dest in place (same inode, so a file bind-mounted into a container sees the change): the new content (stdin
// when $7 is 1, else the temp file $2 already uploaded) is staged beside dest and its sha256 checked; a copy of the old
// content is kept; dest is written, synced and read back; on any failure the old content is put back and the reason
// (the system's words, without the shell's prefix) is printed. Signals that end a session are ignored meanwhile.
const IN_PLACE_SCRIPT = [
  'dest=$1 new=$2 want=$3 mode=$4 owner=$5 keep=$6 stdin=$7',
  `trap 'rm -f -- "$new" "$keep"' EXIT`,
  "trap '' HUP INT TERM",
  'umask 077',
  'sum() { out=$(sha256sum < "$1") && echo "${out%% *}"; }',
  'reason() { echo "${1##*: }"; }',
  'if [ "$stdin" = 1 ] && ! err=$(cat 2>&1 >"$new"); then echo "$(reason "$err"); the file is unchanged" >&2; exit 4; fi',
  'got=$(sum "$new") || exit 4',
  '[ "$got" = "$want" ] || { echo "the new content arrived incomplete (sha256 $got, expected $want); the file is unchanged" >&2; exit 5; }',
  'if ! err=$(cat -- "$dest" 2>&1 >"$keep") || ! old=$(sum "$dest") || [ "$(sum "$keep")" != "$old" ]; then',
  '  echo "cannot keep a copy of the old content first${err:+ ($(reason "$err"))}; the file is unchanged" >&2; exit 4',
  'fi',
  'fail=',
  'if ! err=$(cat -- "$new" 2>&1 >"$dest"); then fail=$(reason "${err:-write failed}")',
  'else',
  '  sync -- "$dest" 2>/dev/null',
  '  if [ "$(sum "$dest")" != "$want" ]; then fail="it does not read back as written"',
  '  elif [ -n "$owner" ] && ! err=$(chown -h "$owner" -- "$dest" 2>&1); then fail=$err',
  '  elif [ -n "$mode" ] && ! err=$(chmod "$mode" -- "$dest" 2>&1); then fail=$err',
  '  else exit 0',
  '  fi',
  'fi',
  'if [ "$(sum "$dest")" = "$old" ]; then echo "$fail; the file is unchanged" >&2; exit 4; fi',
  'if cat -- "$keep" >"$dest" 2>/dev/null && [ "$(sum "$dest")" = "$old" ]; then',
  '  echo "$fail; its previous content was put back unchanged" >&2; exit 4',
  'fi',
  `trap 'rm -f -- "$new"' EXIT`,
  'echo "$fail; its previous content could not be put back either: a copy of it is kept in $keep" >&2',
  'exit 6',
].join('\n');

/** Content up to this size travels in the command's stdin; larger content is uploaded first. */
export const STDIN_MAX_BYTES = 64 * 1024;

/**
 * Rewrites an existing file in place, keeping its inode, through a verified temp file; the old content is kept and put
 * back when the write fails, so dest ends holding either the old or the new content, never a part.
 */
export async function rewriteInPlace(
  conn: Connection,
  source: PutSource,
  dest: string,
  sha: string,
  want: Attrs,
  opts: { become?: Become; signal?: AbortSignal } = {},
): Promise<void> {
  const tmp = siblingTemp(dest);
  const keep = siblingTemp(dest, 'omsrun-old');
  const inline = 'content' in source && source.content.length <= STDIN_MAX_BYTES ? Buffer.from(source.content) : undefined;
  try {
    if (!inline) await conn.put(source, tmp, { mode: '0600', become: opts.become, signal: opts.signal, sha256: sha });
    const argv = ['/bin/sh', '-c', IN_PLACE_SCRIPT, 'sh', dest, tmp, sha, modeArg(want.mode), ownerSpec(want), keep, inline ? '1' : '0'];
    const r = await conn.exec(argv, { become: opts.become, signal: opts.signal, stdin: inline, ownScript: true });
    if (r.rc !== 0) throw commandError(`cannot write ${dest}`, r);
  } catch (err) {
    // The script removes its own files; this covers an upload that failed half-way or a script killed before its traps.
    await conn.exec(['rm', '-f', '--', tmp], { become: opts.become }).catch(() => undefined);
    throw err;
  }
}

const PUT_SCRIPT = [
  'tmp=$1; dest=$2; mode=$3; owner=$4',
  `trap 'rm -f -- "$tmp"' EXIT`,
  'umask 077',
  'cat > "$tmp" || exit 1',
  // chown before chmod: chown clears setuid/setgid bits.
  'if [ -n "$owner" ]; then chown "$owner" -- "$tmp" || exit 1',
  'elif [ -f "$dest" ]; then chown --reference="$dest" -- "$tmp" 2>/dev/null; fi',
  'if [ -n "$mode" ]; then chmod "$mode" -- "$tmp" || exit 1',
  'elif [ -f "$dest" ]; then chmod --reference="$dest" -- "$tmp" || exit 1',
  'else chmod 0644 -- "$tmp" || exit 1; fi',
  'sync -- "$tmp" 2>/dev/null',
  'mv -f -- "$tmp" "$dest"',
].join('\n');

// put() for transports (or sudo users) that can only run commands: same atomic temp-then-rename.
export async function putViaExec(conn: Connection, content: Buffer, dest: string, opts: PutOptions = {}): Promise<void> {
  const spec = opts.owner || opts.group ? `${opts.owner ?? ''}${opts.group ? `:${opts.group}` : ''}` : '';
  const argv = ['/bin/sh', '-c', PUT_SCRIPT, 'sh', siblingTemp(dest), dest, opts.mode ?? '', spec];
  const r = await conn.exec(argv, { become: opts.become, stdin: content, signal: opts.signal });
  if (r.rc !== 0) throw commandError(`cannot write ${dest}`, r);
  opts.onProgress?.(content.length, content.length);
}

// get() through a command: base64 keeps binary content intact in a text channel.
export async function getViaExec(conn: Connection, path: string, become?: Become): Promise<Buffer> {
  const r = await conn.exec(['base64', '--', path], { become });
  if (r.rc !== 0) throw commandError(`cannot read ${path}`, r);
  return Buffer.from(r.stdout, 'base64');
}

export function commandError(what: string, r: ExecResult): CommandError {
  const why = r.stderr.trim() || `rc ${r.rc}`;
  return new CommandError(`${what}: ${why}`, r.rc, r.stdout, r.stderr);
}
