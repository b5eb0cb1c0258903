// Reads a path's facts for later `when:` conditions, with the fields Ansible's stat registers; never changes anything.
import { z } from 'zod';
import { commandError } from '../connection/fs-ops.js';
import { defineModule } from './support/module.js';

const ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

const schema = z.strictObject({
  path: z.string().min(1).describe('Path on the host.'),
  follow: z.boolean().default(false).describe('Follow a symlink: the facts are the target\'s.'),
  get_checksum: z.boolean().default(true).describe('Checksum a regular, readable file (`checksum`).'),
  checksum_algorithm: z.enum(ALGORITHMS).default('sha1').describe('Algorithm of `checksum`, as Ansible\'s default: sha1.'),
  get_mime: z.boolean().default(true).describe('`mimetype` and `charset` from the host\'s `file` command (`unknown` without it).'),
  get_attributes: z.boolean().default(true).describe('`attributes`, `attr_flags` and `version` from `lsattr` (left out where lsattr cannot read them).'),
});

type Args = z.infer<typeof schema>;

// One round trip; each fact on its own `key=value` line. A path that vanishes between the tests is absent.
const STAT_FACTS_SCRIPT = [
  'p=$1 follow=$2 alg=$3 mime=$4 attrs=$5 L=',
  '[ "$follow" = 1 ] && L=-L',
  "if ! st=$(stat $L -c '%f|%a|%U|%G|%u|%g|%s|%i|%d|%h|%X|%Y|%Z|%b|%B|%t|%T' -- \"$p\" 2>/dev/null); then",
  '  if [ -L "$p" ] && [ -z "$L" ] || [ -e "$p" ]; then stat $L -- "$p" >/dev/null; exit 3; fi',
  '  echo absent; exit 0',
  'fi',
  'echo "stat=$st"',
  'if [ -z "$L" ] && [ -L "$p" ]; then echo "lnk_target=$(readlink -- "$p")"; echo "lnk_source=$(readlink -f -- "$p")"; fi',
  'r=0 w=0 x=0; [ -r "$p" ] && r=1; [ -w "$p" ] && w=1; [ -x "$p" ] && x=1; echo "access=$r$w$x"',
  'if [ -n "$alg" ] && [ -f "$p" ] && [ -r "$p" ] && { [ -n "$L" ] || [ ! -L "$p" ]; }; then',
  '  sum=$("${alg}sum" < "$p") || exit 4; echo "checksum=${sum%% *}"',
  'fi',
  'if [ "$mime" = 1 ] && command -v file >/dev/null 2>&1; then',
  // One file(1) for both: "text/plain; charset=us-ascii".
  '  m=$(file $L -b --mime -- "$p" 2>/dev/null); c=; case "$m" in *"; charset="*) c=${m##*; charset=};; esac; echo "mimetype=${m%%;*}"; echo "charset=$c"',
  'fi',
  'if [ "$attrs" = 1 ] && a=$(lsattr -vd -- "$p" 2>/dev/null); then echo "lsattr=$a"; fi',
].join('\n');

// lsattr's letters as Ansible names them (module_utils.basic FILE_ATTRIBUTES).
const ATTRIBUTE_NAMES: Record<string, string> = {
  A: 'noatime', a: 'append', c: 'compressed', C: 'nocow', d: 'nodump', D: 'dirsync', e: 'extents', E: 'encrypted',
  h: 'blocksize', i: 'immutable', I: 'indexed', j: 'journalled', N: 'inline', s: 'zero', S: 'synchronous',
  t: 'notail', T: 'blockroot', u: 'undelete', X: 'compressedraw', Z: 'compresseddirty', F: 'casefold', P: 'projinherit', V: 'verity', x: 'dax',
};

