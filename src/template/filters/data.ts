// Filters on maps and on serialised data: combine, dict2items, JSON and YAML.
import YAML from 'yaml';
import { kindOf } from '../../core/key-path.js';
import { FilterError, type FilterSpec } from './table.js';
import { isMapping, needText, str, truthy } from './values.js';

const MAX_DEPTH = 100;

function cyclic(): FilterError {
  return new FilterError('the value refers to itself (hostvars of a host hold hostvars again): convert only the fields you need, e.g. hostvars[host].name');
}

// Python's json.dumps: `{"a": 1, "b": [1, 2]}`, non-ASCII escaped; `indent` and `sortKeys` as to_nice_json.
export function pyJson(v: unknown, indent?: number, sortKeys = false, seen: unknown[] = []): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : Number.isNaN(v) ? 'NaN' : '-Infinity';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof v !== 'object') return JSON.stringify(String(v));
  if (seen.includes(v) || seen.length > MAX_DEPTH) throw cyclic();
  const inner = [...seen, v];
  const pad = indent === undefined ? '' : '\n' + ' '.repeat(indent * inner.length);
  const end = indent === undefined ? '' : '\n' + ' '.repeat(indent * seen.length);
  const sep = indent === undefined ? ', ' : ',';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${v.map((x) => pad + pyJson(x, indent, sortKeys, inner)).join(sep)}${end}]`;
  }
  const keys = Object.keys(v);
  if (sortKeys) keys.sort();
  if (keys.length === 0) return '{}';
  const rec = v as Record<string, unknown>;
  return `{${keys.map((k) => `${pad}${pyJson(k)}: ${pyJson(rec[k], indent, sortKeys, inner)}`).join(sep)}${end}}`;
}

// A plain copy for the YAML writer, refusing cycles (hostvars) with a clear error.
function plain(v: unknown, seen: unknown[] = []): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (seen.includes(v) || seen.length > MAX_DEPTH) throw cyclic();
  const inner = [...seen, v];
  if (Array.isArray(v)) return v.map((x) => plain(x, inner));
  return Object.fromEntries(Object.keys(v).map((k) => [k, plain((v as Record<string, unknown>)[k], inner)]));
}

function yaml(v: unknown, indent: number): string {
  return YAML.stringify(plain(v), { lineWidth: 0, indent, sortMapEntries: true }).replace(/\n$/, '');
}

function mapping(v: unknown, what: string): Record<string, unknown> {
  if (isMapping(v)) return v;
  throw new FilterError(`${what} expects a map, got ${kindOf(v)}`);
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>, recursive: boolean, listMerge: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, bv] of Object.entries(b)) {
    const av = out[k];
    if (recursive && isMapping(av) && isMapping(bv)) out[k] = merge(av, bv, true, listMerge);
    else if (Array.isArray(av) && Array.isArray(bv) && listMerge !== 'replace') {
      out[k] = listMerge === 'keep' ? av : listMerge === 'append' ? [...av, ...bv] : listMerge === 'prepend' ? [...bv, ...av] : bv;
    } else out[k] = bv;
  }
  return out;
}

const LIST_MERGE = ['replace', 'keep', 'append', 'prepend'];

// The parser's own message quotes the text, which may be a secret: say only where it broke.
function parsed<T>(what: string, format: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message)?.[1] ?? (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = pos === undefined ? '' : typeof pos === 'string' ? ` (at character ${pos})` : ` (at line ${pos.line} column ${pos.col})`;
    throw new FilterError(`${what}: the text is not valid ${format}${where}`);
  }
}

// Map and serialisation filters; each row is one filter.
export const DATA_FILTERS: readonly FilterSpec[] = [
  {
    name: 'combine',
    description: "`a | combine(b, c)`: maps merged, later keys winning (`recursive=true` merges nested maps; `list_merge='append'`).",
    params: ['...dicts'],
    keywords: ['recursive', 'list_merge'],
    fn: (v, [dicts], kw) => {
      const listMerge = str(kw.list_merge ?? 'replace');
      if (!LIST_MERGE.includes(listMerge)) throw new FilterError(`combine: list_merge must be one of ${LIST_MERGE.join(', ')}`);
      const all = [v, ...(dicts as unknown[])].flatMap((d) => (Array.isArray(d) ? d : [d]));
      return all.map((d) => mapping(d, 'combine')).reduce((a, b) => merge(a, b, truthy(kw.recursive), listMerge), {});
    },
  },
  {
    name: 'dict2items',
    description: "`{'a': 1} | dict2items` gives `[{'key': 'a', 'value': 1}]` (`key_name=`, `value_name=`).",
    params: ['key_name', 'value_name'],
    fn: (v, [k, val]) => Object.entries(mapping(v, 'dict2items')).map(([key, value]) => ({ [str(k ?? 'key')]: key, [str(val ?? 'value')]: value })),
  },
  {
    name: 'items2dict',
    description: "`[{'key': 'a', 'value': 1}] | items2dict` gives `{'a': 1}` (`key_name=`, `value_name=`).",
    params: ['key_name', 'value_name'],
    fn: (v, [k, val]) => {
      if (!Array.isArray(v)) throw new FilterError(`items2dict expects a list of maps, got ${kindOf(v)}`);
      return Object.fromEntries(v.map((item) => [str(mapping(item, 'items2dict')[str(k ?? 'key')]), item[str(val ?? 'value')]]));
    },
  },
  {
    name: 'dict',
    description: "`dict(a=1)` gives `{'a': 1}`; `pairs | dict` (or `keys | zip(values) | dict`) a map of `[key, value]` pairs.",
    keywords: ['*'],
    fn: (v, _args, kw) => {
      const pairs = v === undefined ? [] : Array.isArray(v) ? v : isMapping(v) ? Object.entries(v) : undefined;
      if (!pairs || !pairs.every((p) => Array.isArray(p) && p.length === 2)) throw new FilterError(`dict expects a list of [key, value] pairs, got ${kindOf(v)}`);
      return { ...Object.fromEntries(pairs.map(([key, value]) => [str(key), value])), ...kw };
    },
  },
  { name: 'to_json', description: 'A value as JSON text, as Python writes it (`{"a": 1}`).', fn: (v) => pyJson(v) },
  { name: 'to_nice_json', description: 'A value as indented JSON text, keys sorted (`indent=4`).', params: ['indent'], fn: (v, [i]) => pyJson(v, typeof i === 'number' ? i : 4, true) },
  { name: 'from_json', description: 'JSON text parsed into a value.', fn: (v) => parsed('from_json', 'JSON', () => JSON.parse(needText(v, 'from_json'))) },
  { name: 'to_yaml', description: 'A value as block YAML text, keys sorted.', params: ['indent'], fn: (v, [i]) => yaml(v, typeof i === 'number' ? i : 2) },
  { name: 'to_nice_yaml', description: 'A value as block YAML text indented by 4, keys sorted (`indent=`).', params: ['indent'], fn: (v, [i]) => yaml(v, typeof i === 'number' ? i : 4) },
  { name: 'from_yaml', description: 'YAML text parsed into a value.', fn: (v) => parsed('from_yaml', 'YAML', () => YAML.parse(needText(v, 'from_yaml'))) },
];
