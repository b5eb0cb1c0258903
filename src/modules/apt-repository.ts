// One APT source line present or absent across /etc/apt/sources.list and sources.list.d/*.list, with Ansible's rules.
import { z } from 'zod';
import { applyPath, run } from '../connection/fs-ops.js';
import type { FileDiff } from '../core/result.js';
import { aptBackend, DEFAULT_LOCK_TIMEOUT } from './support/apt-backend.js';
import { failed, isFatal, modeSchema } from './support/common.js';
import { applyEdit, planEdit, readText, splitLines, type EditPlan, type FileText } from './support/edit-file.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';
import { sha256 } from './support/write-file.js';

const SOURCES_LIST = '/etc/apt/sources.list';
const SOURCES_DIR = '/etc/apt/sources.list.d';
const VALID_TYPES = ['deb', 'deb-src'];

const schema = z.strictObject({
  repo: z
    .string()
    .refine((s) => VALID_TYPES.includes(s.trim().split(/\s+/)[0] ?? ''), {
      error: (iss) => `expected a source line such as 'deb http://deb.example.org/debian bookworm main' (deb or deb-src first), got ${JSON.stringify(iss.input)}; ppa: names are not supported`,
    })
    .describe('The source line, e.g. `deb [signed-by=/etc/apt/keyrings/x.gpg] http://deb.example.org/debian bookworm main`.'),
  state: z.enum(['present', 'absent']).default('present').describe('present: the line is in a source file (a commented-out copy is enabled); absent: every enabled copy is removed.'),
  filename: z.string().min(1).regex(/^[^/]+$/, { error: 'expected a file name without a folder or `.list` (it goes in /etc/apt/sources.list.d/)' }).optional()
    .describe("Name of the file in /etc/apt/sources.list.d/, without `.list`; by default made from the line's URI, as Ansible does (`http_deb_example_org_debian`)."),
  mode: modeSchema.optional().describe('Permissions of the source file written. @defaultValue 0644'),
  update_cache: z.boolean().default(true).describe('Run apt-get update after a change; if it fails, the source files are put back as they were.'),
  lock_timeout: z.number().int().nonnegative().default(DEFAULT_LOCK_TIMEOUT).describe("Seconds the update waits for apt's lock."),
});

type Args = z.infer<typeof schema>;

/** A source line as Ansible's SourcesList reads it. */
interface Parsed {
  valid: boolean;
  enabled: boolean;
  source: string;
  comment: string;
}

export function parseSourceLine(raw: string): Parsed {
  let line = raw.trim();
  let enabled = true;
  let comment = '';
  if (line.startsWith('#')) {
    enabled = false;
    line = line.slice(1);
  }
  const hash = line.indexOf('#');
  if (hash > 0) {
    comment = line.slice(hash + 1).trim();
    line = line.slice(0, hash);
  }
  const chunks = line.trim().split(/\s+/).filter(Boolean);
  const valid = chunks.length > 0 && VALID_TYPES.includes(chunks[0]!);
  return { valid, enabled, source: valid ? chunks.join(' ') : line.trim(), comment };
}

// Ansible's _suggest_filename: the URI without options, type and credentials, every run of other characters an `_`.
export function suggestFilename(source: string): string {
  const line = source.replace(/\[[^\]]+]/g, '').replace(/s?deb(-src)?\s+/, '');
  const parts = line.split(/\s+/).filter((p) => p && !VALID_TYPES.includes(p));
  const uri = (parts[0] ?? '').split('@').pop() ?? '';
  return uri.replace(/[^a-zA-Z0-9]/g, ' ').split(/\s+/).filter(Boolean).join('_');
}

/** One source file's new text (undefined: the file goes). */
interface FileChange {
  file: FileText;
  path: string;
  after?: string;
}

