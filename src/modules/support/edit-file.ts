// lineinfile, blockinfile, replace, ini_file and authorized_key edit a file's text on the controller: one command reads
// the file (its stat and content), the module computes the new text, and one verified replace writes it back.
import { z } from 'zod';
import { applyPath, attrsDiffer, commandError, parseStat, run, type Attrs, type PathStat } from '../../connection/fs-ops.js';
import { replaceIfUnchanged } from '../../connection/replace-file.js';
import { STAT_LINES } from '../../connection/shell-lines.js';
import type { FileDiff } from '../../core/result.js';
import { attrFields, failed } from './common.js';
import type { ModuleContext, ModuleOutcome, Plan } from './module.js';
import { backupName, sha256, validateCommand, validateField } from './write-file.js';

/** Text that YAML may have read as a number (`line: 8080`): taken as the text it was written as. */
export const textField = z.union([z.string(), z.number().transform(String)]);

/** Options every editing module takes. */
export const editFields = {
  path: z.string().min(1).describe('Path of the file on the host; a symlink is followed and its target edited.'),
  ...attrFields,
  backup: z.boolean().default(false).describe('Keep the old file as `<path>.<timestamp>~` before changing it.'),
  validate: validateField,
};

/** Arguments of an editing module, as far as reading and writing the file go. */
export interface EditArgs extends Attrs {
  path: string;
  backup: boolean;
  validate?: string | string[];
}

/** What the host has at `path` (a link resolved to its target). */
export interface FileText {
  /** The file edited: `path`, or where the link at `path` points. */
  target: string;
  st: PathStat;
  /** The content of a regular file; undefined when there is none. */
  text?: string;
  /** sha256 of the bytes read, or `absent`: the write goes ahead only if the file still holds them. */
  was: string;
  /** The folder the file would go in does not exist. */
  noFolder: boolean;
}

// Prints the real path, the stat line (or `absent`, then `nofolder` when the folder is missing too) and, for a regular
// file, its content in base64.
const READ_SCRIPT = [
  'path=$1 checksum=0',
  'if [ -L "$path" ]; then path=$(readlink -f -- "$path") || exit 3; fi',
  'echo "$path"',
  ...STAT_LINES,
  'if [ "$kind" = absent ]; then folder=${path%/*}; [ "$folder" != "$path" ] || folder=.; [ -d "${folder:-/}" ] || echo nofolder; fi',
  '[ "$kind" != file ] || base64 -- "$path" || exit 4',
].join('\n');

/** The argv of the one read. */
export function readArgv(path: string): string[] {
  return ['/bin/sh', '-c', READ_SCRIPT, 'sh', path];
}

// One command: the file's state and its text. Bytes that are not UTF-8 are refused rather than rewritten wrongly.
export async function readText(ctx: ModuleContext, path: string): Promise<FileText | ModuleOutcome> {
  const r = await ctx.conn.exec(readArgv(path), { become: ctx.become, ownScript: true });
  if (r.rc !== 0) throw commandError(`cannot read ${path}`, r);
  const [target = path, head = 'absent', ...rest] = r.stdout.split('\n');
  const st = parseStat(head);
  const noFolder = !st.exists && rest[0] === 'nofolder';
  if (!st.isFile) return { target, st, noFolder, was: 'absent' };
  const bytes = Buffer.from(rest.join(''), 'base64');
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return failed(`${path} is not UTF-8 text; it was left unchanged`);
  return { target, st, text, noFolder, was: sha256(bytes) };
}

/** What a module makes of the file's text: the new text (undefined: leave the file alone), a message and return data. */
export interface Edit {
  after?: string;
  msg: string;
  data?: Record<string, unknown>;
}

/** The plan handed from check to apply. */
export interface EditPlan {
  target: string;
  /** New content, when the text changes. */
  content?: string;
  existed: boolean;
  /** What the file held when read (see FileText.was). */
  was: string;
  noFolder: boolean;
  attrs: Attrs;
  msg: string;
  data: Record<string, unknown>;
}

function attrsText(st: PathStat | undefined, keys: (keyof Attrs)[], want: Attrs): { before: string; after: string } {
  const line = (k: keyof Attrs, v: string | undefined) => `${k}: ${v ?? ''}\n`;
  return { before: keys.map((k) => line(k, st?.[k])).join(''), after: keys.map((k) => line(k, want[k])).join('') };
}

