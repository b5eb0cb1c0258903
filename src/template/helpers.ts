// The template helpers, in one table: the renderer registers them and the README lists them.
import YAML from 'yaml';
import { quoteArg, quoteArgv } from '../connection/quote.js';
import { OmsrunError } from '../core/errors.js';
import { kindOf } from '../core/key-path.js';
import { callSpec, filterNamed } from './filters/index.js';

/** What Handlebars passes as the last argument of every helper. */
export interface HelperOptions {
  hash: Record<string, unknown>;
  name: string;
  loc?: { start: { line: number; column: number } };
  fn?: (ctx: unknown) => string;
  inverse?: (ctx: unknown) => string;
  data?: Record<string, unknown>;
}

/** A helper thrown error the renderer turns into a ConfigError with the template line. */
export class HelperError extends OmsrunError {
  override readonly name = 'HelperError';
}

// One entry per helper: the name, the README line, and the code.
export interface HelperSpec {
  name: string;
  /** One line for the README. */
  description: string;
  /** True when the helper accepts undefined arguments (the renderer rejects them otherwise). */
  lenient?: boolean;
  /** `self` is the current context, for block helpers (`options.fn(self)`). */
  fn: (args: unknown[], options: HelperOptions, self?: unknown) => unknown;
}

/** Turns a scalar into YAML text that parses back to the same value, under YAML 1.1 and 1.2. */
export function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return JSON.stringify(value);
  const text = YAML.stringify(value, { version: '1.1', lineWidth: 0, blockQuote: false }).replace(/\n$/, '');
  const same = (v: '1.1' | '1.2'): boolean => {
    try {
      return YAML.parse(`k: ${text}`, { version: v }).k === value;
    } catch {
      return false;
    }
  };
  return !text.includes('\n') && same('1.1') && same('1.2') ? text : JSON.stringify(value);
}

/** Formats a value as a YAML block, without the final newline. */
export function toYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function indentText(text: string, width: number, first: boolean): string {
  const pad = ' '.repeat(width);
  return text
    .split('\n')
    .map((line, i) => ((i > 0 || first) && line !== '' ? pad + line : line))
    .join('\n');
}

// Cells split on `|` (outer pipes optional), padded to each column's widest cell, joined by two spaces.
export function alignColumns(text: string): string {
  const rows = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s*\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$/.test(line))
    .map((line) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim()));
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

// A helper that does what the filter of the same name does (one implementation for both forms).
function filter(name: string, value: unknown): unknown {
  return callSpec(filterNamed(name), value, [], 'filter');
}

function str(v: unknown): string {
  if (v !== null && typeof v === 'object') {
    throw new HelperError(`expected text (a string, number or boolean), got ${kindOf(v)}`);
  }
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

// Registered in the renderer's isolated Handlebars environment, in this order.
export const HELPERS: readonly HelperSpec[] = [
  {
    name: 'yaml',
    description: 'A YAML-safe scalar: `key: {{yaml password}}` parses back to the exact value; numbers and booleans stay typed.',
    fn: ([v]) => yamlScalar(v),
  },
  { name: 'to_yaml', description: 'A value as a YAML block (combine with `indent`).', fn: ([v]) => toYaml(v) },
  {
    name: 'json',
    description: 'A value as JSON; `{{json v indent=2}}` pretty-prints.',
    fn: ([v], o) => JSON.stringify(v, null, typeof o.hash.indent === 'number' ? o.hash.indent : undefined),
  },
  {
    name: 'shell_quote',
    description: 'POSIX single-quoting of a value (a list becomes several quoted words).',
    fn: ([v]) => (Array.isArray(v) ? quoteArgv(v.map(str)) : quoteArg(str(v))),
  },
  {
    name: 'default',
    description: '`{{default x "fallback"}}`: x, or the fallback when x is undefined, null or an empty string.',
    lenient: true,
    fn: ([v, fallback]) => (isEmpty(v) ? fallback : v),
  },
  {
    name: 'join',
    description: '`{{join list ", "}}`: the items of a list joined by a separator (default ",").',
    fn: ([list, sep]) => {
      if (!Array.isArray(list)) throw new HelperError(`expected a list, got ${kindOf(list)}`);
      return list.map(str).join(typeof sep === 'string' ? sep : ',');
    },
  },
  {
    name: 'omsrun_literal',
    description: '`{{{{omsrun_literal}}}}text{{{{/omsrun_literal}}}}`: the text as it is, `{{` included (what the YAML tag `!unsafe` makes of a value).',
    fn: (_args, o, self) => o.fn?.(self) ?? '',
  },
  {
    name: 'split',
    description: '`{{split text}}`: a list of the whitespace-separated words of a string (`{{split text ","}}`: of its parts).',
    fn: ([text, sep]) => (typeof sep === 'string' ? str(text).split(sep) : str(text).trim().split(/\s+/).filter(Boolean)),
  },
  {
    name: 'env',
    description: '`{{env "NAME" "default"}}`: an environment variable of the controller; an error when unset without a default.',
    fn: ([name, fallback]) => {
      const value = process.env[str(name)];
      if (value !== undefined) return value;
      if (fallback !== undefined) return fallback;
      throw new HelperError(`environment variable ${JSON.stringify(str(name))} is not set`);
    },
  },
  { name: 'upper', description: 'Upper-cases a string.', fn: ([v]) => filter('upper', str(v)) },
  { name: 'lower', description: 'Lower-cases a string.', fn: ([v]) => filter('lower', str(v)) },
  { name: 'eq', description: '`{{#if (eq a b)}}`: strict equality.', fn: ([a, b]) => a === b },
  { name: 'ne', description: '`(ne a b)`: strict inequality.', fn: ([a, b]) => a !== b },
  { name: 'and', description: '`(and a b ...)`: true when every argument is truthy.', fn: (args) => args.every(Boolean) },
  { name: 'or', description: '`(or a b ...)`: true when any argument is truthy.', fn: (args) => args.some(Boolean) },
  { name: 'not', description: '`(not a)`: the boolean negation.', fn: ([a]) => !a },
  {
    name: 'contains',
    description: '`{{#if (contains list x)}}`: x is an item of the list, a key of the map or a part of the string.',
    fn: ([container, x]) => {
      if (Array.isArray(container)) return container.includes(x);
      if (typeof container === 'string') return container.includes(str(x));
      if (container && typeof container === 'object') return Object.hasOwn(container, str(x));
      throw new HelperError(`contains expects a list, a map or a string, got ${container === null ? 'null' : typeof container}`);
    },
  },
  {
    name: 'indent',
    description: '`{{indent text 4}}`: indents every line but the first (`first=true` for all) by N spaces.',
    fn: ([text, width], o) => indentText(str(text), typeof width === 'number' ? width : 4, o.hash.first === true),
  },
  {
    name: 'columns',
    description: '`{{#columns}}a | b{{/columns}}`: aligns the `|`-separated cells of each line into columns; `|---|` lines are dropped.',
    fn: (_args, o, self) => {
      if (!o.fn) throw new HelperError('columns is a block helper: {{#columns}}...{{/columns}}');
      return alignColumns(o.fn(self));
    },
  },
  {
    name: 'b64encode',
    description: 'Base64 of a string (UTF-8).',
    fn: ([v]) => filter('b64encode', str(v)),
  },
];

/** Helper names and descriptions, for the README. */
export const HELPER_DOCS: readonly { name: string; description: string }[] = HELPERS.map(({ name, description }) => ({
  name,
  description,
}));
