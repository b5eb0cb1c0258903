// One option of an INI file's section set, added or removed (or a whole section), with the rules of Ansible's ini_file.
import { z } from 'zod';
import { failed } from './support/common.js';
import { applyEdit, checkEdit, editFields, splitLines, textField, type Edit, type EditPlan, type FileText } from './support/edit-file.js';
import { defineModule, type ModuleOutcome } from './support/module.js';

const schema = z
  .strictObject({
    ...editFields,
    section: z.string().optional().describe('Section name, without brackets; absent or empty: the options before the first section.'),
    option: z.string().min(1).optional().describe('Option name; without it, state absent removes the whole section and state present makes sure the section exists.'),
    value: z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]).optional().describe('The option\'s value.'),
    values: z.array(textField).optional().describe('Several values, one `option = value` line each (instead of value).'),
    state: z.enum(['present', 'absent']).default('present').describe('present: the option has the value(s); absent: the option (or the value(s) given) or the section is removed.'),
    exclusive: z.boolean().default(true).describe('present: other lines of the option are removed; absent: every line of the option goes, whatever its value.'),
    no_extra_spaces: z.boolean().default(false).describe('Write `option=value` instead of `option = value`.'),
    ignore_spaces: z.boolean().default(false).describe('A line differing only in spaces around `=` is not changed.'),
    allow_no_value: z.boolean().default(false).describe('The option may stand alone on its line, without `=` and a value.'),
    create: z.boolean().default(true).describe('Create the file (and its folder) when it is missing; otherwise a missing file fails the task.'),
  })
  .superRefine((a, ctx) => {
    if (a.value !== undefined && a.values !== undefined) ctx.addIssue({ code: 'custom', path: ['values'], message: 'expected value or values, not both', input: a.values });
    if (a.state === 'present' && !a.allow_no_value && a.value === undefined && !a.values?.length) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'value (or values) is required with state present, unless allow_no_value: true', input: a });
    }
  });

type Args = z.infer<typeof schema>;

/** ini_file's arguments once defaults are applied, for modules that edit INI text the same way (yum_repository). */
export type IniEditArgs = Args;

