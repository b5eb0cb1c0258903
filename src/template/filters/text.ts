// Filters on single values: defaults, conversions, text, regular expressions, paths, encodings.
import { createHash } from 'node:crypto';
import { quoteArg } from '../../connection/quote.js';
import { parseBool } from '../../core/bool.js';
import { kindOf } from '../../core/key-path.js';
import { FilterError, type FilterSpec } from './table.js';
import { isMapping, needText, pyRegex, str, truthy } from './values.js';

// Python's `\1`, `\g<1>`, `\g<name>` in a replacement, filled in from one match.
function expand(rep: string, match: unknown[]): string {
  const last = match[match.length - 1];
  const named = last !== null && typeof last === 'object' ? (last as Record<string, string | undefined>) : undefined;
  const groups = match.slice(0, match.findIndex((x) => typeof x === 'number'));
  return rep.replace(/\\g<(\w+)>|\\(\d+)|\\(.)/g, (all, name?: string, num?: string, other?: string) => {
    if (name !== undefined) return str(/^\d+$/.test(name) ? groups[Number(name)] : named?.[name]);
    if (num !== undefined) return str(groups[Number(num)]);
    return other === 'n' ? '\n' : other === 't' ? '\t' : other === '\\' ? '\\' : all;
  });
}

function toInt(v: unknown, fallback: unknown, base: unknown): unknown {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return Number(v);
  const text = str(v).trim();
  const radix = typeof base === 'number' ? base : 10;
  const digits = radix === 16 ? /^[+-]?(0x)?[0-9a-f]+$/i : radix === 8 ? /^[+-]?(0o)?[0-7]+$/i : radix === 2 ? /^[+-]?(0b)?[01]+$/i : /^[+-]?\d+$/;
  if (digits.test(text)) return parseInt(text.replace(/^([+-]?)0[xob]/i, '$1'), radix);
  if (radix === 10 && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Math.trunc(parseFloat(text));
  return fallback ?? 0;
}

function toFloat(v: unknown, fallback: unknown): unknown {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return Number(v);
  const text = str(v).trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? parseFloat(text) : (fallback ?? 0);
}

function pyBasename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function pyDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return head && !/^\/+$/.test(head) ? head.replace(/\/+$/, '') : head;
}

const HASHES = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

function digest(v: unknown, type: unknown): string {
  const name = str(type ?? 'sha1');
  if (!HASHES.has(name)) throw new FilterError(`unknown hash type ${JSON.stringify(name)}; use one of ${[...HASHES].join(', ')}`);
  return createHash(name).update(needText(v, 'hash'), 'utf8').digest('hex');
}

function regexSearch(v: unknown, [pattern, groups]: unknown[], kw: Record<string, unknown>): unknown {
  const m = pyRegex(pattern, kw).exec(needText(v, 'regex_search'));
  const wanted = groups as unknown[];
  if (wanted.length === 0) return m ? m[0] : null;
  if (!m) return null;
  return wanted.map((g) => {
    const ref = /^\\(?:(\d+)|g<(\w+)>)$/.exec(str(g));
    if (!ref) throw new FilterError(`regex_search: unknown group reference ${JSON.stringify(g)}; write '\\\\1' or '\\\\g<name>'`);
    return ref[1] !== undefined ? m[Number(ref[1])] ?? null : m.groups?.[ref[2]!] ?? null;
  });
}

