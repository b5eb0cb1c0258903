// Ansible's set filters, random and product, and the Python methods playbooks call on values (`d.keys()`, `s.find('x')`).
import { createHash } from 'node:crypto';
import { kindOf } from '../../core/key-path.js';
import { FilterError, type FilterSpec } from './table.js';
import { asList, equal, isMapping, needText, str } from './values.js';

function mapping(v: unknown, what: string): Record<string, unknown> {
  if (isMapping(v)) return v;
  throw new FilterError(`${what} expects a mapping, got ${kindOf(v)}`);
}

function uniq(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!out.some((o) => equal(o, x))) out.push(x);
  return out;
}

const has = (list: unknown[], x: unknown) => list.some((o) => equal(o, x));

function setOp(name: string, description: string, op: (a: unknown[], b: unknown[]) => unknown[]): FilterSpec {
  return { name, description, params: ['other'], fn: (v, [other]) => uniq(op(asList(v, name), asList(other, name))) };
}

// A seeded generator for `random(seed=...)`: the same seed gives the same pick on every run, as Ansible's.
function seeded(seed: unknown): () => number {
  let s = createHash('sha256').update(str(seed)).digest().readUInt32LE(0);
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function random(v: unknown, start: unknown, step: unknown, seed: unknown): unknown {
  const rnd = seed === undefined || seed === null ? Math.random : seeded(seed);
  if (typeof v === 'number') {
    const [from, by] = [typeof start === 'number' ? start : 0, typeof step === 'number' ? step : 1];
    const count = Math.ceil((v - from) / by);
    if (!Number.isInteger(v) || by <= 0 || count <= 0) throw new FilterError(`random: empty range for ${v} (start ${from}, step ${by})`);
    return from + Math.floor(rnd() * count) * by;
  }
  const items = asList(v, 'random');
  if (items.length === 0) throw new FilterError('random: the list is empty');
  return items[Math.floor(rnd() * items.length)];
}

function product(lists: unknown[][]): unknown[][] {
  return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((prefix) => l.map((x) => [...prefix, x])), [[]]);
}

