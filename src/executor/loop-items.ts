// The items of `loop` and of Ansible's `with_*` lookups (with_dict, with_fileglob, with_nested, ...), built on the controller.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { OmsrunError } from '../core/errors.js';
import { describeValue } from '../core/key-path.js';
import { parseBool } from '../core/bool.js';
import { globRegex } from '../core/glob.js';
import type { WithLookup } from '../playbook/keywords.js';
import { MAX_RANGE_ITEMS } from '../core/limits.js';

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The rendered value of `loop` / `with_X` as its list of items; `baseDir` is where fileglob patterns start. */
export function lookupItems(kind: WithLookup | undefined, value: unknown, baseDir: string): unknown[] {
  switch (kind) {
    case undefined:
    case 'list':
      return expectList(kind, value);
    case 'items':
    case 'flattened':
      return kind === 'items' ? expectList(kind, value).flatMap((v) => (Array.isArray(v) ? v : [v])) : flattenDeep(expectList(kind, value));
    case 'indexed_items':
      return expectList(kind, value).map((v, i) => [i, v]);
    case 'dict':
      if (!isMapping(value)) throw new OmsrunError(`with_dict: expected a mapping, got ${describeValue(value)}`);
      return Object.entries(value).map(([key, v]) => ({ key, value: v }));
    case 'together':
      return together(lists(kind, value));
    case 'nested':
    case 'cartesian':
      return lists(kind, value).reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
    case 'sequence':
      return sequence(value);
    case 'subelements':
      return subelements(value);
    case 'fileglob':
      return (Array.isArray(value) ? value : [value]).flatMap((p) => fileglob(String(p), baseDir));
  }
}

function expectList(kind: WithLookup | undefined, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (kind !== undefined && (typeof value === 'string' || typeof value === 'number')) return [value];
  throw new OmsrunError(`${kind ? `with_${kind}` : 'loop'}: expected a list, got ${describeValue(value)}`);
}

function flattenDeep(list: unknown[]): unknown[] {
  return list.flatMap((v) => (Array.isArray(v) ? flattenDeep(v) : [v]));
}

function lists(kind: WithLookup, value: unknown): unknown[][] {
  const outer = expectList(kind, value);
  return outer.map((l) => (Array.isArray(l) ? l : [l]));
}

// [a, b] + [1, 2, 3] → [a, 1], [b, 2], [null, 3]: the shorter lists are padded, as Ansible's with_together does.
function together(all: unknown[][]): unknown[][] {
  const n = Math.max(0, ...all.map((l) => l.length));
  return Array.from({ length: n }, (_, i) => all.map((l) => (i < l.length ? l[i] : null)));
}


// `start=1 end=5 stride=2 format=web%02d`, `count=3`, or the short form `1-5/2:web%02d`; a mapping works too.
function sequence(value: unknown): string[] {
  const spec: Record<string, string> = {};
  if (isMapping(value)) for (const [k, v] of Object.entries(value)) spec[k] = String(v);
  else if (typeof value === 'string' && value.includes('=')) {
    for (const word of value.trim().split(/\s+/)) {
      const eq = word.indexOf('=');
      if (eq > 0) spec[word.slice(0, eq)] = word.slice(eq + 1);
    }
  } else {
    const m = /^\s*(?:(-?\w+)-)?(-?\w+)(?:\/(-?\w+))?(?::(.+))?\s*$/.exec(String(value));
    if (!m) throw new OmsrunError(`with_sequence: cannot read ${describeValue(value)}; write start=1 end=5 (stride=, format=, count=)`);
    if (m[1] !== undefined) spec.start = m[1];
    spec.end = m[2]!;
    if (m[3] !== undefined) spec.stride = m[3];
    if (m[4] !== undefined) spec.format = m[4];
  }
  const num = (k: string, dflt: number): number => {
    if (spec[k] === undefined) return dflt;
    const n = Number(spec[k]);
    // Past 2^53 adding the stride no longer moves the count, which then never ends.
    if (!Number.isSafeInteger(n)) throw new OmsrunError(`with_sequence: ${k} must be a whole number up to ${Number.MAX_SAFE_INTEGER}, got ${describeValue(spec[k])}`);
    return n;
  };
  const start = num('start', 1);
  const stride = num('stride', 1);
  const end = spec.count !== undefined ? start + (num('count', 0) - 1) * stride : num('end', start);
  if (stride === 0) throw new OmsrunError('with_sequence: stride must not be 0');
  if ((end - start) / stride >= MAX_RANGE_ITEMS) {
    throw new OmsrunError(`with_sequence: start=${start} end=${end} stride=${stride} gives more than ${MAX_RANGE_ITEMS} items; check end= and count=, or loop over a list`);
  }
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) out.push(format(spec.format ?? '%d', i));
  return out;
}

// printf's %d, %02d, %x, %o and %s for one number, as with_sequence's format= uses them.
function format(fmt: string, n: number): string {
  return fmt.replace(/%(0?)(\d*)([dxXos%])/g, (_, zero: string, width: string, conv: string) => {
    if (conv === '%') return '%';
    const text = conv === 'x' ? n.toString(16) : conv === 'X' ? n.toString(16).toUpperCase() : conv === 'o' ? n.toString(8) : String(n);
    return text.padStart(Number(width || 0), zero ? '0' : ' ');
  });
}

// [users, 'keys'] → [user, key] for each key of each user; `{skip_missing: true}` skips users without the key.
function subelements(value: unknown): unknown[][] {
  if (!Array.isArray(value) || value.length < 2 || typeof value[1] !== 'string') {
    throw new OmsrunError(`with_subelements: expected [list, "key"] (and optionally {skip_missing: true}), got ${describeValue(value)}`);
  }
  const [list, key, flags] = value as [unknown, string, unknown];
  const skipMissing = isMapping(flags) && parseBool(flags.skip_missing) === true;
  const out: unknown[][] = [];
  for (const element of expectList('subelements', isMapping(list) ? Object.values(list) : list)) {
    const sub = key.split('.').reduce<unknown>((v, k) => (isMapping(v) ? v[k] : undefined), element);
    if (sub === undefined) {
      if (skipMissing) continue;
      throw new OmsrunError(`with_subelements: an item has no key ${JSON.stringify(key)}; add {skip_missing: true} to skip such items`);
    }
    if (!Array.isArray(sub)) throw new OmsrunError(`with_subelements: ${key} of an item is ${describeValue(sub)}, expected a list`);
    for (const s of sub) out.push([element, s]);
  }
  return out;
}

// Files (not folders) on the controller matching a pattern with * ? [..] in its last part, sorted; relative
// patterns start in the role's or playbook's files/ folder, then in that folder itself.
function fileglob(pattern: string, baseDir: string): string[] {
  const dirs = path.isAbsolute(pattern) ? [path.dirname(pattern)] : [path.join(baseDir, 'files', path.dirname(pattern)), path.join(baseDir, path.dirname(pattern))];
  const re = globRegex(path.basename(pattern));
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    const files = names.filter((n) => re.test(n) && statSync(path.join(dir, n), { throwIfNoEntry: false })?.isFile()).sort();
    if (files.length > 0) return files.map((n) => path.join(dir, n));
  }
  return [];
}
