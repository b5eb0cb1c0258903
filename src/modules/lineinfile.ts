// One line of a text file present (added or replaced) or absent, with Ansible's lineinfile rules.
import { z } from 'zod';
import { failed } from './support/common.js';
import { applyEdit, bare, checkEdit, editFields, splitLines, textField, type Edit, type EditPlan, type FileText } from './support/edit-file.js';
import { defineModule, type ModuleOutcome } from './support/module.js';
import { expandTemplate, patternField, pythonRegex } from './support/python-regex.js';

const schema = z
  .strictObject({
    ...editFields,
    line: textField.optional().describe('The line wanted (state present; with backrefs, a template using the regexp\'s groups). With state absent and no regexp or search_string: the line to remove.'),
    regexp: patternField().optional().describe('Python regular expression searched in every line: with state present the last matching line is replaced (the first with firstmatch); with state absent every matching line is removed.'),
    search_string: z.string().optional().describe('Literal text searched in every line, like regexp but without special characters.'),
    state: z.enum(['present', 'absent']).default('present').describe('present: the line is in the file; absent: lines matching it are removed.'),
    insertafter: z.string().optional().describe('Where a new line goes when nothing matched: after the last line matching this regular expression (the first with firstmatch), `EOF` (the default) or `BOF`.'),
    insertbefore: z.string().optional().describe('Where a new line goes when nothing matched: before the last line matching this regular expression (the first with firstmatch), or `BOF`.'),
    backrefs: z.boolean().default(false).describe('line is a template of the regexp\'s groups (`\\1`, `\\g<name>`); when the regexp matches nothing the file is left unchanged.'),
    create: z.boolean().default(false).describe('Create the file (and its folder) when it is missing; otherwise a missing file fails the task.'),
    firstmatch: z.boolean().default(false).describe('regexp, search_string, insertafter and insertbefore use the first matching line instead of the last.'),
  })
  .superRefine((a, ctx) => {
    const both = (x: keyof typeof a, y: keyof typeof a) => {
      if (a[x] !== undefined && a[y] !== undefined && a[y] !== false) ctx.addIssue({ code: 'custom', path: [y], message: `expected ${x} or ${y}, not both`, input: a[y] });
    };
    both('insertafter', 'insertbefore');
    both('regexp', 'search_string');
    both('search_string', 'backrefs');
    if (a.insertafter && !['EOF', 'BOF'].includes(a.insertafter)) checkPattern(a.insertafter, 'insertafter', ctx);
    if (a.insertbefore && a.insertbefore !== 'BOF') checkPattern(a.insertbefore, 'insertbefore', ctx);
    if (a.state === 'present') {
      if (a.line === undefined) ctx.addIssue({ code: 'custom', path: ['line'], message: 'line is required with state present', input: a });
      if (a.backrefs && a.regexp === undefined) ctx.addIssue({ code: 'custom', path: ['regexp'], message: 'regexp is required with backrefs: true', input: a });
    } else if (a.line === undefined && a.regexp === undefined && a.search_string === undefined) {
      ctx.addIssue({ code: 'custom', message: 'one of line, search_string or regexp is required with state absent', input: a });
    }
  });

function checkPattern(s: string, key: string, ctx: z.RefinementCtx): void {
  try {
    pythonRegex(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: [key], message: `expected a regular expression: ${(err as Error).message}`, input: s });
  }
}

type Args = z.infer<typeof schema>;

// Patterns see a line without its `\n`, as Python's `$` matches just before it.
const body = (l: string) => l.replace(/\n$/, '');
const ends = (l: string | undefined) => l !== undefined && /[\n\r]$/.test(l);

