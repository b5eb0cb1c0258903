// Unpacks a tar (gzip, bzip2, xz) or zip archive into a folder on the host, only when its files differ from what is there.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { attrArgs, commandError, statPath } from '../connection/fs-ops.js';
import { ATTR_LINES } from '../connection/shell-lines.js';
import { attrFields, failed, resolveControllerPath } from './support/common.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';

const schema = z.strictObject({
  src: z.string().min(1).describe('Archive on the controller (the playbook folder, then its files/), copied to the host; with remote_src, a path on the host.'),
  dest: z.string().min(1).describe('Existing folder on the host to unpack into.'),
  remote_src: z.boolean().default(false).describe('src is already on the host.'),
  creates: z.string().min(1).optional().describe('Do nothing when this path exists on the host.'),
  list_files: z.boolean().default(false).describe('Return the paths in the archive as `files`.'),
  exclude: z.array(z.string().min(1)).default([]).describe('Paths or globs in the archive not to unpack (nor compare).'),
  extra_opts: z.array(z.string()).default([]).describe('More options for tar (e.g. --strip-components=1) or unzip, used when listing, comparing and unpacking.'),
  ...attrFields,
});

type Args = z.infer<typeof schema>;

/** Between extra_opts and exclude patterns in the scripts' arguments. */
const EXCLUDES = '--omsrun-excludes';

// "$@" is extra_opts, EXCLUDES, the exclude patterns: rebuilt as $kind's tool wants them (tar: --exclude=P; unzip: the
// options, the archive, then -x P...).
const TOOL_ARGS_LINES = [
  'n=$# i=0 after=0',
  'while [ "$i" -lt "$n" ]; do',
  '  arg=$1; shift; i=$((i + 1))',
  `  if [ "$after" = 0 ] && [ "$arg" = ${EXCLUDES} ]; then`,
  '    after=1; [ "$kind" = tar ] || { set -- "$@" "$src"; [ "$i" -ge "$n" ] || set -- "$@" -x; }',
  '  elif [ "$after" = 1 ] && [ "$kind" = tar ]; then set -- "$@" "--exclude=$arg"',
  '  else set -- "$@" "$arg"; fi',
  'done',
];

// Prints the archive kind (tar or zip), `same` or `differs` for dest against it, then its member paths. tar compares
// with `tar -d` (owners are compared below, mtimes not at all); zip is unpacked into a private folder in dest and
// compared file by file. With a mode, owner or group, each member in dest must have them too.
const PROBE_SCRIPT = [
  'src=$1 dest=$2 mode=$3 owner=$4 group=$5; shift 5',
  'fail() { echo "$2" >&2; exit "$1"; }',
  '[ -d "$dest" ] || fail 4 "$dest is not a folder; unarchive needs an existing dest folder"',
  '[ -f "$src" ] && [ -r "$src" ] || fail 4 "cannot read the archive $src"',
  'if [ "$(head -c 2 -- "$src")" = PK ]; then kind=zip; else kind=tar; fi',
  ...TOOL_ARGS_LINES,
  'state=same',
  'if [ "$kind" = zip ]; then',
  '  command -v unzip >/dev/null 2>&1 || fail 7 "$src is a zip archive and the host has no unzip; install unzip (e.g. with apt or package)"',
  '  list=$(unzip -Z1 "$@" 2>&1) || fail 5 "cannot list $src: $list"',
  '  tmpd=$(mktemp -d "$dest/.omsrun-unzip-XXXXXX") || exit 4',
  `  trap 'rm -rf -- "$tmpd"' EXIT`,
  '  err=$(unzip -qo "$@" -d "$tmpd" 2>&1) || fail 5 "cannot unpack $src: $err"',
  '  found=$(cd "$tmpd" && find . -mindepth 1 \\( -type d -printf "d %P\\n" \\) -o -printf "f %P\\n") || exit 4',
  '  while IFS= read -r entry; do',
  '    rel=${entry#? }',
  '    case $entry in',
  '      "") ;;',
  '      d*) [ -d "$dest/$rel" ] || state=differs ;;',
  '      *) if [ -L "$tmpd/$rel" ]; then [ "$(readlink "$tmpd/$rel")" = "$(readlink "$dest/$rel" 2>/dev/null)" ] || state=differs',
  '         else cmp -s -- "$tmpd/$rel" "$dest/$rel" || state=differs; fi ;;',
  '    esac',
  '  done <<EOF',
  '$found',
  'EOF',
  'else',
  '  list=$(tar -tf "$src" --show-transformed-names "$@" 2>&1) || fail 5 "cannot list $src: $list"',
  '  skip="Uid differs|Gid differs|Mod time differs"; [ -z "$mode" ] || skip="$skip|Mode differs"',
  // A member whose name --strip-components emptied is reported as `tar: : Warning: Cannot stat`: it is dest itself.
  '  diffs=$(LC_ALL=C tar -d -f "$src" -C "$dest" "$@" 2>&1 | grep -Ev -e ": ($skip)\\$" -e "^tar: : Warning: Cannot stat")',
  '  [ -z "$diffs" ] || state=differs',
  'fi',
  'if [ "$state" = same ] && [ -n "$mode$owner$group" ]; then',
  '  while IFS= read -r rel; do',
  '    case $rel in ""|/|.|./) continue ;; esac',
  '    [ -e "$dest/$rel" ] || continue',
  "    set -f; IFS=/; set -- $(stat -c '%a/%U/%G/%u/%g' -- \"$dest/$rel\"); unset IFS; set +f",
  '    m=000$1; m=${m#"${m%????}"}',
  '    { [ -z "$mode" ] || [ "$m" = "$mode" ]; } && { [ -z "$owner" ] || [ "$owner" = "$2" ] || [ "$owner" = "$4" ]; } && { [ -z "$group" ] || [ "$group" = "$3" ] || [ "$group" = "$5" ]; } || state=differs',
  '  done <<EOF',
  '$list',
  'EOF',
  'fi',
  'echo "$kind"; echo "$state"; printf "%s\\n" "$list"',
].join('\n');