/** A section name no file has, standing for the options before the first section (as Ansible does). */
const GLOBAL = 'ad01e11446efb704fcdbdb21f2c43757423d91c5';
const BLANK_OR_COMMENT = /^[ \t]*([#;].*)?$/;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const body = (l: string) => l.replace(/\n$/, '');
// Groups as Ansible's: 1 the comment sign, 3 the option, 7 the value.
const matchOpt = (option: string, line: string) => new RegExp(`^([#;]?)( |\\t)*(${escape(option)})( |\\t)*(=|$)( |\\t)*(.*)`).exec(body(line));
// Groups: 2 the option, 6 the value.
const matchActive = (option: string, line: string) => new RegExp(`^( |\\t)*(${escape(option)})( |\\t)*(=|$)( |\\t)*(.*)`).exec(body(line));

// A port of Ansible's do_ini, line for line where it decides what changes.
export function iniEdit(a: Args, file: FileText): Edit | ModuleOutcome {
  if (!file.st.exists && !a.create) return failed(`${a.path} does not exist; create: false keeps it from being made`, { rc: 257 });
  const option = a.option;
  const values = [...new Set(a.values ?? (a.value !== undefined ? [a.value] : []))];
  const fmt = (v: string) => (a.no_extra_spaces ? `${option}=${v}\n` : `${option} = ${v}\n`);
  let changed = false;
  let msg = 'OK';
  const lines = splitLines(file.text);
  if (lines.length === 0) lines.push('\n');
  if (!lines[lines.length - 1]!.endsWith('\n')) {
    lines[lines.length - 1] += '\n';
    changed = true;
  }
  lines.unshift(`[${GLOBAL}]`);
  lines.push('[');
  const section = a.section || GLOBAL;
  let within = false;
  let [start, end] = [0, 0];
  for (const [i, line] of lines.entries()) {
    if (within && line.startsWith('[')) {
      end = i;
      break;
    }
    if (line.startsWith(`[${section}]`)) {
      within = true;
      start = i;
    }
  }
  let sectionLines = lines.slice(start, end);
  const changedLines = sectionLines.map(() => false);
  let noValuePresent = false;
  const update = (i: number, newline: string) => {
    let differs: boolean | undefined;
    if (a.ignore_spaces && option !== undefined) {
      const old = matchOpt(option, sectionLines[i]!);
      if (old && !old[1]) differs = old[7] !== matchOpt(option, newline)?.[7];
    }
    differs ??= sectionLines[i] !== newline;
    if (differs) {
      sectionLines[i] = newline;
      changed = true;
      msg = 'option changed';
    }
    changedLines[i] = true;
  };

  if (a.state === 'present' && option !== undefined) {
    for (const [i, line] of sectionLines.entries()) {
      const m = matchOpt(option, line);
      if (!m) continue;
      const value = m[7]!;
      if (values.length > 0 && values.includes(value)) {
        if (!value && a.allow_no_value) {
          update(i, `${option}\n`);
          noValuePresent = true;
        } else update(i, fmt(value));
        values.splice(values.indexOf(value), 1);
      } else if (values.length === 0 && a.allow_no_value) {
        update(i, `${option}\n`);
        noValuePresent = true;
        break;
      }
    }
  }
  if (a.state === 'present' && a.exclusive && !a.allow_no_value && option !== undefined) {
    if (values.length > 0) {
      for (const [i, line] of sectionLines.entries()) {
        if (changedLines[i] || !matchOpt(option, line)) continue;
        update(i, fmt(values.shift()!));
        if (values.length === 0) break;
      }
    }
    for (let i = sectionLines.length - 1; i > 0; i--) {
      if (changedLines[i] || !matchOpt(option, sectionLines[i]!)) continue;
      sectionLines.splice(i, 1);
      changedLines.splice(i, 1);
      changed = true;
      msg = 'option changed';
    }
  }
  if (a.state === 'present') {
    for (let i = sectionLines.length; i > 0; i--) {
      if (BLANK_OR_COMMENT.test(body(sectionLines[i - 1]!))) continue;
      if (option !== undefined && values.length > 0) {
        sectionLines.splice(i, 0, ...values.map(fmt));
        msg = 'option added';
        changed = true;
      } else if (option !== undefined && values.length === 0 && a.allow_no_value && !noValuePresent) {
        sectionLines.splice(i, 0, `${option}\n`);
        msg = 'option added';
        changed = true;
      }
      break;
    }
  }
  if (a.state === 'absent') {
    if (option !== undefined) {
      const drop = a.exclusive
        ? (l: string) => !!matchActive(option, l)
        : (l: string) => values.length > 0 && values.includes(matchActive(option, l)?.[6] ?? '\0');
      const kept = sectionLines.filter((l) => !drop(l));
      if (kept.length !== sectionLines.length) {
        sectionLines = kept;
        changed = true;
        msg = 'option changed';
      }
    } else if (sectionLines.length > 0) {
      sectionLines = [];
      changed = true;
      msg = 'section removed';
    }
  }
  const result = [...lines.slice(0, start), ...sectionLines, ...lines.slice(end)].slice(1, -1);
  if (!within && a.state === 'present') {
    result.push(`[${section}]\n`);
    msg = 'section and option added';
    if (option !== undefined && values.length > 0) result.push(...values.map(fmt));
    else if (option !== undefined && a.allow_no_value) result.push(`${option}\n`);
    else msg = 'only section added';
    changed = true;
  }
  return changed ? { after: result.join(''), msg } : { msg };
}

export const iniFileModule = defineModule<Args, EditPlan>({
  name: 'ini_file',
  argAliases: { dest: 'path' },
  description: 'Sets, adds or removes an option in a section of an INI file (or removes a section), as Ansible\'s ini_file does.',
  schema,
  check: (args, ctx) => checkEdit(args, ctx, (file) => iniEdit(args, file)),
  apply: applyEdit,
});
