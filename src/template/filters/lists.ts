// Filters on lists: picking, mapping, selecting, ordering, numbers.
import { kindOf } from '../../core/key-path.js';
import { filterNamed, testNamed } from './index.js';
import { callSpec, FilterError, type FilterSpec } from './table.js';
import { asList, attrOf, compare, equal, str, truthy } from './values.js';
import { MAX_RANGE_ITEMS } from '../../core/limits.js';

function list(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new FilterError(`${what} expects a list, got ${kindOf(v)}`);
}

function numbers(v: unknown[], what: string): number[] {
  return v.map((x) => {
    if (typeof x === 'number' || typeof x === 'boolean') return Number(x);
    throw new FilterError(`${what} expects numbers, got ${kindOf(x)}`);
  });
}

// `select('match', 're')`: a test by name with its arguments; without a name, truthiness.
function byTest(name: unknown, args: unknown[]): (v: unknown) => boolean {
  if (name === undefined) return truthy;
  const spec = testNamed(str(name));
  return (v) => truthy(callSpec(spec, v, args, 'test'));
}

function pick(v: unknown, [attr, test, rest]: unknown[], keep: boolean, what: string): unknown[] {
  const check = byTest(test, rest as unknown[]);
  return list(v, what).filter((item) => check(attr === undefined ? item : attrOf(item, attr)) === keep);
}

function unique(items: unknown[], caseSensitive: unknown, attribute: unknown): unknown[] {
  const out: unknown[] = [];
  const seen: unknown[] = [];
  for (const item of items) {
    let key = attribute === undefined ? item : attrOf(item, attribute);
    if (!truthy(caseSensitive) && typeof key === 'string') key = key.toLowerCase();
    if (seen.some((s) => equal(s, key))) continue;
    seen.push(key);
    out.push(item);
  }
  return out;
}

function flatten(v: unknown[], levels: number, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const item of v) {
    if (skipNulls && (item === null || item === 'None')) continue;
    if (Array.isArray(item) && levels !== 0) out.push(...flatten(item, levels - 1, skipNulls));
    else out.push(item);
  }
  return out;
}

function sortKey(attribute: unknown): (v: unknown) => unknown {
  return (v) => (attribute === undefined || attribute === null ? v : attrOf(v, attribute));
}

function extreme(v: unknown, attribute: unknown, caseSensitive: unknown, sign: 1 | -1, what: string): unknown {
  const items = asList(v, what);
  const key = sortKey(attribute);
  if (items.length === 0) return undefined;
  return items.reduce((best, x) => (sign * compare(key(x), key(best), truthy(caseSensitive)) > 0 ? x : best));
}

function pyRound(v: number, precision: number, method: string): number {
  const f = 10 ** precision;
  if (method === 'ceil') return Math.ceil(v * f) / f;
  if (method === 'floor') return Math.floor(v * f) / f;
  if (method !== 'common') throw new FilterError(`round: method must be common, ceil or floor, got ${JSON.stringify(method)}`);
  return (Math.sign(v) * Math.round(Math.abs(v) * f)) / f;
}