// Unpacks into dest, then gives every member the wanted owner, group and mode.
const EXTRACT_SCRIPT = [
  'kind=$1 src=$2 dest=$3 mode=$4 owner=$5 group=$6; shift 6',
  ...ATTR_LINES,
  ...TOOL_ARGS_LINES,
  'if [ "$kind" = zip ]; then err=$(unzip -qo "$@" -d "$dest" 2>&1); else err=$(tar -xf "$src" -C "$dest" "$@" 2>&1); fi || { echo "$err" >&2; exit 5; }',
  '[ -n "$mode$owner$group" ] || exit 0',
  'list=$(if [ "$kind" = zip ]; then unzip -Z1 "$@"; else tar -tf "$src" --show-transformed-names "$@"; fi) || exit 5',
  'while IFS= read -r rel; do',
  '  case $rel in ""|/|.|./) continue ;; esac',
  '  set_attrs "$dest/$rel" "$mode" "$owner" "$group" || exit 4',
  'done <<EOF',
  '$list',
  'EOF',
].join('\n');

const toolArgs = (a: Args): string[] => [...a.extra_opts, EXCLUDES, ...a.exclude];

interface UnarchivePlan {
  kind: 'tar' | 'zip';
  src: string;
  upload?: string;
  files: string[];
}

async function removeUpload(ctx: ModuleContext, upload: string | undefined): Promise<void> {
  if (upload) await ctx.conn.exec(['rm', '-f', '--', upload], { become: ctx.become }).catch(() => undefined);
}

function listed(a: Args, files: string[]): Record<string, unknown> {
  return a.list_files ? { files } : {};
}

export const unarchiveModule = defineModule<Args, UnarchivePlan>({
  name: 'unarchive',
  description: 'Unpacks a tar (.tar, .tar.gz, .tar.bz2, .tar.xz) or zip archive into a folder on the host; changed only when the files in the folder differ from the archive.',
  schema,
  check: async (a, ctx) => {
    if (a.creates !== undefined && (await statPath(ctx.conn, a.creates, ctx.become)).exists) {
      return { changes: false, outcome: { msg: `skipped, since ${a.creates} exists`, data: { dest: a.dest } } };
    }
    let src = a.src;
    let upload: string | undefined;
    if (!a.remote_src) {
      const local = resolveControllerPath(ctx.baseDir, a.src, ['files']);
      if (!local) return { changes: false, outcome: failed(`cannot find the archive ${a.src} on the controller (looked in ${ctx.baseDir} and its files/)`) };
      const dest = await statPath(ctx.conn, a.dest, ctx.become);
      if (!dest.isDir) return { changes: false, outcome: failed(`${a.dest} is not a folder; unarchive needs an existing dest folder`) };
      upload = `${a.dest.replace(/\/+$/, '')}/.omsrun-archive-${randomBytes(6).toString('hex')}`;
      await ctx.conn.put({ localPath: local }, upload, { mode: '0600', become: ctx.become, signal: ctx.signal });
      src = upload;
    }
    try {
      const [mode, owner, group] = attrArgs(a);
      const argv = ['/bin/sh', '-c', PROBE_SCRIPT, 'sh', src, a.dest, mode, owner, group, ...toolArgs(a)];
      const probe = await ctx.conn.exec(argv, { become: ctx.become, signal: ctx.signal, timeoutMs: ctx.timeoutMs, ownScript: true });
      if (probe.rc !== 0) {
        await removeUpload(ctx, upload);
        return { changes: false, outcome: failed(probe.stderr.trim() || commandError(`cannot read ${a.src}`, probe).message) };
      }
      const [kind = 'tar', state, ...files] = probe.stdout.replace(/\n$/, '').split('\n');
      const members = files.filter(Boolean);
      if (state === 'same') {
        await removeUpload(ctx, upload);
        return { changes: false, outcome: { data: { dest: a.dest, src: a.src, ...listed(a, members) } } };
      }
      if (ctx.checkMode) await removeUpload(ctx, upload);
      return { changes: true, summary: `unpack ${a.src} into ${a.dest}`, data: { kind: kind as 'tar' | 'zip', src, upload, files: members } };
    } catch (err) {
      await removeUpload(ctx, upload);
      throw err;
    }
  },
  apply: async (a, plan, ctx): Promise<ModuleOutcome> => {
    if (!plan) throw new Error('unarchive: apply without a plan');
    try {
      const [mode, owner, group] = attrArgs(a);
      const argv = ['/bin/sh', '-c', EXTRACT_SCRIPT, 'sh', plan.kind, plan.src, a.dest, mode, owner, group, ...toolArgs(a)];
      const r = await ctx.conn.exec(argv, { become: ctx.become, signal: ctx.signal, timeoutMs: ctx.timeoutMs, ownScript: true });
      if (r.rc !== 0) return failed(`cannot unpack ${a.src} into ${a.dest}: ${r.stderr.trim() || `rc ${r.rc}`}`);
      return { changed: true, msg: `unpacked ${a.src} into ${a.dest}`, data: { dest: a.dest, src: a.src, ...listed(a, plan.files) } };
    } finally {
      await removeUpload(ctx, plan.upload);
    }
  },
});
