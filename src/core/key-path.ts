// Key paths (`[0].tasks[3].wait_for.port`) and short descriptions of found values, for error messages.
import { MASK } from './secrets.js';

export type KeyPath = (string | number)[];

// `tasks[3].wait_for.port`, the way users write paths.
export function formatKeyPath(p: KeyPath): string {
  let out = '';
  for (const k of p) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

// Short description of a found value for `expected X, got Y`: strings quoted, containers by kind, a secret masked.
export function describeValue(v: unknown, o: { secret?: boolean } = {}): string {
  if (v === undefined || v === null || typeof v === 'object') return kindOf(v);
  if (o.secret) return MASK;
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

// The kind of a value without the value: `a string`, `a number`, `a list`, `a mapping`, `null`, `nothing`.
export function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** Value at `p` inside plain data. */
export function valueAt(data: unknown, p: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}
