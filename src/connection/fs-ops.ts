// File helpers built only on exec/put/get, so modules work the same over any transport.
import { randomBytes } from 'node:crypto';
import { CommandError } from '../core/errors.js';
import type { Become, Connection, ExecResult, PutOptions } from './connection.js';

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

const STAT_SCRIPT = [
  'if [ ! -e "$1" ] && [ ! -L "$1" ]; then echo absent; exit 0; fi',
  // A path removed between the two checks is absent, not an error.
  `st=$(stat -c '%f/%a/%U/%G/%u/%g/%s' -- "$1") || { [ -e "$1" ] || [ -L "$1" ] || { echo absent; exit 0; }; exit 3; }`,
  'echo "$st"',
  '[ "$2" = 1 ] && [ -f "$1" ] && [ ! -L "$1" ] || exit 0',
  'if [ "${st##*/}" -ge 8388608 ] && command -v openssl >/dev/null 2>&1; then s=$(openssl dgst -sha256 -r < "$1"); else s=$(sha256sum < "$1"); fi',
  'echo "${s%% *}"',
].join('\n');

// Fails loudly: a stat that cannot run means the target is not what modules assume.
export async function statPath(
  conn: Connection,
  path: string,
  become?: Become,
  opts: { checksum?: boolean } = {},
): Promise<PathStat> {
  const r = await conn.exec(['/bin/sh', '-c', STAT_SCRIPT, 'sh', path, opts.checksum ? '1' : '0'], { become });
  if (r.rc !== 0) throw commandError(`cannot stat ${path}`, r);
  const [head = '', sum] = r.stdout.trim().split('\n');
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

// chmod/chown only what was asked for.
export async function setAttrs(conn: Connection, path: string, want: Attrs, become?: Become): Promise<void> {
  if (want.mode !== undefined) await run(conn, ['chmod', normalizeMode(want.mode), '--', path], become);
  if (want.owner !== undefined || want.group !== undefined) {
    const spec = `${want.owner ?? ''}${want.group !== undefined ? `:${want.group}` : ''}`;
    await run(conn, ['chown', '-h', spec, '--', path], become);
  }
}

const APPLY_PATH_SCRIPT = [
  'set -e',
  'case $2 in rm) rm -rf -- "$1" ;; dir) mkdir -p -- "$1" ;; touch) touch -- "$1" ;; esac',
  '[ -z "$3" ] || chmod "$3" -- "$1"',
  '[ -z "$4" ] || chown -h "$4" -- "$1"',
].join('\n');

// Remove, create and set attributes in one round trip: every exec costs a channel and a process on the host.
export async function applyPath(
  conn: Connection,
  path: string,
  op: 'rm' | 'dir' | 'touch' | undefined,
  want: Attrs,
  become?: Become,
): Promise<void> {
  const spec = want.owner !== undefined || want.group !== undefined ? `${want.owner ?? ''}${want.group !== undefined ? `:${want.group}` : ''}` : '';
  const mode = want.mode !== undefined ? normalizeMode(want.mode) : '';
  if (!op && !mode && !spec) return;
  const r = await conn.exec(['/bin/sh', '-c', APPLY_PATH_SCRIPT, 'sh', path, op ?? '', mode, spec], { become });
  if (r.rc !== 0) throw commandError(`cannot ${op === 'rm' ? 'remove' : op ? 'create' : 'set attributes of'} ${path}`, r);
}

// A sibling name nobody else uses, so rename() stays on one file system.
export function siblingTemp(path: string, tag = 'omsrun'): string {
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash + 1) : '';
  return `${dir}.${path.slice(slash + 1)}.${tag}-${randomBytes(6).toString('hex')}`;
}

const PUT_SCRIPT = [
  'tmp=$1; dest=$2; mode=$3; owner=$4',
  `trap 'rm -f -- "$tmp"' EXIT`,
  'umask 077',
  'cat > "$tmp" || exit 1',
  'if [ -n "$mode" ]; then chmod "$mode" -- "$tmp" || exit 1',
  'elif [ -f "$dest" ]; then chmod --reference="$dest" -- "$tmp" || exit 1',
  'else chmod 0644 -- "$tmp" || exit 1; fi',
  'if [ -n "$owner" ]; then chown "$owner" -- "$tmp" || exit 1',
  'elif [ -f "$dest" ]; then chown --reference="$dest" -- "$tmp" 2>/dev/null; fi',
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

function commandError(what: string, r: ExecResult): CommandError {
  const why = r.stderr.trim() || `rc ${r.rc}`;
  return new CommandError(`${what}: ${why}`, r.rc, r.stdout, r.stderr);
}