// Python's %-formatting for %s, %d/%i, %x/%X, %o, %f, %r and %%.
function percentFormat(fmt: string, values: unknown[]): string {
  let i = 0;
  const out = fmt.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdixXofr%])/g, (_m, flags: string, width: string, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    if (i >= values.length) throw new FilterError('format: not enough arguments for the format string');
    const v = values[i++];
    const num = () => {
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new FilterError(`format: %${conv} expects a number, got ${kindOf(v)}`);
      return Number(v);
    };
    let s: string;
    if (conv === 's' || conv === 'r') s = conv === 'r' && typeof v === 'string' ? `'${v}'` : typeof v === 'boolean' ? (v ? 'True' : 'False') : str(v);
    else if (conv === 'd' || conv === 'i') s = Math.trunc(num()).toString();
    else if (conv === 'x') s = Math.trunc(num()).toString(16);
    else if (conv === 'X') s = Math.trunc(num()).toString(16).toUpperCase();
    else if (conv === 'o') s = Math.trunc(num()).toString(8);
    else s = num().toFixed(prec === undefined ? 6 : Number(prec));
    const w = Number(width || 0);
    if (s.length >= w) return s;
    if (flags.includes('-')) return s.padEnd(w);
    return flags.includes('0') && conv !== 's' ? s.padStart(w, '0') : s.padStart(w);
  });
  if (i < values.length) throw new FilterError('format: not all arguments converted during string formatting');
  return out;
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? undefined : str(chars);
  const strip = (c: string) => (set === undefined ? /\s/.test(c) : set.includes(c));
  let [a, b] = [0, s.length];
  while (left && a < b && strip(s[a]!)) a++;
  while (right && b > a && strip(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const prefixes = (p: unknown): string[] => (Array.isArray(p) ? p.map(str) : [str(p)]);

export const METHOD_FILTERS: FilterSpec[] = [
  setOp('union', '`a | union(b)`: the items of both, without repeats.', (a, b) => [...a, ...b]),
  setOp('intersect', '`a | intersect(b)`: the items of a that are also in b, without repeats.', (a, b) => a.filter((x) => has(b, x))),
  setOp('difference', '`a | difference(b)`: the items of a that are not in b, without repeats.', (a, b) => a.filter((x) => !has(b, x))),
  setOp('symmetric_difference', '`a | symmetric_difference(b)`: the items in exactly one of a and b.', (a, b) => [...a.filter((x) => !has(b, x)), ...b.filter((x) => !has(a, x))]),
  {
    name: 'random',
    description: "`10 | random` an integer from 0 to 9 (`start=`, `step=`); `list | random` one item; `seed=` makes it the same on every run.",
    params: ['start', 'step', 'seed'],
    fn: (v, [start, step, seed]) => random(v, start, step, seed),
  },
  {
    name: 'product',
    description: '`a | product(b)`: every pair (a0, b0), (a0, b1), ... (itertools.product).',
    params: ['...others'],
    fn: (v, [others]) => product([asList(v, 'product'), ...(others as unknown[]).map((o) => asList(o, 'product'))]),
  },
  {
    name: 'format',
    description: "`'%s=%s' | format(k, v)`: Python's %-formatting (%s, %d, %x, %o, %f).",
    params: ['...values'],
    fn: (v, [values]) => percentFormat(needText(v, 'format'), values as unknown[]),
  },
  { name: 'keys', description: '`d.keys()`: the keys of a mapping, as a list.', fn: (v) => Object.keys(mapping(v, 'keys')) },
  { name: 'values', description: '`d.values()`: the values of a mapping, as a list.', fn: (v) => Object.values(mapping(v, 'values')) },
  { name: 'items', description: '`d.items()`: the `[key, value]` pairs of a mapping.', fn: (v) => Object.entries(mapping(v, 'items')) },
  {
    name: 'get',
    description: "`d.get('k', default)`: the value under a key, or the default (None).",
    params: ['key', 'default'],
    fn: (v, [key, def]) => {
      const m = mapping(v, 'get');
      const k = str(key);
      return Object.hasOwn(m, k) ? m[k] : (def ?? null);
    },
  },
  { name: 'find', description: "`s.find('x')`: where the text first occurs in s, or -1.", params: ['sub'], fn: (v, [sub]) => needText(v, 'find').indexOf(str(sub)) },
  {
    name: 'startswith',
    description: "`s.startswith('x')` (or a list of prefixes): true when s starts with it.",
    params: ['prefix'],
    fn: (v, [p]) => prefixes(p).some((x) => needText(v, 'startswith').startsWith(x)),
  },
  {
    name: 'endswith',
    description: "`s.endswith('x')` (or a list of suffixes): true when s ends with it.",
    params: ['suffix'],
    fn: (v, [p]) => prefixes(p).some((x) => needText(v, 'endswith').endsWith(x)),
  },
  { name: 'strip', description: "`s.strip()`: without whitespace (or the given characters) at both ends.", params: ['chars'], fn: (v, [c]) => stripChars(needText(v, 'strip'), c, true, true) },
  { name: 'lstrip', description: "`s.lstrip()`: without whitespace (or the given characters) at the start.", params: ['chars'], fn: (v, [c]) => stripChars(needText(v, 'lstrip'), c, true, false) },
  { name: 'rstrip', description: "`s.rstrip()`: without whitespace (or the given characters) at the end.", params: ['chars'], fn: (v, [c]) => stripChars(needText(v, 'rstrip'), c, false, true) },
  { name: 'splitlines', description: '`s.splitlines()`: the lines of s, without their line ends.', fn: (v) => needText(v, 'splitlines').split(/\r\n|\r|\n/).filter((l, i, all) => i < all.length - 1 || l !== '') },
];
