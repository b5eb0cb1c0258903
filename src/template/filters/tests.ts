// Tests (`x is name(args)`), also usable by select, reject, selectattr and rejectattr.
import { existsSync, lstatSync, statSync } from 'node:fs';
import { parseBool } from '../../core/bool.js';
import { kindOf } from '../../core/key-path.js';
import { FilterError, type FilterSpec } from './table.js';
import { equal, isMapping, needText, pyRegex, str, truthy } from './values.js';
import { versionTest } from './version.js';

function result(v: unknown, test: string): Record<string, unknown> {
  if (isMapping(v)) return v;
  throw new FilterError(`the '${test}' test expects a registered result (a map), got ${kindOf(v)}`);
}

// Jinja's `in`: a list item, a map key or a substring (false for anything else).
export function within(item: unknown, seq: unknown): boolean {
  if (typeof seq === 'string') return (typeof item === 'string' || typeof item === 'number') && seq.includes(String(item));
  if (Array.isArray(seq)) return seq.some((x) => equal(x, item));
  if (isMapping(seq)) return Object.hasOwn(seq, str(item));
  return false;
}

function changed(v: unknown): boolean {
  const r = result(v, 'changed');
  if ('changed' in r) return truthy(r.changed);
  return Array.isArray(r.results) && r.results.some((x) => isMapping(x) && truthy(x.changed));
}

function regexTest(v: unknown, pattern: unknown, ignorecase: unknown, multiline: unknown, type: unknown): boolean {
  const text = needText(v, 'regex');
  const kind = str(type ?? 'search');
  const source = kind === 'match' ? `^(?:${needText(pattern, 'regex')})` : kind === 'fullmatch' ? `^(?:${needText(pattern, 'regex')})$` : pattern;
  if (!['search', 'match', 'fullmatch'].includes(kind)) throw new FilterError(`match_type must be search, match or fullmatch, got ${JSON.stringify(kind)}`);
  // Python's re.match anchors at the start of the text even in multiline mode; JavaScript's ^ would match at any line.
  const re = pyRegex(source, { ignorecase, multiline: kind === 'search' ? multiline : false });
  return re.test(text);
}

function compareTest(name: string, aliases: string[], f: (a: unknown, b: unknown) => boolean, what: string): FilterSpec {
  return { name, aliases, description: what, params: ['other'], fn: (v, [other]) => f(v, other) };
}

function pathTest(name: string, description: string, f: (p: string) => boolean): FilterSpec {
  return { name, description, fn: (v) => f(needText(v, name)) };
}

const isNumber = (v: unknown): boolean => typeof v === 'number' || typeof v === 'boolean';
const order = (a: unknown, b: unknown): number => {
  if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return a < b ? -1 : a > b ? 1 : 0;
  throw new FilterError(`cannot order ${kindOf(a)} against ${kindOf(b)}`);
};

