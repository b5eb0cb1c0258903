// Small value helpers the filters share: Python truthiness, text, attribute paths, ordering and equality.
import { isDeepStrictEqual } from 'node:util';
import { kindOf } from '../../core/key-path.js';
import { FilterError } from './table.js';

/** Python-style truthiness, as Ansible users expect: empty lists and maps are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** A scalar as text (null and undefined are empty); lists and maps as JSON. */
export function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// The value as a list: lists as they are, a map's keys, a string's characters (as Jinja's `list`).
export function asList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isMapping(v)) return Object.keys(v);
  throw new FilterError(`${what} expects a list, got ${kindOf(v)}`);
}

export function needText(v: unknown, what: string): string {
  if (v !== null && typeof v === 'object') throw new FilterError(`${what} expects text, got ${kindOf(v)}`);
  return str(v);
}

// `attribute='a.b'` or `attribute='0'`, read as Jinja reads it (undefined when missing).
export function attrOf(item: unknown, path: unknown): unknown {
  let value = item;
  for (const part of String(path).split('.')) {
    if (value === null || value === undefined) return undefined;
    const key = Array.isArray(value) && /^\d+$/.test(part) ? Number(part) : part;
    value = Object.hasOwn(Object(value), key) ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return value;
}

export function equal(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

// Python ordering for sort, min and max: numbers with numbers, text with text (case-insensitive unless asked).
export function compare(a: unknown, b: unknown, caseSensitive = false): number {
  if (typeof a === 'number' || typeof a === 'boolean') {
    if (typeof b === 'number' || typeof b === 'boolean') return Number(a) - Number(b);
  } else if (typeof a === 'string' && typeof b === 'string') {
    const [x, y] = caseSensitive ? [a, b] : [a.toLowerCase(), b.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  } else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i], caseSensitive);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new FilterError(`cannot order ${kindOf(a)} against ${kindOf(b)}`);
}

// A Python regular expression as a JavaScript one: `(?P<name>` and `(?P=name)` become their JavaScript forms.
export function pyRegex(pattern: unknown, flags: { ignorecase?: unknown; multiline?: unknown } = {}, extra = ''): RegExp {
  const source = needText(pattern, 'a regular expression')
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  const f = `${truthy(flags.ignorecase) ? 'i' : ''}${truthy(flags.multiline) ? 'm' : ''}${extra}`;
  try {
    return new RegExp(source, f);
  } catch (err) {
    throw new FilterError((err as Error).message);
  }
}
