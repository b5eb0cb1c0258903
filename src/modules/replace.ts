// Every match of a regular expression in a file replaced, optionally only between two patterns, as Ansible's replace.
import { z } from 'zod';
import { failed } from './support/common.js';
import { applyEdit, checkEdit, editFields, textField, type Edit, type EditPlan, type FileText } from './support/edit-file.js';
import { defineModule, type ModuleOutcome } from './support/module.js';
import { patternField, pythonRegex, substitute } from './support/python-regex.js';

const schema = z
  .strictObject({
    ...editFields,
    regexp: patternField('m').describe('Python regular expression, matched in multiline mode (`^` and `$` at every line); every match is replaced.'),
    replace: textField.default('').describe('Replacement text; `\\1` and `\\g<name>` insert the groups. Empty removes the matches.'),
    after: z.string().min(1).optional().describe('Only text after the first match of this regular expression is searched (dot matches newlines).'),
    before: z.string().min(1).optional().describe('Only text before the first match of this regular expression is searched (dot matches newlines).'),
  })
  .superRefine((a, ctx) => {
    const section = sectionPattern(a);
    if (section === undefined) return;
    try {
      pythonRegex(section, 's');
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [a.after !== undefined ? 'after' : 'before'], message: `expected a regular expression: ${(err as Error).message}`, input: a });
    }
  });

type Args = z.infer<typeof schema>;

// Ansible builds one pattern of after and before around a named group.
function sectionPattern(a: Pick<Args, 'after' | 'before'>): string | undefined {
  if (a.after !== undefined && a.before !== undefined) return `${a.after}(?P<subsection>.*?)${a.before}`;
  if (a.after !== undefined) return `${a.after}(?P<subsection>.*)`;
  if (a.before !== undefined) return `(?P<subsection>.*)${a.before}`;
  return undefined;
}

function edit(a: Args, file: FileText): Edit | ModuleOutcome {
  if (!file.st.exists) return failed(`${a.path} does not exist`, { rc: 257 });
  const contents = file.text ?? '';
  let [start, end] = [0, contents.length];
  const pattern = sectionPattern(a);
  if (pattern !== undefined) {
    const outer = pythonRegex(pattern, 's');
    const section = new RegExp(outer.source, `${outer.flags}d`);
    const m = section.exec(contents);
    const span = m?.indices?.groups?.subsection;
    if (!span) return { msg: `Pattern for before/after params did not match the given file: ${pattern}` };
    [start, end] = span;
  }
  const part = contents.slice(start, end);
  const { text, count } = substitute(pythonRegex(a.regexp, 'm'), a.replace, part);
  if (count === 0 || text === part) return { msg: '' };
  return { after: contents.slice(0, start) + text + contents.slice(end), msg: `${count} replacements made` };
}

export const replaceModule = defineModule<Args, EditPlan>({
  name: 'replace',
  argAliases: { dest: 'path', destfile: 'path', name: 'path' },
  description: 'Replaces every match of a regular expression in a text file, optionally between two patterns, as Ansible\'s replace does.',
  schema,
  check: (args, ctx) => checkEdit(args, ctx, (file) => edit(args, file)),
  apply: applyEdit,
});