// List filters; each row is one filter.
export const LIST_FILTERS: readonly FilterSpec[] = [
  { name: 'list', description: 'The value as a list: a list as it is, the keys of a map, the characters of a string.', fn: (v) => [...asList(v, 'list')] },
  { name: 'first', description: 'The first item of a list (or character of a string).', fn: (v) => asList(v, 'first')[0] },
  { name: 'last', description: 'The last item of a list (or character of a string).', fn: (v) => asList(v, 'last').at(-1) },
  {
    name: 'join',
    description: "`list | join(', ')`: the items as text joined by a separator (none by default; `attribute=` joins that field).",
    params: ['d', 'attribute'],
    fn: (v, [sep, attr]) => asList(v, 'join').map((x) => str(attr === undefined ? x : attrOf(x, attr))).join(str(sep ?? '')),
  },
  {
    name: 'map',
    description: "`list | map(attribute='name')` (a field of each item, `default=` when missing) or `list | map('upper')` (a filter on each item, with its arguments).",
    params: ['...args'],
    keywords: ['attribute', 'default'],
    fn: (v, [args], kw) => {
      const items = asList(v, 'map');
      const [name, ...rest] = args as unknown[];
      if (kw.attribute !== undefined) return items.map((x) => attrOf(x, kw.attribute) ?? kw.default);
      if (name === undefined) throw new FilterError("map needs a filter name or attribute=: map('upper') or map(attribute='name')");
      const spec = filterNamed(str(name));
      return items.map((x) => callSpec(spec, x, rest, 'filter'));
    },
  },
  {
    name: 'extract',
    description: "`names | map('extract', hostvars, 'ip')`: the item used as a key (or index) into a container, then into further keys.",
    params: ['container', 'morekeys'],
    fn: (v, [container, more]) => {
      const keys = more === undefined ? [] : Array.isArray(more) ? more : [more];
      return [v, ...keys].reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[String(key)] : undefined), container);
    },
  },
  {
    name: 'select',
    description: "`list | select('match', 're')`: the items that pass a test (truthy ones without a test).",
    params: ['test', '...args'],
    fn: (v, [test, args]) => pick(v, [undefined, test, args], true, 'select'),
  },
  {
    name: 'reject',
    description: "`list | reject('search', 'x')`: the items that fail a test (falsy ones without a test).",
    params: ['test', '...args'],
    fn: (v, [test, args]) => pick(v, [undefined, test, args], false, 'reject'),
  },
  {
    name: 'selectattr',
    description: "`users | selectattr('admin')`, `selectattr('state', 'equalto', 'up')`: the items whose field passes a test.",
    params: ['attribute', 'test', '...args'],
    fn: (v, args) => pick(v, args, true, 'selectattr'),
  },
  {
    name: 'rejectattr',
    description: "`users | rejectattr('admin')`: the items whose field fails a test.",
    params: ['attribute', 'test', '...args'],
    fn: (v, args) => pick(v, args, false, 'rejectattr'),
  },
  {
    name: 'unique',
    description: 'The items without repeats, first one kept (case-insensitive unless `case_sensitive=true`; `attribute=`).',
    params: ['case_sensitive', 'attribute'],
    fn: (v, [cs, attr]) => unique(asList(v, 'unique'), cs, attr),
  },
  {
    name: 'sort',
    description: "`list | sort(attribute='name', reverse=true)`: sorted (text case-insensitively unless `case_sensitive=true`).",
    params: ['reverse', 'case_sensitive', 'attribute'],
    fn: (v, [reverse, cs, attr]) => {
      const key = sortKey(attr);
      const sign = truthy(reverse) ? -1 : 1;
      return [...asList(v, 'sort')].sort((a, b) => sign * compare(key(a), key(b), truthy(cs)));
    },
  },
  {
    name: 'flatten',
    description: '`lists | flatten`: nested lists as one list (`flatten(1)`: one level); nulls are dropped.',
    params: ['levels', 'skip_nulls'],
    fn: (v, [levels, skip]) => flatten(list(v, 'flatten'), typeof levels === 'number' ? levels : -1, skip === undefined ? true : truthy(skip)),
  },
  { name: 'min', description: "The smallest item (`attribute=`).", params: ['attribute', 'case_sensitive'], fn: (v, [a, cs]) => extreme(v, a, cs, -1, 'min') },
  { name: 'max', description: "The largest item (`attribute=`).", params: ['attribute', 'case_sensitive'], fn: (v, [a, cs]) => extreme(v, a, cs, 1, 'max') },
  {
    name: 'sum',
    description: "The sum of the items (`attribute=`, `start=`).",
    params: ['attribute', 'start'],
    fn: (v, [attr, start]) => numbers(asList(v, 'sum').map(sortKey(attr)), 'sum').reduce((a, b) => a + b, typeof start === 'number' ? start : 0),
  },
  {
    name: 'zip',
    description: '`a | zip(b)`: a list of pairs `[a0, b0], [a1, b1]`, as long as the shortest list.',
    params: ['...others'],
    fn: (v, [others]) => {
      const lists = [asList(v, 'zip'), ...(others as unknown[]).map((o) => asList(o, 'zip'))];
      const n = Math.min(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
    },
  },
  {
    name: 'abs',
    description: 'The absolute value of a number.',
    fn: (v) => {
      if (typeof v !== 'number') throw new FilterError(`abs expects a number, got ${kindOf(v)}`);
      return Math.abs(v);
    },
  },
  {
    name: 'round',
    description: "`x | round(2)`: rounded (halves away from zero; `round(0, 'floor')`, `'ceil'`).",
    params: ['precision', 'method'],
    fn: (v, [precision, method]) => {
      if (typeof v !== 'number') throw new FilterError(`round expects a number, got ${kindOf(v)}`);
      return pyRound(v, typeof precision === 'number' ? precision : 0, str(method ?? 'common'));
    },
  },
  {
    name: 'range',
    description: '`range(3)` gives `[0, 1, 2]`; `range(1, 10, 3)` gives `[1, 4, 7]`.',
    params: ['stop', 'step'],
    fn: (a, [b, step]) => {
      const [start, stop] = b === undefined ? [0, a] : [a, b];
      const by = step === undefined ? 1 : step;
      // Whole numbers as in Python; past 2^53 `i += by` would stand still and fill memory.
      if (!isWhole(start) || !isWhole(stop) || !isWhole(by) || by === 0) {
        throw new FilterError(`range expects whole numbers up to ${Number.MAX_SAFE_INTEGER}: range(stop), range(start, stop) or range(start, stop, step) with a step other than 0`);
      }
      if (Math.abs((stop - start) / by) > MAX_RANGE_ITEMS) throw new FilterError(`range: more than ${MAX_RANGE_ITEMS} items`);
      const out: number[] = [];
      for (let i = start; by > 0 ? i < stop : i > stop; i += by) out.push(i);
      return out;
    },
  },
];

function isWhole(n: unknown): n is number {
  return Number.isSafeInteger(n);
}
