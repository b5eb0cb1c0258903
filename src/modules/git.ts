// Keeps a checkout of a git repository at a version on the host: cloned or moved only when its HEAD would move.
import { z } from 'zod';
import { commandError } from '../connection/fs-ops.js';
import { failed } from './support/common.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';

const COMMIT = /^[0-9a-f]{7,40}$/i;

const schema = z.strictObject({
  repo: z.string().min(1).describe('Repository URL (https, ssh, git, file:// or a path on the host).'),
  dest: z.string().min(1).describe('Folder of the checkout on the host.'),
  version: z.string().min(1).default('HEAD').describe('Branch, tag or commit to check out; HEAD: the remote default branch.'),
  force: z.boolean().default(false).describe('Discard local changes of tracked files to move the checkout; without it such changes fail the task.'),
  depth: z.number().int().positive().optional().describe('Clone and fetch only this many commits of history.'),
  update: z.boolean().default(true).describe('Move an existing checkout to the version (false: leave it where it is).'),
  clone: z.boolean().default(true).describe('Clone when dest holds no checkout (false: leave it absent).'),
});

type Args = z.infer<typeof schema>;

// Prints whether git is there, the checkout's HEAD (or `absent`), whether tracked files have changes, then what the
// remote says of the version (`git ls-remote`, with the default branch's name for HEAD).
const PROBE_SCRIPT = [
  'repo=$1 dest=$2 version=$3 lookup=$4',
  'command -v git >/dev/null 2>&1 || { echo "git is not installed on the host; install git (e.g. with apt or package)" >&2; exit 7; }',
  'if head=$(git -C "$dest" rev-parse --verify -q HEAD 2>/dev/null) && [ "$(git -C "$dest" rev-parse --show-toplevel 2>/dev/null)" -ef "$dest" ]; then',
  '  echo "$head"',
  '  if [ -n "$(git -C "$dest" status --porcelain --untracked-files=no)" ]; then echo dirty; else echo clean; fi',
  'else echo absent; echo clean; fi',
  '[ "$lookup" = 1 ] || exit 0',
  'if [ "$version" = HEAD ]; then git ls-remote --symref -- "$repo" HEAD',
  'else git ls-remote -- "$repo" "refs/heads/$version" "refs/tags/$version" "refs/tags/$version^{}"; fi',
].join('\n');

// Clones into dest or moves the checkout to $target ($kind branch: the branch $name reset there; else a detached HEAD),
// then prints the new HEAD.
const APPLY_SCRIPT = [
  'mode=$1 repo=$2 dest=$3 kind=$4 name=$5 target=$6 depth=$7 force=$8',
  'if [ "$mode" = clone ]; then',
  '  if [ "$kind" = commit ]; then git clone ${depth:+--depth "$depth"} -- "$repo" "$dest" || exit',
  '  else git clone ${depth:+--depth "$depth"} --branch "$name" -- "$repo" "$dest" || exit; fi',
  'else',
  '  git -C "$dest" fetch --tags ${depth:+--depth "$depth"} -- "$repo" "+refs/heads/*:refs/remotes/origin/*" || exit',
  'fi',
  'if [ "$kind" = commit ] && ! git -C "$dest" cat-file -e "$target^{commit}" 2>/dev/null; then git -C "$dest" fetch ${depth:+--depth "$depth"} -- "$repo" "$target" || exit; fi',
  'if [ "$kind" = branch ]; then git -C "$dest" checkout -q ${force:+--force} -B "$name" "$target" || exit',
  'else git -C "$dest" checkout -q ${force:+--force} --detach "$target" || exit; fi',
  'git -C "$dest" rev-parse HEAD',
].join('\n');

interface Target {
  kind: 'branch' | 'tag' | 'commit';
  name: string;
  sha: string;
}

