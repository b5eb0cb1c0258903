// File helpers built only on exec/put/get, so modules work the same over any transport.
import { CommandError } from '../core/errors.js';
import type { Attrs, Become, Connection, ExecResult } from './connection.js';
import { ATTR_LINES, FIELD_LINES, STAT_LINES } from './shell-lines.js';

export type { Attrs };

/** What one `stat` of a path on the target says; `mode` is 4 octal digits such as '0644'. */
export interface PathStat extends Attrs {
  exists: boolean;
  isDir: boolean;
  isFile: boolean;
  isLink: boolean;
  uid?: number;
  gid?: number;
  size?: number;
  /** sha256 of a regular file's content, when asked for. */
  sha256?: string;
}

const STAT_SCRIPT = ['path=$1 checksum=$2', ...STAT_LINES].join('\n');

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

const APPLY_PATH_SCRIPT = [
  'path=$1 op=$2 mode=$3 owner=$4 group=$5',
  ...ATTR_LINES,
  'case $op in rm) rm -rf -- "$path" ;; dir) mkdir -p -- "$path" ;; touch) touch -- "$path" ;; esac || exit',
  'set_attrs "$path" "$mode" "$owner" "$group"',
].join('\n');

/** Mode, owner and group as the scripts take them: '' for none, the mode as 4 digits, an id without leading zeros. */
export function attrArgs(want: Attrs): [mode: string, owner: string, group: string] {
  return [want.mode === undefined ? '' : normalizeMode(want.mode), idArg(want.owner), idArg(want.group)];
}

// '007' and '7' are the same id; the scripts compare ids as strings.
function idArg(id: string | undefined): string {
  return id === undefined ? '' : /^\d+$/.test(id) ? String(Number(id)) : id;
}

/** The argv that removes or creates `path` and sets the wanted attributes; undefined when there is nothing to do. */
export function applyArgv(path: string, op: 'rm' | 'dir' | 'touch' | undefined, want: Attrs): string[] | undefined {
  const attrs = attrArgs(want);
  if (!op && attrs.every((a) => a === '')) return undefined;
  return ['/bin/sh', '-c', APPLY_PATH_SCRIPT, 'sh', path, op ?? '', ...attrs];
}

// Remove, create and set attributes in one round trip: every exec costs a channel and a process on the host.
export async function applyPath(
  conn: Pick<Connection, 'exec'>,
  path: string,
  op: 'rm' | 'dir' | 'touch' | undefined,
  want: Attrs,
  become?: Become,
): Promise<void> {
  const argv = applyArgv(path, op, want);
  if (!argv) return;
  const r = await conn.exec(argv, { become, ownScript: true });
  if (r.rc !== 0) throw applyError(path, op, r);
}

/** The error of a failed remove, create or attribute change of `path`. */
export function applyError(path: string, op: 'rm' | 'dir' | 'touch' | undefined, r: ExecResult): CommandError {
  return commandError(`cannot ${op === 'rm' ? 'remove' : op ? 'create' : 'set attributes of'} ${path}`, r);
}

// After STAT_LINES, FIELD_LINES and ATTR_LINES: sets only the wanted attributes ($mode: 4 digits, $owner, $group: names
// or ids) that differ from the old ones.
export const ATTR_FIX_LINES = [
  'fix_mode= fix_owner= fix_group=',
  '[ -z "$mode" ] || [ "$mode" = "$old_mode" ] || fix_mode=$mode',
  'if [ -n "$owner" ]; then case $owner in *[!0-9]*) [ "$owner" = "$old_user" ] ;; *) [ "$owner" = "$old_uid" ] ;; esac || fix_owner=$owner; fi',
  'if [ -n "$group" ]; then case $group in *[!0-9]*) [ "$group" = "$old_group" ] ;; *) [ "$group" = "$old_gid" ] ;; esac || fix_group=$group; fi',
  'set_attrs "$path" "$fix_mode" "$fix_owner" "$fix_group" || exit 4',
];

// The file module's check and apply in one process: prints the path's state as found, then acts only where the
// file module's plan (planned in JS from that same state) would: creates, removes or fixes attributes.
const CONVERGE_PATH_SCRIPT = [
  'path=$1 checksum=0 state=$2 mode=$3 owner=$4 group=$5',
  ...STAT_LINES,
  ...FIELD_LINES,
  ...ATTR_LINES,
  'if [ "$kind" = absent ]; then',
  '  case $state in directory) mkdir -p -- "$path" ;; touch) touch -- "$path" ;; *) exit 0 ;; esac || exit 4',
  '  set_attrs "$path" "$mode" "$owner" "$group" || exit 4',
  '  exit 0',
  'fi',
  'case $state in',
  '  absent) rm -rf -- "$path" || exit 4; exit 0 ;;',
  '  directory) [ "$kind" = dir ] || exit 0 ;;',
  '  file|touch) [ "$kind" != dir ] || exit 0 ;;',
  'esac',
  ...ATTR_FIX_LINES,
].join('\n');

/** What a converge found before it acted; `result` is the exec's (rc 0: done, 3: cannot stat, 4/5: the change failed). */
export interface Converged {
  before: PathStat;
  result: ExecResult;
}

/** One round trip: states `path` as the file module wants it (state undefined: keep its type), returning what it found. */
export async function convergePath(
  conn: Connection,
  path: string,
  state: 'directory' | 'file' | 'touch' | 'absent' | undefined,
  want: Attrs,
  become?: Become,
): Promise<Converged> {
  const argv = ['/bin/sh', '-c', CONVERGE_PATH_SCRIPT, 'sh', path, state ?? 'auto', ...attrArgs(want)];
  return converged(path, await conn.exec(argv, { become, ownScript: true }));
}

/** What a converge script printed before acting; a script that could not even stat the path is an error. */
export function converged(path: string, result: ExecResult): Converged {
  if (result.rc === 3 || (result.rc !== 0 && !result.stdout)) throw commandError(`cannot stat ${path}`, result);
  return { before: parseStat(result.stdout), result };
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
