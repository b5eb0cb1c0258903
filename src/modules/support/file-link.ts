// file's state link and hard: one script looks at the path and decides (the one place the rules live); with act=1 it
// also makes the link (a temp link renamed over the path, so the path is never missing) or fixes its owner.
import { ATTR_FIX_LINES, attrArgs, attrsDiffer, commandError, parseStat, type Attrs, type PathStat } from '../../connection/fs-ops.js';
import { siblingTemp } from '../../connection/replace-file.js';
import { ATTR_LINES, FIELD_LINES, STAT_LINES } from '../../connection/shell-lines.js';
import type { FileDiff } from '../../core/result.js';
import type { ModuleContext, ModuleOutcome, Plan } from './module.js';

const LINK_SCRIPT = [
  'path=$1 src=$2 type=$3 force=$4 act=$5 tmp=$6 mode=$7 owner=$8 group=$9 checksum=0',
  ...STAT_LINES,
  ...FIELD_LINES,
  ...ATTR_LINES,
  'case $src in /*) abs=$src ;; *) case $path in */*) abs=${path%/*}/$src ;; *) abs=$src ;; esac ;; esac',
  'cur=; [ ! -L "$path" ] || cur=$(readlink -- "$path")',
  'verdict=create',
  'if [ "$type" = link ]; then',
  '  if [ -L "$path" ]; then [ "$cur" != "$src" ] || verdict=ok',
  '  elif [ -d "$path" ]; then if [ -n "$(ls -A -- "$path")" ]; then verdict=fail:dir; elif [ "$force" != 1 ]; then verdict=fail:emptydir; fi',
  '  elif [ -e "$path" ]; then [ "$force" = 1 ] || verdict=fail:file',
  '  fi',
  '  [ "$verdict" != create ] || [ -e "$abs" ] || [ "$force" = 1 ] || verdict=fail:nosrc',
  'elif [ ! -e "$abs" ] || [ -d "$abs" ]; then verdict=fail:nosrc',
  'elif [ -L "$path" ]; then :',
  'elif [ -d "$path" ]; then verdict=fail:dir',
  'elif [ -e "$path" ]; then if [ "$path" -ef "$abs" ]; then verdict=ok; elif [ "$force" != 1 ]; then verdict=fail:file; fi',
  'fi',
  'echo "$verdict"',
  'echo "$cur"',
  'case $act$verdict in 1ok) ;; 1create) ;; *) exit 0 ;; esac',
  'if [ "$verdict" = create ]; then',
  `  trap 'rm -f -- "$tmp"' EXIT`,
  '  if [ -d "$path" ] && [ ! -L "$path" ]; then rmdir -- "$path" || exit 4; fi',
  '  if [ "$type" = link ]; then ln -s -- "$src" "$tmp" || exit 4; else ln -- "$abs" "$tmp" || exit 4; fi',
  '  mv -fT -- "$tmp" "$path" || exit 4',
  '  trap - EXIT',
  '  set_attrs "$path" "$mode" "$owner" "$group" || exit 4',
  '  exit 0',
  'fi',
  ...ATTR_FIX_LINES,
].join('\n');

export interface LinkArgs extends Attrs {
  path: string;
  src?: string;
  state?: string;
  force: boolean;
}

/** What the script found: the path's stat, its verdict and the link's current target. */
export interface LinkFound {
  before: PathStat;
  verdict: string;
  current: string;
}

// Mode is for the file a hard link shares; a symlink's own mode means nothing on Linux and chmod would follow it.
function wanted(a: LinkArgs): Attrs {
  return { mode: a.state === 'hard' ? a.mode : undefined, owner: a.owner, group: a.group };
}

/** Looks at the path (act false) or also makes the link or fixes its owner (act true), in one command. */
export async function runLink(ctx: ModuleContext, a: LinkArgs, act: boolean): Promise<LinkFound> {
  const type = a.state === 'hard' ? 'hard' : 'link';
  const argv = ['/bin/sh', '-c', LINK_SCRIPT, 'sh', a.path, a.src ?? '', type, a.force ? '1' : '0', act ? '1' : '0', siblingTemp(a.path), ...attrArgs(wanted(a))];
  const r = await ctx.conn.exec(argv, { become: ctx.become, ownScript: true, signal: ctx.signal });
  const lines = r.stdout.split('\n');
  if (r.rc === 3 || lines.length < 3) throw commandError(`cannot stat ${a.path}`, r);
  const found = { before: parseStat(lines[0]!), verdict: lines[1]!, current: lines[2]! };
  if (r.rc !== 0) throw commandError(`cannot ${found.verdict === 'create' ? 'make the link' : 'set attributes of'} ${a.path}`, r);
  return found;
}

function refusal(a: LinkArgs, verdict: string): string {
  const what = a.state === 'hard' ? 'a hard link' : 'a link';
  switch (verdict) {
    case 'fail:file':
      return `${a.path} exists and is not ${what} to ${a.src}; set force: true to replace it`;
    case 'fail:emptydir':
      return `${a.path} is an empty folder; set force: true to replace it with ${what}`;
    case 'fail:dir':
      return `${a.path} is a folder; ${what} cannot replace it`;
    default:
      return a.state === 'hard'
        ? `src ${a.src} does not exist or is a folder; a hard link needs an existing file`
        : `src ${a.src} does not exist (relative to the link's folder); set force: true to make the link anyway`;
  }
}

const describeLink = (kind: string, target: string | undefined) => `state: ${kind}${target ? `\nsrc: ${target}` : ''}\n`;

function kindOf(f: LinkFound): string {
  const st = f.before;
  return !st.exists ? 'absent' : st.isLink ? 'link' : st.isDir ? 'directory' : st.isFile ? 'file' : 'other';
}

/** The plan from what the script found; check mode shows it, converge reports it. */
export function planLink(a: LinkArgs, f: LinkFound): Plan<undefined> {
  const state = a.state === 'hard' ? 'hard' : 'link';
  const data = { path: a.path, state, src: a.src };
  if (f.verdict.startsWith('fail:')) return { changes: false, outcome: { failed: true, msg: refusal(a, f.verdict) } };
  if (f.verdict === 'create') {
    const diff: FileDiff[] = [{ path: a.path, before: describeLink(kindOf(f), f.current || undefined), after: describeLink(state, a.src) }];
    return { changes: true, summary: `${state === 'hard' ? 'hard link' : 'link'} ${a.path} -> ${a.src}`, diff };
  }
  const keys = attrsDiffer(f.before, wanted(a));
  if (keys.length === 0) return { changes: false, outcome: { data } };
  const want = wanted(a);
  const before = keys.map((k) => `${k}: ${f.before[k]}\n`).join('');
  const after = keys.map((k) => `${k}: ${want[k]}\n`).join('');
  return { changes: true, summary: `set ${keys.map((k) => `${k} ${want[k]}`).join(', ')} on ${a.path}`, diff: [{ path: a.path, before, after }] };
}

// The link made (or its owner fixed) in one command: what it found decides the outcome, as check would have.
export async function convergeLink(ctx: ModuleContext, a: LinkArgs): Promise<ModuleOutcome> {
  const plan = planLink(a, await runLink(ctx, a, true));
  if (!plan.changes) return { changed: false, ...plan.outcome };
  return { changed: true, data: { path: a.path, state: a.state, src: a.src } };
}