/** What `git ls-remote` said of the version: its kind, name and commit (a tag's peeled commit). */
export function parseLsRemote(version: string, stdout: string): Target | undefined {
  const refs = new Map<string, string>();
  let headBranch: string | undefined;
  for (const line of stdout.split('\n')) {
    const sym = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (sym) headBranch = sym[1];
    const [sha, ref] = line.split('\t');
    if (sha && ref && !line.startsWith('ref: ')) refs.set(ref, sha);
  }
  if (version === 'HEAD') {
    const sha = refs.get('HEAD');
    return sha ? (headBranch ? { kind: 'branch', name: headBranch, sha } : { kind: 'commit', name: sha, sha }) : undefined;
  }
  const branch = refs.get(`refs/heads/${version}`);
  if (branch) return { kind: 'branch', name: version, sha: branch };
  const tag = refs.get(`refs/tags/${version}^{}`) ?? refs.get(`refs/tags/${version}`);
  return tag ? { kind: 'tag', name: version, sha: tag } : undefined;
}

interface GitPlan {
  mode: 'clone' | 'update';
  target: Target;
  before: string | null;
}

async function probe(a: Args, ctx: ModuleContext, lookup: boolean) {
  const argv = ['/bin/sh', '-c', PROBE_SCRIPT, 'sh', a.repo, a.dest, a.version, lookup ? '1' : '0'];
  const r = await ctx.conn.exec(argv, { become: ctx.become, env: ctx.env, signal: ctx.signal, timeoutMs: ctx.timeoutMs, ownScript: true });
  if (r.rc !== 0) return { error: r.rc === 7 ? r.stderr.trim() : commandError(`cannot read ${a.repo}`, r).message };
  const [head = 'absent', dirty = 'clean', ...remote] = r.stdout.split('\n');
  return { before: head === 'absent' ? null : head, dirty: dirty === 'dirty', remote: remote.join('\n') };
}

export const gitModule = defineModule<Args, GitPlan>({
  name: 'git',
  description: 'Clones a git repository on the host and keeps it at a branch, tag or commit; changed only when the checkout\'s HEAD moves.',
  schema,
  argAliases: { name: 'repo' },
  check: async (a, ctx) => {
    const commit = COMMIT.test(a.version);
    const found = await probe(a, ctx, !commit);
    if ('error' in found) return { changes: false, outcome: failed(found.error as string) };
    const { before, dirty } = found;
    const data = (after: string | null) => ({ before, after, remote_url_changed: false });
    if (before === null && !a.clone) return { changes: false, outcome: { msg: `${a.dest} holds no checkout and clone is false`, data: data(null) } };
    if (before !== null && !a.update) return { changes: false, outcome: { data: data(before) } };
    const target = commit ? { kind: 'commit' as const, name: a.version, sha: a.version.toLowerCase() } : parseLsRemote(a.version, found.remote);
    if (!target) return { changes: false, outcome: failed(`version ${a.version} is neither a branch nor a tag of ${a.repo}`, { data: data(before) }) };
    if (before !== null && before.startsWith(target.sha)) return { changes: false, outcome: { data: data(before) } };
    if (before !== null && dirty && !a.force) {
      return { changes: false, outcome: failed(`${a.dest} has local modifications; commit or discard them, or set force: true to drop them`, { data: data(before) }) };
    }
    const mode = before === null ? 'clone' : 'update';
    return { changes: true, summary: `${mode === 'clone' ? 'clone' : 'move'} ${a.dest} to ${a.version} (${target.sha.slice(0, 12)})`, data: { mode, target, before } };
  },
  apply: async (a, plan, ctx): Promise<ModuleOutcome> => {
    if (!plan) throw new Error('git: apply without a plan');
    const { mode, target, before } = plan;
    const argv = ['/bin/sh', '-c', APPLY_SCRIPT, 'sh', mode, a.repo, a.dest, target.kind, target.name, target.sha, a.depth === undefined ? '' : String(a.depth), a.force ? '1' : ''];
    const r = await ctx.conn.exec(argv, { become: ctx.become, env: ctx.env, signal: ctx.signal, timeoutMs: ctx.timeoutMs, onLine: (s, l) => ctx.log(l, s) });
    if (r.rc !== 0) return failed(`cannot ${mode === 'clone' ? 'clone' : 'update'} ${a.dest}: ${r.stderr.trim().split('\n').slice(-3).join('\n') || `rc ${r.rc}`}`, { data: { before, after: before } });
    const after = r.stdout.trim().split('\n').at(-1) ?? '';
    return { changed: after !== before, msg: `${mode === 'clone' ? 'cloned' : 'moved'} ${a.dest} to ${a.version}`, data: { before, after, remote_url_changed: false } };
  },
});