/** The line's place: index[0] the matching line, index[1] where a new line goes. */
function locate(a: Args, lines: string[], line: string) {
  const re = a.regexp !== undefined ? pythonRegex(a.regexp) : undefined;
  const after = a.insertafter === undefined && a.insertbefore === undefined ? 'EOF' : a.insertafter;
  const before = a.insertbefore;
  const insRe = after && !['BOF', 'EOF'].includes(after) ? pythonRegex(after) : before && before !== 'BOF' ? pythonRegex(before) : undefined;
  const index = [-1, -1];
  let match: RegExpExecArray | boolean = false;
  for (const [i, l] of lines.entries()) {
    const m = re ? re.exec(body(l)) : a.search_string !== undefined && l.includes(a.search_string);
    if (!m) continue;
    index[0] = i;
    match = m;
    if (a.firstmatch) break;
  }
  let exact = false;
  if (!match) {
    for (const [i, l] of lines.entries()) {
      if (line === bare(l)) {
        index[0] = i;
        exact = true;
      } else if (insRe?.exec(body(l))) {
        index[1] = after ? i + 1 : i;
        if (a.firstmatch) break;
      }
    }
  }
  return { index, match, exact, after, before };
}

function present(a: Args, file: FileText): Edit | ModuleOutcome {
  if (!file.st.exists && !a.create) return failed(`${a.path} does not exist; set create: true to create it`, { rc: 257 });
  const lines = splitLines(file.text);
  const line = a.line ?? '';
  const { index, match, after, before } = locate(a, lines, line);
  const added = (): Edit => ({ after: lines.join(''), msg: 'line added' });
  const [found, at] = index as [number, number];
  if (found !== -1) {
    let wanted = a.backrefs && typeof match === 'object' ? expandTemplate(line, match) : line;
    if (!wanted.endsWith('\n')) wanted += '\n';
    if (lines[found] === wanted) return { msg: '' };
    lines[found] = wanted;
    return { after: lines.join(''), msg: 'line replaced' };
  }
  if (a.backrefs) return { msg: '' };
  if (before === 'BOF' || after === 'BOF') {
    lines.unshift(`${line}\n`);
    return added();
  }
  if (after === 'EOF' || at === -1) {
    if (lines.length > 0 && !ends(lines[lines.length - 1])) lines.push('\n');
    lines.push(`${line}\n`);
    return added();
  }
  if (after) {
    if (lines.length === at) {
      if (bare(lines[at - 1] ?? '') === line) return { msg: '' };
      lines.push(`${line}\n`);
    } else {
      if (line === bare(lines[at] ?? '')) return { msg: '' };
      lines.splice(at, 0, `${line}\n`);
    }
    return added();
  }
  lines.splice(at, 0, `${line}\n`);
  return added();
}

function absent(a: Args, file: FileText): Edit {
  if (!file.st.exists) return { msg: 'file not present', data: { found: 0 } };
  const re = a.regexp !== undefined ? pythonRegex(a.regexp) : undefined;
  const matches = (l: string) =>
    re ? re.test(body(l)) : a.search_string !== undefined ? l.includes(a.search_string) : a.line === bare(l);
  const lines = splitLines(file.text);
  const kept = lines.filter((l) => !matches(l));
  const found = lines.length - kept.length;
  if (found === 0) return { msg: '', data: { found } };
  return { after: kept.join(''), msg: `${found} line(s) removed`, data: { found } };
}

export const lineinfileModule = defineModule<Args, EditPlan>({
  name: 'lineinfile',
  argAliases: { dest: 'path', destfile: 'path', name: 'path', regex: 'regexp' },
  description: 'Ensures one line is in a text file (added or replaced) or that matching lines are gone, as Ansible\'s lineinfile does.',
  schema,
  check: async (args, ctx) => {
    for (const [key, value] of [['regexp', args.regexp], ['search_string', args.search_string]] as const) {
      if (value === '') ctx.warn(`lineinfile: ${key} is empty and matches every line; use '^' to match every line on purpose`);
    }
    return checkEdit(args, ctx, (file) => (args.state === 'absent' ? absent(args, file) : present(args, file)));
  },
  apply: applyEdit,
});
