// Functions and transforms for conditions; each works both as `f(x, y)` and as `x|f(y)`.
import { parseBool } from '../core/bool.js';

/** Python-style truthiness, as Ansible users expect: empty lists and maps are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function regex(pattern: unknown, flags = ''): RegExp {
  return new RegExp(str(pattern), flags);
}

// One entry per function: the name, the README line, and the code.
export interface ExprFunction {
  name: string;
  /** One line for the README. */
  description: string;
  fn: (value: unknown, ...args: unknown[]) => unknown;
}

// Registered both as jexl functions and as transforms.
export const EXPR_FUNCTIONS: readonly ExprFunction[] = [
  { name: 'defined', description: '`defined(x)` / `x is defined`: true when x is set (no error when it is not).', fn: (v) => v !== undefined },
  {
    name: 'default',
    description: '`x|default(y)`: x, or y when x is undefined, null or an empty string.',
    fn: (v, fallback) => (v === undefined || v === null || v === '' ? fallback : v),
  },
  {
    name: 'length',
    description: 'Length of a string or list, number of keys of a map.',
    fn: (v) => (typeof v === 'string' || Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  },
  { name: 'lower', description: 'Lower-cases a string.', fn: (v) => str(v).toLowerCase() },
  { name: 'upper', description: 'Upper-cases a string.', fn: (v) => str(v).toUpperCase() },
  { name: 'trim', description: 'Removes leading and trailing whitespace.', fn: (v) => str(v).trim() },
  {
    name: 'int',
    description: 'An integer (0 when the value is not a number, like Ansible).',
    fn: (v) => {
      const n = typeof v === 'number' ? Math.trunc(v) : parseInt(str(v).trim(), 10);
      return Number.isNaN(n) ? 0 : n;
    },
  },
  {
    name: 'float',
    description: 'A number (0 when the value is not a number).',
    fn: (v) => {
      const n = typeof v === 'number' ? v : parseFloat(str(v).trim());
      return Number.isNaN(n) ? 0 : n;
    },
  },
  {
    name: 'bool',
    description: 'true for true, 1 and the strings yes, y, on, true, t, 1 (any case); false otherwise.',
    fn: (v) => parseBool(v) === true,
  },
  { name: 'string', description: 'The value as a string.', fn: (v) => str(v) },
  {
    name: 'contains',
    description: '`contains(list_or_string, x)`: x is an item of the list, a substring, or a key of the map.',
    fn: (v, x) =>
      typeof v === 'string'
        ? v.includes(str(x))
        : Array.isArray(v)
          ? v.includes(x)
          : v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, str(x)),
  },
  {
    name: 'match',
    description: '`match(s, "re")`: the regular expression matches at the start of s.',
    fn: (v, p) => regex(p, 'y').test(str(v)),
  },
  { name: 'search', description: '`search(s, "re")`: the regular expression matches anywhere in s.', fn: (v, p) => regex(p).test(str(v)) },
  {
    name: 'regex_search',
    description: '`regex_search(s, "re")`: the first match, or null.',
    fn: (v, p) => regex(p).exec(str(v))?.[0] ?? null,
  },
  {
    name: 'split',
    description: '`split(s, sep)`: a list of parts; without sep, splits on runs of whitespace.',
    fn: (v, sep) => (sep === undefined ? str(v).trim().split(/\s+/).filter(Boolean) : str(v).split(str(sep))),
  },
  {
    name: 'join',
    description: '`join(list, sep)`: the items joined by sep (default ",").',
    fn: (v, sep) => (Array.isArray(v) ? v.map(str).join(sep === undefined ? ',' : str(sep)) : str(v)),
  },
];