// Content first, then attributes: what Ansible's "... and ownership, perms or SE linux context changed" says.
export function planEdit(args: EditArgs, file: FileText, edit: Edit): Plan<EditPlan> {
  const want: Attrs = { mode: args.mode, owner: args.owner, group: args.group };
  const contentChanged = edit.after !== undefined && edit.after !== file.text;
  const keys = file.st.exists ? attrsDiffer(file.st, want) : [];
  const data = { path: args.path, ...edit.data };
  if (!contentChanged && keys.length === 0) return { changes: false, outcome: { msg: edit.msg || undefined, data } };
  const diff: FileDiff[] = [];
  if (contentChanged) diff.push({ path: args.path, before: file.text ?? '', after: edit.after ?? '' });
  if (keys.length > 0) diff.push({ path: `${args.path} (file attributes)`, ...attrsText(file.st, keys, want) });
  const attrsMsg = keys.length > 0 ? `${keys.map((k) => `${k} ${want[k]}`).join(', ')} set` : '';
  const msg = [contentChanged ? edit.msg : '', attrsMsg].filter(Boolean).join(' and ');
  const attrs = contentChanged ? want : (Object.fromEntries(keys.map((k) => [k, want[k]])) as Attrs);
  const plan: EditPlan = {
    target: file.target, content: contentChanged ? edit.after : undefined, existed: file.st.exists, was: file.was, noFolder: file.noFolder, attrs, msg, data,
  };
  return { changes: true, summary: `${args.path}: ${msg}`, diff, data: plan };
}

// The check step of every editing module: read, then plan what `edit` makes of the text.
export async function checkEdit(
  args: EditArgs,
  ctx: ModuleContext,
  edit: (file: FileText) => Edit | ModuleOutcome,
): Promise<Plan<EditPlan>> {
  const file = await readText(ctx, args.path);
  if (!('st' in file)) return { changes: false, outcome: file };
  if (file.st.isDir) return { changes: false, outcome: failed(`${args.path} is a directory, not a file`, { rc: 256 }) };
  if (file.st.exists && !file.st.isFile) return { changes: false, outcome: failed(`${args.path} is not a regular file`) };
  const e = edit(file);
  if ('changed' in e) return { changes: false, outcome: e };
  return planEdit(args, file, e);
}

// validate on a temp copy, backup, the missing folder, then one verified replace (or only the attributes).
export async function applyEdit(args: EditArgs, plan: EditPlan | undefined, ctx: ModuleContext): Promise<ModuleOutcome> {
  if (!plan) throw new Error('apply of a file edit without a plan');
  const data: Record<string, unknown> = { ...plan.data };
  if (plan.content === undefined) {
    await applyPath(ctx.conn, plan.target, undefined, plan.attrs, ctx.become);
    return { changed: true, msg: plan.msg, data };
  }
  const content = Buffer.from(plan.content, 'utf8');
  if (args.validate !== undefined) {
    const bad = await validateCommand(ctx, { content }, args.validate);
    if (bad) return bad;
  }
  if (args.backup && plan.existed) {
    const backup = backupName(plan.target);
    await run(ctx.conn, ['cp', '-p', '--', plan.target, backup], ctx.become);
    data.backup_file = backup;
  }
  if (plan.noFolder) {
    const folder = plan.target.slice(0, plan.target.lastIndexOf('/'));
    await run(ctx.conn, ['mkdir', '-p', '--', folder], ctx.become);
  }
  const to = { dest: plan.target, sha256: sha256(content), want: plan.attrs };
  await replaceIfUnchanged(ctx.conn, to, content, plan.was, { become: ctx.become, signal: ctx.signal });
  return { changed: true, msg: plan.msg, data };
}

/** A file's text as Python's readlines() splits it: every line keeps its `\n`; the last may have none. */
export function splitLines(text: string | undefined): string[] {
  if (!text) return [];
  return text.split(/(?<=\n)/);
}

/** A line without its `\n` (and `\r`), for comparing with a line given as an argument. */
export function bare(line: string): string {
  return line.replace(/[\r\n]+$/, '');
}
