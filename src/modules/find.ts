// Lists a host's files by name, type, age, size and content, as Ansible's find does; reads only.
import { posix } from 'node:path';
import { z } from 'zod';
import { commandError } from '../connection/fs-ops.js';
import { globRegex } from '../core/glob.js';
import { defineModule, type ModuleContext } from './support/module.js';
import { pythonRegex } from './support/python-regex.js';

const AGE = /^(-?\d+)(s|m|h|d|w)?$/;
const SIZE = /^(-?\d+)(b|k|m|g|t)?$/;
const AGE_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZE_UNIT: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

const list = z.array(z.string().min(1));

const schema = z
  .strictObject({
    paths: list.min(1).describe('Folders to search on the host.'),
    patterns: list.default([]).describe('Globs (or, with use_regex, Python regular expressions) the base name must match; any one will do. Default: every name.'),
    excludes: list.optional().describe('Globs (or regular expressions) of base names to leave out.'),
    use_regex: z.boolean().default(false).describe('patterns and excludes are regular expressions matched at the start of the name, not globs.'),
    contains: z.string().min(1).optional().describe('Regular expression a line of a regular file must match (at its start, as Python\'s re.match); needs GNU grep -P on the host.'),
    file_type: z.enum(['file', 'directory', 'link', 'any']).default('file').describe('Kind of entry to return (any: files and folders).'),
    recurse: z.boolean().default(false).describe('Descend into sub-folders.'),
    depth: z.number().int().min(1).optional().describe('With recurse, the deepest level to look at (1: the folder\'s own entries).'),
    hidden: z.boolean().default(false).describe('Include names that start with a dot.'),
    age: z.string().regex(AGE, 'expected an age such as 3d, -2h or 600 (s, m, h, d, w)').optional().describe('At least this old; negative: at most this old (s, m, h, d, w; default seconds).'),
    age_stamp: z.enum(['mtime', 'atime', 'ctime']).default('mtime').describe('Which time age compares.'),
    size: z.string().regex(SIZE, 'expected a size such as 10m, -1k or 512 (b, k, m, g, t)').optional().describe('Files at least this big; negative: at most this big (b, k, m, g, t; default bytes).'),
    follow: z.boolean().default(false).describe('Follow symbolic links (to folders too).'),
  })
  .superRefine((a, ctx) => {
    if (!a.use_regex) return;
    for (const key of ['patterns', 'excludes'] as const) {
      (a[key] ?? []).forEach((p, i) => {
        try {
          pythonRegex(p);
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: [key, i], message: `expected a regular expression: ${(err as Error).message}`, input: p });
        }
      });
    }
  });

type Args = z.infer<typeof schema>;

// Prints the host's clock, then per folder either its entries (14 NUL-ended fields each; -H: a folder given as a link is
// searched, links under it are not followed; -L: every link is) or `skip` and the folder.
export const FIND_SCRIPT = [
  'links=$1 maxdepth=$2; shift 2',
  "printf '%s\\0' \"$(date +%s)\"",
  'for p; do',
  "  if [ -d \"$p\" ]; then find \"$links\" \"$p\" -mindepth 1 ${maxdepth:+-maxdepth \"$maxdepth\"} -printf '%y\\0%m\\0%U\\0%G\\0%u\\0%g\\0%s\\0%i\\0%D\\0%n\\0%A@\\0%T@\\0%C@\\0%p\\0'",
  "  else printf 'skip\\0%s\\0' \"$p\"; fi",
  'done',
  'exit 0',
].join('\n');

// Prints (NUL-ended) the files read from stdin that have a line starting with a match of $1.
export const CONTAINS_SCRIPT = [
  'echo | grep -qP "" 2>/dev/null || { echo "contains needs grep -P (GNU grep with PCRE), which this host lacks" >&2; exit 2; }',
  'xargs -0 -r grep -lZP -e "^(?:$1)" -- 2>/dev/null',
  'rc=$?; [ "$rc" -eq 0 ] || [ "$rc" -eq 123 ]',
].join('\n');

const FIELDS = 14;

interface Entry {
  type: string;
  path: string;
  name: string;
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  size: number;
  inode: number;
  dev: number;
  nlink: number;
  atime: number;
  mtime: number;
  ctime: number;
}

/** What the find script printed: the host's clock, the entries, the folders that were not folders. */
export function parseFind(stdout: string): { now: number; entries: Entry[]; skipped: string[] } {
  const parts = stdout.split('\0');
  const now = Number(parts[0]);
  const entries: Entry[] = [];
  const skipped: string[] = [];
  let i = 1;
  while (i < parts.length - 1) {
    if (parts[i] === 'skip') {
      skipped.push(parts[i + 1] ?? '');
      i += 2;
      continue;
    }
    const f = parts.slice(i, i + FIELDS);
    i += FIELDS;
    const path = posix.normalize(f[13] ?? '');
    entries.push({
      type: f[0] ?? '', mode: parseInt(f[1] ?? '0', 8), uid: Number(f[2]), gid: Number(f[3]), owner: f[4] ?? '', group: f[5] ?? '',
      size: Number(f[6]), inode: Number(f[7]), dev: Number(f[8]), nlink: Number(f[9]), atime: Number(f[10]), mtime: Number(f[11]),
      ctime: Number(f[12]), path, name: posix.basename(path),
    });
  }
  return { now, entries, skipped };
}

