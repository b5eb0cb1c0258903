// Playbooks written for Ansible hold Python regular expressions and replacement templates: the common differences
// are translated so they mean here what they mean there.
import { z } from 'zod';

/** Thrown for a pattern JavaScript cannot compile; the module reports it as the argument's mistake. */
export class PatternError extends Error {}

// (?P<name>...) → (?<name>...), (?P=name) → \k<name>, \A and \Z → start and end of the text; leading (?imsx) → flags.
export function pythonRegex(pattern: string, flags = ''): RegExp {
  let source = pattern;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  let all = flags;
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if ('ims'.includes(f) && !all.includes(f)) all += f;
  }
  source = source
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])((?:\\\\)*)\\A/g, '$1$2(?<![\\s\\S])')
    .replace(/(^|[^\\])((?:\\\\)*)\\Z/g, '$1$2(?![\\s\\S])');
  try {
    return new RegExp(source, all);
  } catch (err) {
    throw new PatternError(`${JSON.stringify(pattern)} is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

// Python's match.expand: \1, \g<1>, \g<name> and the escapes \n \t \\; an unmatched group is empty.
export function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(g<(\w+)>|\d{1,2}|.)/gs, (whole, tail: string, named: string | undefined) => {
    const group = named ?? (/^\d+$/.test(tail) ? tail : undefined);
    if (group !== undefined) {
      const v = /^\d+$/.test(group) ? m[Number(group)] : m.groups?.[group];
      return v ?? '';
    }
    return ESCAPES[tail] ?? whole;
  });
}

// re.sub(pattern, template, text) with Python's template; `count` replacements made.
export function substitute(re: RegExp, template: string, text: string): { text: string; count: number } {
  const global = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  let count = 0;
  const out = text.replace(global, (...args: unknown[]) => {
    count++;
    const hasGroups = typeof args[args.length - 1] === 'object';
    const groups = hasGroups ? (args[args.length - 1] as Record<string, string>) : undefined;
    const m = args.slice(0, hasGroups ? -3 : -2) as string[] as unknown as RegExpExecArray;
    m.groups = groups;
    return expandTemplate(template, m);
  });
  return { text: out, count };
}

/** A Python regular expression argument, checked when the task is loaded. */
export function patternField(flags = '') {
  return z.string().superRefine((s, ctx) => {
    try {
      pythonRegex(s, flags);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `expected a regular expression: ${(err as Error).message}`, input: s });
    }
  });
}