function edit(args: Args, files: Map<string, FileText>, target: string): FileChange[] {
  const wanted = parseSourceLine(args.repo).source;
  const changes: FileChange[] = [];
  let found = false;
  for (const [path, file] of files) {
    const lines = splitLines(file.text);
    const kept: string[] = [];
    for (const line of lines) {
      const p = parseSourceLine(line);
      const match = p.valid && p.source === wanted;
      if (match) found = true;
      if (match && args.state === 'absent' && p.enabled) continue;
      kept.push(match && args.state === 'present' && !p.enabled ? `${p.source}${p.comment ? ` # ${p.comment}` : ''}\n` : line);
    }
    const after = kept.join('');
    if (after === (file.text ?? '') || !file.st.exists) continue;
    changes.push({ file, path, after: kept.length === 0 ? undefined : after });
  }
  if (args.state === 'present' && !found) {
    const file = files.get(target)!;
    const text = file.text ?? '';
    changes.push({ file, path: target, after: `${text}${text && !text.endsWith('\n') ? '\n' : ''}${wanted}\n` });
  }
  return changes;
}

interface RepoPlan {
  writes: { path: string; plan?: EditPlan; remove: boolean; before: FileText }[];
  data: Record<string, unknown>;
}

async function readSources(ctx: ModuleContext, target: string): Promise<Map<string, FileText> | ModuleOutcome> {
  const list = await run(ctx.conn, ['/bin/sh', '-c', `for f in ${SOURCES_LIST} ${SOURCES_DIR}/*.list; do [ ! -f "$f" ] || echo "$f"; done`], ctx.become);
  const paths = [...new Set([...list.stdout.split('\n').filter(Boolean), target])];
  const files = new Map<string, FileText>();
  for (const path of paths) {
    const file = await readText(ctx, path);
    if (!('st' in file)) return file;
    files.set(path, file);
  }
  return files;
}

async function plan(args: Args, ctx: ModuleContext): Promise<RepoPlan | ModuleOutcome> {
  const source = parseSourceLine(args.repo).source;
  const target = `${SOURCES_DIR}/${args.filename ?? suggestFilename(source)}.list`;
  const files = await readSources(ctx, target);
  if (!(files instanceof Map)) return files;
  const writes: RepoPlan['writes'] = [];
  for (const change of edit(args, files, target)) {
    if (change.after === undefined) {
      writes.push({ path: change.path, remove: true, before: change.file });
      continue;
    }
    const p = planEdit({ path: change.path, backup: false, mode: args.mode ?? (change.file.st.exists ? undefined : '0644') }, change.file, { after: change.after, msg: '' });
    if (p.changes) writes.push({ path: change.path, plan: p.data, remove: false, before: change.file });
  }
  const added = writes.filter((w) => !w.remove && args.state === 'present').map((w) => w.path);
  const removed = writes.filter((w) => args.state === 'absent').map((w) => w.path);
  return { writes, data: { repo: source, state: args.state, sources_added: added, sources_removed: removed } };
}

function summary(args: Args, p: RepoPlan): string {
  const files = p.writes.map((w) => (w.remove ? `${w.path} (removed)` : w.path)).join(', ');
  return `${args.state === 'present' ? 'add' : 'remove'} ${p.data['repo']} in ${files}`;
}

// Every written file back as it was read (a new one removed): after a failed apt-get update.
async function restore(ctx: ModuleContext, p: RepoPlan): Promise<void> {
  for (const w of p.writes) {
    if (!w.before.st.exists) {
      await applyPath(ctx.conn, w.path, 'rm', {}, ctx.become);
      continue;
    }
    const was = w.remove ? 'absent' : sha256(Buffer.from(w.plan!.content ?? '', 'utf8'));
    const attrs = w.remove ? { mode: w.before.st.mode } : {};
    await applyEdit({ path: w.path, backup: false }, { target: w.path, content: w.before.text ?? '', existed: true, was, noFolder: false, attrs, msg: '', data: {} }, ctx);
  }
}

export const aptRepositoryModule = defineModule<Args, RepoPlan>({
  name: 'apt_repository',
  description: "Adds or removes an APT source line in /etc/apt/sources.list.d/, as Ansible's apt_repository does, then updates apt's lists.",
  schema,
  check: async (args, ctx) => {
    const p = await plan(args, ctx);
    if (!('writes' in p)) return { changes: false, outcome: p };
    if (p.writes.length === 0) return { changes: false, outcome: { data: p.data } };
    const diff: FileDiff[] = p.writes.map((w) => ({ path: w.path, before: w.before.text ?? '', after: w.plan?.content ?? '' }));
    return { changes: true, summary: summary(args, p), diff, data: p };
  },
  apply: async (args, p, ctx) => {
    if (!p) throw new Error('apply of apt_repository without a plan');
    for (const w of p.writes) {
      if (w.remove) await applyPath(ctx.conn, w.path, 'rm', {}, ctx.become);
      else await applyEdit({ path: w.path, backup: false }, w.plan!, ctx);
    }
    if (args.update_cache) {
      try {
        await aptBackend(args.lock_timeout).updateCache(ctx);
      } catch (err) {
        if (isFatal(err)) throw err;
        await restore(ctx, p);
        return failed(`${(err as Error).message}\nthe source files were put back as they were; check the line ${JSON.stringify(p.data['repo'])}`, { data: p.data });
      }
    }
    return { changed: true, msg: summary(args, p).replace(/^add/, 'added').replace(/^remove/, 'removed'), data: p.data };
  },
});