function amount(text: string, re: RegExp, units: Record<string, number>, fallback: string): number {
  const m = re.exec(text)!;
  return Number(m[1]) * (units[m[2] ?? fallback] ?? 1);
}

// Ansible's pfilter: a name matches one of the patterns and none of the excludes.
function nameFilter(a: Args): (name: string) => boolean {
  const compile = (p: string): RegExp => (a.use_regex ? pythonRegex(p) : globRegex(p));
  const matches = (res: RegExp[], name: string): boolean => res.some((re) => (a.use_regex ? re.exec(name)?.index === 0 : re.test(name)));
  const patterns = (a.patterns.length ? a.patterns : [a.use_regex ? '.*' : '*']).map(compile);
  const excludes = (a.excludes ?? []).map(compile);
  return (name) => matches(patterns, name) && !matches(excludes, name);
}

function wanted(a: Args, now: number): (e: Entry) => boolean {
  const named = nameFilter(a);
  const age = a.age === undefined ? undefined : amount(a.age, AGE, AGE_UNIT, 's');
  const size = a.size === undefined ? undefined : amount(a.size, SIZE, SIZE_UNIT, 'b');
  const aged = (e: Entry): boolean => age === undefined || (age >= 0 ? now - e[a.age_stamp] >= age : now - e[a.age_stamp] <= -age);
  const sized = (e: Entry): boolean => size === undefined || (size >= 0 ? e.size >= size : e.size <= -size);
  return (e) => {
    if (!a.hidden && e.name.startsWith('.')) return false;
    if (!named(e.name) || !aged(e)) return false;
    if (e.type === 'd') return a.file_type === 'directory' || a.file_type === 'any';
    if (e.type === 'f') return (a.file_type === 'file' || a.file_type === 'any') && sized(e);
    if (e.type === 'l') return a.file_type === 'link';
    return false;
  };
}

// Ansible's statinfo for one entry.
function fileInfo(e: Entry): Record<string, unknown> {
  const bit = (b: number): boolean => (e.mode & b) !== 0;
  return {
    path: e.path, mode: (e.mode & 0o7777).toString(8).padStart(4, '0'),
    isdir: e.type === 'd', isreg: e.type === 'f', islnk: e.type === 'l', ischr: e.type === 'c', isblk: e.type === 'b', isfifo: e.type === 'p', issock: e.type === 's',
    uid: e.uid, gid: e.gid, size: e.size, inode: e.inode, dev: e.dev, nlink: e.nlink, atime: e.atime, mtime: e.mtime, ctime: e.ctime,
    pw_name: e.owner, gr_name: e.group,
    rusr: bit(0o400), wusr: bit(0o200), xusr: bit(0o100), rgrp: bit(0o40), wgrp: bit(0o20), xgrp: bit(0o10), roth: bit(0o4), woth: bit(0o2), xoth: bit(0o1),
    isuid: bit(0o4000), isgid: bit(0o2000),
  };
}

async function containing(ctx: ModuleContext, pattern: string, files: Entry[]): Promise<Set<string>> {
  if (files.length === 0) return new Set();
  const stdin = files.map((f) => `${f.path}\0`).join('');
  const r = await ctx.conn.exec(['/bin/sh', '-c', CONTAINS_SCRIPT, 'sh', pattern], { become: ctx.become, stdin, signal: ctx.signal, timeoutMs: ctx.timeoutMs });
  if (r.rc !== 0) throw commandError('cannot search the files for contains', r);
  return new Set(r.stdout.split('\0').filter(Boolean).map((p) => posix.normalize(p)));
}

export const findModule = defineModule<Args>({
  name: 'find',
  description: 'Returns the files under folders on the host that match names, type, age, size and content (`files`, `matched`, `examined`); changes nothing.',
  schema,
  argAliases: { path: 'paths', name: 'paths', pattern: 'patterns', exclude: 'excludes' },
  readOnly: true,
  check: async (args, ctx) => {
    const maxdepth = args.recurse ? (args.depth === undefined ? '' : String(args.depth)) : '1';
    const argv = ['/bin/sh', '-c', FIND_SCRIPT, 'sh', args.follow ? '-L' : '-H', maxdepth, ...args.paths];
    const r = await ctx.conn.exec(argv, { become: ctx.become, signal: ctx.signal, timeoutMs: ctx.timeoutMs, ownScript: true });
    if (r.rc !== 0) throw commandError(`cannot search ${args.paths.join(', ')}`, r);
    for (const line of r.stderr.trim().split('\n').filter(Boolean)) ctx.warn(line);
    const { now, entries, skipped } = parseFind(r.stdout);
    let found = entries.filter(wanted(args, now));
    if (args.contains !== undefined) {
      const files = found.filter((e) => e.type === 'f');
      const hits = await containing(ctx, args.contains, files);
      found = found.filter((e) => e.type !== 'f' || hits.has(e.path));
    }
    found.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    const skipped_paths = Object.fromEntries(skipped.map((p) => [p, `${p} was skipped as it does not seem to be a valid directory or it cannot be accessed`]));
    const data = { files: found.map(fileInfo), matched: found.length, examined: entries.length, skipped_paths };
    return { changes: false, outcome: { ...(skipped.length ? { msg: 'Not all paths examined, see skipped_paths' } : {}), data } };
  },
});