// Conversions and text; each row is one filter.
export const TEXT_FILTERS: readonly FilterSpec[] = [
  {
    name: 'default',
    aliases: ['d'],
    description: '`x | default(y)`: y when x is undefined; `default(y, true)` also when x is empty or false.',
    params: ['default_value', 'boolean'],
    acceptsUndefined: true,
    fn: (v, [fallback, boolean]) => (v === undefined || (truthy(boolean) && !truthy(v)) ? (fallback ?? '') : v),
  },
  {
    name: 'mandatory',
    description: '`x | mandatory`: x, or an error (with the given message) when x is undefined.',
    params: ['msg'],
    acceptsUndefined: true,
    fn: (v, [msg]) => {
      if (v === undefined) throw new FilterError(msg === undefined ? 'a mandatory variable is not defined' : str(msg));
      return v;
    },
  },
  {
    name: 'ternary',
    description: "`cond | ternary('yes', 'no', 'null')`: the first value when cond is true, the second when false (the third when null).",
    params: ['true_val', 'false_val', 'none_val'],
    fn: (v, [yes, no, none]) => (v === null && none !== undefined ? none : truthy(v) ? yes : no),
  },
  { name: 'bool', description: 'true for true, 1 and the strings yes, y, on, true, t, 1 (any case); false otherwise.', fn: (v) => parseBool(v) === true },
  {
    name: 'int',
    description: '`x | int`: an integer (`int(default, base=16)`; 0 when the value is not a number, like Ansible).',
    params: ['default', 'base'],
    fn: (v, [fallback, base]) => toInt(v, fallback, base),
  },
  { name: 'float', description: 'A number (0, or the given default, when the value is not a number).', params: ['default'], fn: (v, [fallback]) => toFloat(v, fallback) },
  { name: 'string', description: 'The value as text (lists and maps as JSON).', fn: (v) => str(v) },
  {
    name: 'length',
    aliases: ['count'],
    description: 'Number of items of a list, keys of a map or characters of a string.',
    fn: (v) => {
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (isMapping(v)) return Object.keys(v).length;
      throw new FilterError(`length expects a list, a map or a string, got ${kindOf(v)}`);
    },
  },
  { name: 'lower', description: 'Lower-cases a string.', fn: (v) => needText(v, 'lower').toLowerCase() },
  { name: 'upper', description: 'Upper-cases a string.', fn: (v) => needText(v, 'upper').toUpperCase() },
  {
    name: 'capitalize',
    description: 'First character upper-case, the rest lower-case.',
    fn: (v) => {
      const t = needText(v, 'capitalize');
      return t.charAt(0).toUpperCase() + t.slice(1).toLowerCase();
    },
  },
  { name: 'trim', description: 'Removes leading and trailing whitespace (or the given characters).', params: ['chars'], fn: (v, [chars]) => trim(needText(v, 'trim'), chars) },
  {
    name: 'replace',
    description: "`s | replace('old', 'new', count)`: every (or the first count) occurrence replaced.",
    params: ['old', 'new', 'count'],
    fn: (v, [old, rep, count]) => {
      const parts = needText(v, 'replace').split(str(old));
      const n = typeof count === 'number' && count >= 0 ? count : parts.length;
      return parts.slice(0, n + 1).join(str(rep)) + (n + 1 < parts.length ? str(old) + parts.slice(n + 1).join(str(old)) : '');
    },
  },
  {
    name: 'regex_replace',
    description: "`s | regex_replace('re', 'with \\\\1')`: every match replaced (Python regular expressions; `ignorecase=true`, `multiline=true`, `count=N`).",
    params: ['regex', 'replacement', 'ignorecase', 'multiline', 'count'],
    fn: (v, [pattern, rep, ignorecase, multiline, count]) => {
      const re = pyRegex(pattern, { ignorecase, multiline }, 'g');
      let left = typeof count === 'number' && count > 0 ? count : Infinity;
      return needText(v, 'regex_replace').replace(re, (...m: unknown[]) => (left-- > 0 ? expand(str(rep), m) : str(m[0])));
    },
  },
  {
    name: 'regex_search',
    description: "`s | regex_search('re')`: the first match or null; with `'\\\\1'` or `'\\\\g<name>'` arguments, a list of those groups.",
    params: ['regex', '...groups'],
    keywords: ['ignorecase', 'multiline'],
    fn: (v, args, kw) => regexSearch(v, args, kw),
  },
  {
    name: 'regex_findall',
    description: "`s | regex_findall('re')`: every match, as a list.",
    params: ['regex', 'ignorecase', 'multiline'],
    fn: (v, [pattern, ignorecase, multiline]) =>
      [...needText(v, 'regex_findall').matchAll(pyRegex(pattern, { ignorecase, multiline }, 'g'))].map((m) =>
        m.length === 1 ? m[0] : m.length === 2 ? m[1] : m.slice(1),
      ),
  },
  {
    name: 'split',
    description: "`s | split(',')`: a list of parts; without a separator, splits on runs of whitespace (Python's str.split).",
    params: ['sep', 'maxsplit'],
    fn: (v, [sep, maxsplit]) => split(needText(v, 'split'), sep, typeof maxsplit === 'number' ? maxsplit : -1),
  },
  { name: 'quote', description: 'POSIX shell quoting of a string.', fn: (v) => quoteArg(needText(v, 'quote')) },
  { name: 'basename', description: "The last part of a path ('/etc/app.conf' gives 'app.conf').", fn: (v) => pyBasename(needText(v, 'basename')) },
  { name: 'dirname', description: "A path without its last part ('/etc/app.conf' gives '/etc').", fn: (v) => pyDirname(needText(v, 'dirname')) },
  { name: 'b64encode', description: 'Base64 of a string (UTF-8).', fn: (v) => Buffer.from(needText(v, 'b64encode'), 'utf8').toString('base64') },
  { name: 'b64decode', description: 'A Base64 string decoded (UTF-8).', fn: (v) => Buffer.from(needText(v, 'b64decode'), 'base64').toString('utf8') },
  { name: 'hash', description: "`s | hash('sha256')`: hex digest (md5, sha1 by default, sha224, sha256, sha384, sha512).", params: ['hashtype'], fn: (v, [t]) => digest(v, t) },
  { name: 'checksum', description: 'The SHA-1 hex digest of a string.', fn: (v) => digest(v, 'sha1') },
  { name: 'md5', description: 'The MD5 hex digest of a string.', fn: (v) => digest(v, 'md5') },
  { name: 'sha1', description: 'The SHA-1 hex digest of a string.', fn: (v) => digest(v, 'sha1') },
];

function trim(text: string, chars: unknown): string {
  if (chars === undefined || chars === null) return text.trim();
  const set = new Set(str(chars));
  let start = 0;
  let end = text.length;
  while (start < end && set.has(text[start]!)) start++;
  while (end > start && set.has(text[end - 1]!)) end--;
  return text.slice(start, end);
}

function split(text: string, sep: unknown, maxsplit: number): string[] {
  if (sep === undefined || sep === null) {
    const words = text.trim().split(/\s+/).filter(Boolean);
    if (maxsplit < 0 || words.length <= maxsplit + 1) return words;
    const out: string[] = [];
    let rest = text.trimStart();
    for (let i = 0; i < maxsplit; i++) {
      const m = /^(\S+)\s+/.exec(rest)!;
      out.push(m[1]!);
      rest = rest.slice(m[0].length);
    }
    return [...out, rest];
  }
  const s = str(sep);
  if (s === '') throw new FilterError('split: empty separator');
  const parts = text.split(s);
  return maxsplit < 0 || parts.length <= maxsplit + 1 ? parts : [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(s)];
}