// Each row is one test.
export const TESTS: readonly FilterSpec[] = [
  { name: 'defined', description: '`x is defined`: x is set (no error when it is not; also `defined(x)`).', acceptsUndefined: true, fn: (v) => v !== undefined },
  { name: 'undefined', description: '`x is undefined`: x is not set.', acceptsUndefined: true, fn: (v) => v === undefined },
  { name: 'none', description: '`x is none`: x is null.', fn: (v) => v === null },
  {
    name: 'truthy',
    description: '`x is truthy`: true by Python truthiness (`convert_bool=true` reads yes/no words).',
    params: ['convert_bool'],
    fn: (v, [cb]) => (truthy(cb) ? parseBool(v) ?? truthy(v) : truthy(v)),
  },
  {
    name: 'falsy',
    description: '`x is falsy`: the opposite of truthy.',
    params: ['convert_bool'],
    fn: (v, [cb]) => !(truthy(cb) ? parseBool(v) ?? truthy(v) : truthy(v)),
  },
  {
    name: 'version',
    aliases: ['version_compare'],
    description: "`v is version('1.2', '>=')`: compares versions as Ansible does (`strict=true`, `version_type='semver'`).",
    params: ['version', 'operator', 'strict', 'version_type'],
    fn: (v, [version, op, strict, type]) => versionTest(v, version, op, strict, type),
  },
  { name: 'succeeded', aliases: ['success', 'successful'], description: '`result is succeeded`: a registered result that did not fail.', fn: (v) => !truthy(result(v, 'succeeded').failed) },
  { name: 'failed', aliases: ['failure'], description: '`result is failed`: a registered result that failed.', fn: (v) => truthy(result(v, 'failed').failed) },
  { name: 'changed', aliases: ['change'], description: '`result is changed`: a registered result that changed something.', fn: (v) => changed(v) },
  { name: 'skipped', aliases: ['skip'], description: '`result is skipped`: a registered result of a skipped task.', fn: (v) => truthy(result(v, 'skipped').skipped) },
  {
    name: 'match',
    description: "`s is match('re')`: the regular expression matches at the start of s (also `match(s, 're')`).",
    params: ['pattern', 'ignorecase', 'multiline'],
    fn: (v, [p, i, m]) => regexTest(v, p, i, m, 'match'),
  },
  {
    name: 'search',
    description: "`s is search('re')`: the regular expression matches anywhere in s (also `search(s, 're')`).",
    params: ['pattern', 'ignorecase', 'multiline'],
    fn: (v, [p, i, m]) => regexTest(v, p, i, m, 'search'),
  },
  {
    name: 'regex',
    description: "`s is regex('re', match_type='match')`: search (default), match or fullmatch.",
    params: ['pattern', 'ignorecase', 'multiline', 'match_type'],
    fn: (v, [p, i, m, t]) => regexTest(v, p, i, m, t),
  },
  { name: 'in', description: "`x is in(list)`: an item of the list, a key of the map or a part of the string.", params: ['seq'], fn: (v, [seq]) => within(v, seq) },
  {
    name: 'contains',
    description: '`list is contains(x)` (also `contains(list, x)`): x is an item of the list, a key of the map or a part of the string.',
    params: ['item'],
    fn: (v, [item]) => within(item, v),
  },
  {
    name: 'subset',
    description: '`a is subset(b)`: every item of a is in b.',
    params: ['b'],
    fn: (v, [b]) => (v as unknown[]).every((x) => within(x, b)),
  },
  {
    name: 'superset',
    description: '`a is superset(b)`: every item of b is in a.',
    params: ['b'],
    fn: (v, [b]) => (b as unknown[]).every((x) => within(x, v)),
  },
  { name: 'string', description: '`x is string`: text.', fn: (v) => typeof v === 'string' },
  { name: 'number', description: '`x is number`: a number (booleans count, as in Python).', fn: isNumber },
  { name: 'integer', description: '`x is integer`: a whole number (not a boolean).', fn: (v) => typeof v === 'number' && Number.isInteger(v) },
  { name: 'float', description: '`x is float`: a number with a fraction.', fn: (v) => typeof v === 'number' && !Number.isInteger(v) },
  { name: 'boolean', description: '`x is boolean`: true or false.', fn: (v) => typeof v === 'boolean' },
  { name: 'mapping', description: '`x is mapping`: a map.', fn: isMapping },
  { name: 'iterable', description: '`x is iterable`: a list, a map or a string.', fn: (v) => typeof v === 'string' || (v !== null && typeof v === 'object') },
  { name: 'sequence', description: '`x is sequence`: a list, a map or a string.', fn: (v) => typeof v === 'string' || (v !== null && typeof v === 'object') },
  { name: 'true', description: '`x is true`: exactly true.', fn: (v) => v === true },
  { name: 'false', description: '`x is false`: exactly false.', fn: (v) => v === false },
  { name: 'odd', description: '`n is odd`.', fn: (v) => typeof v === 'number' && Math.abs(v % 2) === 1 },
  { name: 'even', description: '`n is even`.', fn: (v) => typeof v === 'number' && v % 2 === 0 },
  { name: 'divisibleby', description: '`n is divisibleby(3)`.', params: ['num'], fn: (v, [n]) => typeof v === 'number' && typeof n === 'number' && v % n === 0 },
  { name: 'lower', description: '`s is lower`: all lower-case.', fn: (v) => typeof v === 'string' && v === v.toLowerCase() },
  { name: 'upper', description: '`s is upper`: all upper-case.', fn: (v) => typeof v === 'string' && v === v.toUpperCase() },
  compareTest('equalto', ['eq', '=='], equal, "`x is equalto(y)` (also `eq`, `==`): equal; for `selectattr('state', 'equalto', 'up')`."),
  compareTest('ne', ['!='], (a, b) => !equal(a, b), '`x is ne(y)` (also `!=`): not equal.'),
  compareTest('lt', ['lessthan', '<'], (a, b) => order(a, b) < 0, '`x is lt(y)` (also `<`).'),
  compareTest('le', ['<='], (a, b) => order(a, b) <= 0, '`x is le(y)` (also `<=`).'),
  compareTest('gt', ['greaterthan', '>'], (a, b) => order(a, b) > 0, '`x is gt(y)` (also `>`).'),
  compareTest('ge', ['>='], (a, b) => order(a, b) >= 0, '`x is ge(y)` (also `>=`).'),
  compareTest('sameas', [], (a, b) => a === b, '`x is sameas(y)`: the very same value.'),
  pathTest('file', '`path is file`: a regular file on the controller.', (p) => existsSync(p) && statSync(p).isFile()),
  pathTest('directory', '`path is directory`: a folder on the controller.', (p) => existsSync(p) && statSync(p).isDirectory()),
  pathTest('exists', '`path is exists`: a path that exists on the controller.', (p) => existsSync(p)),
  pathTest('link', '`path is link`: a symbolic link on the controller.', (p) => { try { return lstatSync(p).isSymbolicLink(); } catch { return false; } }),
];
