// A block of lines between two marker lines, inserted, updated or removed, with Ansible's blockinfile rules.
import { z } from 'zod';
import { failed } from './support/common.js';
import { applyEdit, checkEdit, editFields, splitLines, textField, type Edit, type EditPlan, type FileText } from './support/edit-file.js';
import { defineModule, type ModuleOutcome } from './support/module.js';
import { patternField, pythonRegex } from './support/python-regex.js';

const schema = z
  .strictObject({
    ...editFields,
    block: textField.default('').describe('The lines between the markers; empty (with state present) removes the block like state absent.'),
    marker: z.string().default('# {mark} ANSIBLE MANAGED BLOCK').describe('Marker line template; `{mark}` becomes marker_begin or marker_end. Give each block of a file its own marker.'),
    marker_begin: z.string().default('BEGIN').describe('What `{mark}` becomes in the first marker line.'),
    marker_end: z.string().default('END').describe('What `{mark}` becomes in the last marker line.'),
    state: z.enum(['present', 'absent']).default('present').describe('present: the block is in the file; absent: the block and its markers are removed.'),
    insertafter: patternField().optional().describe('Where a new block goes: after the last line matching this regular expression, or `EOF` (the default); with `(?m)` the pattern is searched in the whole text.'),
    insertbefore: patternField().optional().describe('Where a new block goes: before the last line matching this regular expression, or `BOF`.'),
    create: z.boolean().default(false).describe('Create the file (and its folder) when it is missing; otherwise a missing file fails the task.'),
    prepend_newline: z.boolean().default(false).describe('Put a blank line before the block unless it starts the file or follows one.'),
    append_newline: z.boolean().default(false).describe('Put a blank line after the block unless it ends the file or one follows.'),
  })
  .refine((a) => a.insertafter === undefined || a.insertbefore === undefined, { error: 'expected insertafter or insertbefore, not both', path: ['insertbefore'] });

type Args = z.infer<typeof schema>;

// Where the block goes when the file has no markers yet.
function insertAt(a: Args, original: string, lines: string[]): number {
  const after = a.insertafter === undefined && a.insertbefore === undefined ? 'EOF' : a.insertafter;
  const pattern = after !== undefined && after !== 'EOF' ? after : a.insertbefore !== undefined && a.insertbefore !== 'BOF' ? a.insertbefore : undefined;
  if (pattern === undefined) return a.insertbefore !== undefined ? 0 : lines.length;
  const re = pythonRegex(pattern);
  let at: number | undefined;
  if (re.flags.includes('m')) {
    const m = re.exec(original);
    if (m) at = original.slice(0, after !== undefined ? m.index + m[0].length : m.index).split('\n').length - 1;
  } else {
    for (const [i, l] of lines.entries()) if (re.test(l.replace(/\n$/, ''))) at = i;
  }
  if (at === undefined) return lines.length;
  return after !== undefined ? at + 1 : at;
}

function edit(a: Args, file: FileText): Edit | ModuleOutcome {
  const present = a.state === 'present';
  if (!file.st.exists) {
    if (!a.create) return failed(`${a.path} does not exist; set create: true to create it`, { rc: 257 });
    if (!present) return { msg: `File ${a.path} not present` };
  }
  const original = file.text ?? '';
  const lines = splitLines(original);
  const marker0 = `${a.marker.replaceAll('{mark}', a.marker_begin)}\n`;
  const marker1 = `${a.marker.replaceAll('{mark}', a.marker_end)}\n`;
  const block = a.block.endsWith('\n') || a.block === '' ? a.block : `${a.block}\n`;
  const blockLines = present && block ? [marker0, ...splitLines(block), marker1] : [];
  let n0 = lines.lastIndexOf(marker0);
  const n1 = lines.lastIndexOf(marker1);
  if (n0 === -1 || n1 === -1) {
    n0 = insertAt(a, original, lines);
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1]!.endsWith('\n')) lines[n0 - 1] += '\n';
  if (a.prepend_newline && present && n0 !== 0 && lines[n0 - 1] !== '\n') lines.splice(n0++, 0, '\n');
  lines.splice(n0, 0, ...blockLines);
  const next = n0 + blockLines.length;
  if (a.append_newline && present && next < lines.length && lines[next] !== '\n') lines.splice(next, 0, '\n');
  const result = lines.join('');
  if (file.text !== undefined && result === original) return { msg: '' };
  return { after: result, msg: file.text === undefined ? 'File created' : blockLines.length === 0 ? 'Block removed' : 'Block inserted' };
}

export const blockinfileModule = defineModule<Args, EditPlan>({
  name: 'blockinfile',
  argAliases: { dest: 'path', destfile: 'path', name: 'path' },
  description: 'Inserts, updates or removes a block of lines between marker lines in a text file, as Ansible\'s blockinfile does.',
  schema,
  check: (args, ctx) => checkEdit(args, ctx, (file) => edit(args, file)),
  apply: applyEdit,
});