const TYPES: [string, number][] = [['isdir', 0o040000], ['ischr', 0o020000], ['isblk', 0o060000], ['isreg', 0o100000], ['isfifo', 0o010000], ['islnk', 0o120000], ['issock', 0o140000]];
const PERMS: [string, number][] = [
  ['rusr', 0o400], ['wusr', 0o200], ['xusr', 0o100], ['rgrp', 0o040], ['wgrp', 0o020], ['xgrp', 0o010], ['roth', 0o004], ['woth', 0o002], ['xoth', 0o001],
  ['isuid', 0o4000], ['isgid', 0o2000],
];

/** The `stat` mapping Ansible registers, from what STAT_FACTS_SCRIPT printed. */
export function parseStatFacts(path: string, stdout: string, args: Pick<Args, 'get_checksum' | 'get_mime'>): Record<string, unknown> {
  if (stdout.trim() === 'absent') return { exists: false, path };
  const facts = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) facts.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const [hex = '0', perms = '0', owner, group, uid, gid, size, inode, dev, nlink, atime, mtime, ctime, blocks, blockSize, major, minor] =
    (facts.get('stat') ?? '').split('|');
  const raw = parseInt(hex, 16);
  const type = raw & 0o170000;
  const access = facts.get('access') ?? '000';
  const out: Record<string, unknown> = {
    exists: true,
    path,
    mode: (parseInt(perms, 8) & 0o7777).toString(8).padStart(4, '0'),
    ...Object.fromEntries(TYPES.map(([k, t]) => [k, type === t])),
    uid: Number(uid), gid: Number(gid), size: Number(size), inode: Number(inode), dev: Number(dev), nlink: Number(nlink),
    atime: Number(atime), mtime: Number(mtime), ctime: Number(ctime),
    ...Object.fromEntries(PERMS.map(([k, bit]) => [k, (raw & bit) !== 0])),
    blocks: Number(blocks), block_size: Number(blockSize),
    pw_name: owner, gr_name: group,
    readable: access[0] === '1', writeable: access[1] === '1', executable: access[2] === '1',
  };
  if (type === 0o020000 || type === 0o060000) out.device_type = parseInt(major ?? '0', 16) * 256 + parseInt(minor ?? '0', 16);
  for (const k of ['lnk_source', 'lnk_target', 'checksum'] as const) if (facts.has(k)) out[k] = facts.get(k);
  if (args.get_mime) {
    out.mimetype = facts.get('mimetype') || 'unknown';
    out.charset = facts.get('charset') || 'unknown';
  }
  const lsattr = facts.get('lsattr')?.trim().split(/\s+/);
  if (lsattr && lsattr.length >= 3) {
    const flags = (lsattr[1] ?? '').replace(/-/g, '');
    out.version = lsattr[0];
    out.attr_flags = flags;
    out.attributes = [...flags].map((f) => ATTRIBUTE_NAMES[f]).filter((n) => n !== undefined);
  }
  return out;
}

export const statModule = defineModule<Args>({
  name: 'stat',
  description: 'Returns facts about a path as Ansible\'s stat does: exists, isdir, isreg, islnk, mode, owner (pw_name), size, mtime, checksum, mimetype, attributes, ...',
  schema,
  argAliases: {
    dest: 'path', name: 'path', checksum: 'checksum_algorithm', checksum_algo: 'checksum_algorithm',
    attr: 'get_attributes', attributes: 'get_attributes', mime: 'get_mime', mime_type: 'get_mime', 'mime-type': 'get_mime',
  },
  readOnly: true,
  check: async (args, ctx) => {
    const argv = [args.path, args.follow ? '1' : '0', args.get_checksum ? args.checksum_algorithm : '', args.get_mime ? '1' : '0', args.get_attributes ? '1' : '0'];
    const r = await ctx.conn.exec(['/bin/sh', '-c', STAT_FACTS_SCRIPT, 'sh', ...argv], { become: ctx.become, ownScript: true });
    if (r.rc !== 0) throw commandError(`cannot stat ${args.path}`, r);
    return { changes: false, outcome: { data: { stat: parseStatFacts(args.path, r.stdout, args) } } };
  },
});
