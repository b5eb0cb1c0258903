// zod issues turned into friendly ConfigErrors positioned in the YAML source, with did-you-mean hints.
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import { ConfigError, ConfigErrors, type SourcePos } from './errors.js';
import { isSecretName } from './secrets.js';
import { describeValue, formatKeyPath, valueAt, type KeyPath } from './key-path.js';

// Throws one ConfigError as itself, several as ConfigErrors.
export function toErrors(errors: ConfigError[]): ConfigError | ConfigErrors {
  return errors.length === 1 ? errors[0]! : new ConfigErrors(errors);
}

/** Where the values of a file sit; a YamlSource is one. */
export interface SourcePositions {
  /** Position of the value at `path`. */
  posOf(path: KeyPath): SourcePos;
  /** Position of the key itself at `path`. */
  posOfKey(path: KeyPath): SourcePos;
}

/** How zod issues are placed in the file. */
export interface IssueOptions {
  /** Where the validated value sits in the file. @defaultValue [] */
  base?: KeyPath;
  /** Maps a path inside the validated value to a path in the file (free-form args, `args:`). */
  mapPath?: (p: KeyPath) => KeyPath;
  /** Skip issues at or under a string containing `{{` (checked again after rendering). @defaultValue false */
  skipTemplated?: boolean;
}

/** One zod issue in words: where inside the validated value, and what was expected and found. */
export interface IssueText {
  path: KeyPath;
  /** The issue is about the key's name (unknown key, bad record key), not its value. */
  key: boolean;
  /** `expected X, got Y` (or `unknown key "k"`, `missing required key "k"`). */
  detail: string;
  hint?: string;
}

// One friendly ConfigError per zod issue, positioned in the YAML source (load time).
export function issuesToErrors(
  issues: readonly ZodIssue[],
  value: unknown,
  schema: z.ZodType | undefined,
  src: SourcePositions,
  opts: IssueOptions = {},
): ConfigError[] {
  return explainIssues(issues, value, schema, opts).map((t) => {
    const fieldPath = [...(opts.base ?? []), ...(opts.mapPath ? opts.mapPath(t.path) : t.path)];
    return new ConfigError(t.detail, { pos: t.key ? src.posOfKey(fieldPath) : src.posOf(fieldPath), keyPath: formatKeyPath(fieldPath), hint: t.hint });
  });
}

// The words for each zod issue, the same at load time and at run time (arguments after templating).
export function explainIssues(
  issues: readonly ZodIssue[],
  value: unknown,
  schema: z.ZodType | undefined,
  opts: { skipTemplated?: boolean } = {},
): IssueText[] {
  const out: IssueText[] = [];
  // badKey: the issues are about that key's name (a record key that fails its pattern), not its value.
  const walkIssues = (list: readonly ZodIssue[], prefix: KeyPath, sub: unknown, badKey?: string): void => {
    for (const issue of list) {
      const p = [...prefix, ...issue.path.filter((k): k is string | number => typeof k !== 'symbol')];
      if (opts.skipTemplated && isUnderTemplate(value, p)) continue;
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const branch = pickBranch(issue.errors);
        if (branch !== undefined) {
          walkIssues(issue.errors[branch]!, p, unionOptions(schemaAt(sub, issue.path))[branch]);
          continue;
        }
      }
      if ((issue.code === 'invalid_key' || issue.code === 'invalid_element') && issue.issues.length > 0) {
        walkIssues(issue.issues, p, undefined, issue.code === 'invalid_key' ? String(p[p.length - 1]) : undefined);
        continue;
      }
      const texts = oneIssue(issue, p, badKey ?? valueAt(value, p), knownKeys(schemaAt(sub, issue.path)), value);
      out.push(...(badKey === undefined ? texts : texts.map((t) => ({ ...t, key: true }))));
    }
  };
  walkIssues(issues, [], schema);
  return out;
}

type ZodIssue = z.core.$ZodIssue;

function oneIssue(issue: ZodIssue, p: KeyPath, found: unknown, keys: string[], root: unknown): IssueText[] {
  const at = (detail: string, hint?: string, path: KeyPath = p, key = false): IssueText[] => [{ path, key, detail, hint }];
  // A value under a secret-looking key (db_password, api_token...) is never echoed.
  const secret = p.some((k) => typeof k === 'string' && isSecretName(k)) && found !== undefined && typeof found !== 'object';
  const got = `got ${describeValue(found, { secret })}`;
  // A schema's own message that is a whole sentence (modeSchema's "expected ..., got the number 755; ...") stands as it is.
  if (/^expected .*, got /s.test(issue.message) && !secret) return at(issue.message);
  switch (issue.code) {
    case 'invalid_type': {
      const parent = valueAt(root, p.slice(0, -1));
      if (found === undefined && p.length > 0 && isPlainObject(parent)) {
        return at(`missing required key ${JSON.stringify(String(p[p.length - 1]))}`, undefined, p.slice(0, -1));
      }
      return at(`expected ${typeName(issue.expected)}, ${got}`);
    }
    case 'invalid_union':
      return at(`expected ${unionExpected(issue.errors)}, ${got}`);
    case 'invalid_value': {
      const vals = issue.values.map((v) => String(v));
      const exp = vals.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${vals.join(', ')}`;
      return at(`expected ${exp}, ${got}`, typeof found === 'string' ? didYouMean(found, vals) : undefined);
    }
    case 'unrecognized_keys':
      return issue.keys.flatMap((k) => at(`unknown key ${JSON.stringify(k)}`, didYouMean(k, keys), [...p, k], true));
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      const op = issue.exact ? '' : small ? (issue.inclusive === false ? '> ' : '>= ') : issue.inclusive === false ? '< ' : '<= ';
      if (issue.origin === 'string' || issue.origin === 'array') {
        const unit = issue.origin === 'string' ? 'characters' : 'items';
        const what = issue.exact ? `exactly ${bound}` : `${small ? 'at least' : 'at most'} ${bound}`;
        const n = Array.isArray(found) || typeof found === 'string' ? `${found.length} ${unit}` : describeValue(found);
        return at(`expected ${what} ${unit}, got ${n}`);
      }
      return at(`expected a number ${op}${bound}, ${got}`);
    }
    case 'invalid_format': {
      const custom = !issue.message.startsWith('Invalid');
      // A custom message naming only what was expected stands as it is too.
      if (custom && issue.message.startsWith('expected ') && !secret) return at(issue.message);
      const exp = custom ? issue.message.replace(/^expected /, '').replace(/, got .*$/s, '') : issue.format === 'regex' && issue.pattern ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`;
      return at(`expected ${exp}, ${got}`);
    }
    case 'not_multiple_of':
      return at(`expected a multiple of ${issue.divisor}, ${got}`);
    default:
      return at(issue.message);
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'an integer', boolean: 'true or false', array: 'a list',
  object: 'a mapping', record: 'a mapping', null: 'null', undefined: 'nothing', tuple: 'a list', nonoptional: 'a value',
};

function typeName(t: string): string {
  return TYPE_NAMES[t] ?? `a ${t}`;
}

function unionExpected(branches: readonly (readonly ZodIssue[])[]): string {
  const names: string[] = [];
  for (const b of branches) {
    for (const i of b) {
      if (i.path.length > 0) continue;
      if (i.code === 'invalid_type') names.push(typeName(i.expected));
      else if (i.code === 'invalid_value') names.push(...i.values.map((v) => JSON.stringify(v)));
      else if (i.code === 'invalid_union') names.push(unionExpected(i.errors));
    }
  }
  const uniq = [...new Set(names)];
  if (uniq.length === 0) return 'a different value';
  return uniq.length === 1 ? uniq[0]! : `${uniq.slice(0, -1).join(', ')} or ${uniq[uniq.length - 1]}`;
}

/** The branch whose shape matched (issues only below its root), if exactly one did. */
function pickBranch(branches: readonly (readonly ZodIssue[])[]): number | undefined {
  const deep = branches.flatMap((b, i) => (b.every((x) => x.path.length > 0 || x.code === 'unrecognized_keys') ? [i] : []));
  return deep.length === 1 ? deep[0] : undefined;
}

function isUnderTemplate(value: unknown, p: KeyPath): boolean {
  for (let i = 0; i <= p.length; i++) {
    const v = valueAt(value, p.slice(0, i));
    if (typeof v === 'string' && v.includes('{{')) return true;
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success']);

interface Def { type: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; element?: unknown; options?: unknown[]; valueType?: unknown; getter?: () => unknown }

function defOf(s: unknown): Def | undefined {
  let d = (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;
  for (let n = 0; d && n < 20; n++) {
    if (WRAPPERS.has(d.type)) d = defOf(d.innerType);
    else if (d.type === 'pipe') d = defOf(d.in);
    else if (d.type === 'lazy' && d.getter) d = defOf(d.getter());
    else break;
  }
  return d;
}

/** The sub-schema at `p` (best effort; undefined when it cannot be followed). */
function schemaAt(s: unknown, p: readonly PropertyKey[]): unknown {
  let cur = s;
  for (const k of p) {
    const d = defOf(cur);
    if (!d) return undefined;
    if (d.type === 'object') cur = d.shape?.[String(k)];
    else if (d.type === 'array') cur = d.element;
    else if (d.type === 'record') cur = d.valueType;
    else return undefined;
  }
  return cur;
}

function unionOptions(s: unknown): unknown[] {
  const d = defOf(s);
  return d?.type === 'union' ? (d.options ?? []) : [];
}

function knownKeys(s: unknown): string[] {
  const d = defOf(s);
  if (d?.type === 'object') return Object.keys(d.shape ?? {});
  if (d?.type === 'union') return [...new Set((d.options ?? []).flatMap(knownKeys))];
  return [];
}
