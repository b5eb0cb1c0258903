// YAML files keep their Document so every error can point at file:line:column.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node, ScalarTag } from 'yaml';
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { ConfigError, ConfigErrors } from './errors.js';
import type { SourcePos } from './errors.js';
import { needsVaultPassword, vaultErrorFromYaml, vaultSession } from '../vault/index.js';

export type KeyPath = (string | number)[];

/** A parsed YAML file: plain data plus the node tree for positions. */
export interface YamlSource {
  /** Absolute path. */
  file: string;
  /** Path shown to users (relative to the current directory when inside it). */
  display: string;
  data: unknown;
  doc: Document;
  /** Position of the value at `path`; for a missing key, its parent mapping. */
  posOf(path: KeyPath): SourcePos;
  /** Position of the key itself at `path` (falls back to posOf). */
  posOfKey(path: KeyPath): SourcePos;
}

// Users read paths relative to where they stand.
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

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

// Parses text already in memory (also used by tests and inline vars).
export function parseYamlText(text: string, file: string, customTags?: ScalarTag[]): YamlSource {
  const abs = path.resolve(file);
  const display = displayPath(abs);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, customTags });
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: display, line, col };
  };
  const vaultError = vaultErrorFromYaml(doc.errors, at);
  if (vaultError) throw vaultError;
  const problems = doc.errors.slice(0, 10).map((e) => new ConfigError(`YAML syntax error: ${e.message.split('\n')[0]}`, { pos: at(e.pos[0]) }));
  if (problems.length === 0) {
    visit(doc, {
      Map(_, map) {
        const seen = new Set<string>();
        for (const it of map.items) {
          const k = scalarKey(it.key);
          if (k === undefined) continue;
          if (seen.has(k)) problems.push(new ConfigError(`duplicate key ${JSON.stringify(k)}`, { pos: at((it.key as Node).range?.[0] ?? 0), hint: 'each key may appear once per mapping' }));
          seen.add(k);
        }
      },
    });
  }
  if (problems.length > 0) throw toErrors(problems);
  const walk = (p: KeyPath): { node: Node | null; key?: Node; complete: boolean } => {
    let node = doc.contents as Node | null;
    let key: Node | undefined;
    for (let i = 0; i < p.length; i++) {
      if (node && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null;
      const k = p[i]!;
      let value: Node | null | undefined;
      let pairKey: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && scalarKey(it.key) === String(k));
        if (!pair) return { node, complete: false };
        pairKey = pair.key as Node;
        value = (pair.value as Node | null) ?? null;
        if (value === null || isEmptyScalar(value)) return { node: pairKey, key: pairKey, complete: i === p.length - 1 };
      } else if (isSeq(node) && typeof k === 'number' && node.items[k]) {
        value = node.items[k] as Node;
      } else {
        return { node, complete: false };
      }
      node = value;
      key = pairKey;
    }
    return { node, key, complete: true };
  };
  const posOfNode = (n: Node | null | undefined): SourcePos => at(n?.range?.[0] ?? 0);
  return {
    file: abs,
    display,
    data: documentToJS(doc, at),
    doc,
    posOf: (p) => posOfNode(walk(p).node),
    posOfKey: (p) => {
      const r = walk(p);
      return posOfNode(r.complete && r.key ? r.key : r.node);
    },
  };
}

/** Most alias expansions one document may need before it is taken for an alias bomb. */
export const MAX_YAML_ALIASES = 1000;

// Aliases are data, not code: unresolved, self-containing and exploding ones are positioned ConfigErrors.
export function documentToJS(doc: Document, at: (offset: number) => SourcePos | undefined, keyPath?: string): unknown {
  let problem: ConfigError | undefined;
  let firstAlias: number | undefined;
  visit(doc, {
    Alias(_, alias, ancestors) {
      const offset = alias.range?.[0] ?? 0;
      firstAlias ??= offset;
      const source = alias.resolve(doc);
      if (!source) {
        problem = new ConfigError(`YAML alias *${alias.source} has no anchor &${alias.source} before it`, { pos: at(offset), keyPath, hint: 'define &NAME before the first *NAME' });
      } else if (ancestors.includes(source as never)) {
        problem = new ConfigError(`YAML alias *${alias.source} refers to a node that contains it`, { pos: at(offset), keyPath, hint: 'a value cannot include itself' });
      }
      return problem ? visit.BREAK : undefined;
    },
  });
  if (problem) throw problem;
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const bomb = /alias count/i.test(why);
    throw new ConfigError(bomb ? `too many YAML aliases: expanding them needs more than ${MAX_YAML_ALIASES} copies` : `invalid YAML: ${why}`, {
      pos: at(firstAlias ?? 0),
      keyPath,
      hint: bomb ? 'write the values out, or use fewer nested aliases' : undefined,
    }, { cause: err });
  }
}

// Reads and parses one YAML file; missing files and syntax errors are ConfigErrors.
export async function loadYamlFile(file: string, from?: { pos: SourcePos; keyPath?: string }): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'expected a file, got a folder' : `cannot read file (${code ?? 'error'})`;
    throw new ConfigError(`${what}: ${displayPath(path.resolve(file))}`, { pos: from?.pos, keyPath: from?.keyPath }, { cause: err });
  }
  if (!needsVaultPassword(text)) return parseYamlText(text, file);
  const prepared = await vaultSession().prepare(text, displayPath(path.resolve(file)));
  return parseYamlText(prepared.text, file, prepared.customTags);
}

// Vars files (vars_files, group_vars, host_vars) are plain mappings.
export async function loadVarsFile(file: string, from?: { pos: SourcePos; keyPath?: string }): Promise<Record<string, unknown>> {
  const src = await loadYamlFile(file, from);
  if (src.data === null || src.data === undefined) return {};
  if (typeof src.data !== 'object' || Array.isArray(src.data)) {
    throw new ConfigError(`expected a mapping of variables, got ${describeValue(src.data)}`, { pos: src.posOf([]) });
  }
  return src.data as Record<string, unknown>;
}

// Throws one ConfigError as itself, several as ConfigErrors.
export function toErrors(errors: ConfigError[]): ConfigError | ConfigErrors {
  return errors.length === 1 ? errors[0]! : new ConfigErrors(errors);
}

// Short description of a found value: strings quoted, containers by kind.
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
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

function isEmptyScalar(n: Node): boolean {
  return isScalar(n) && n.value === null && n.range?.[0] === n.range?.[1];
}

function scalarKey(k: unknown): string | undefined {
  return isScalar(k) ? String(k.value) : undefined;
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

// One friendly ConfigError per zod issue, positioned in the YAML source.
export function issuesToErrors(
  issues: readonly ZodIssue[],
  value: unknown,
  schema: z.ZodType | undefined,
  src: YamlSource,
  opts: IssueOptions = {},
): ConfigError[] {
  const out: ConfigError[] = [];
  const walkIssues = (list: readonly ZodIssue[], prefix: KeyPath, sub: unknown): void => {
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
        walkIssues(issue.issues, p, undefined);
        continue;
      }
      out.push(...oneIssue(issue, p, valueAt(value, p), knownKeys(schemaAt(sub, issue.path)), (k, key) => {
        const fp = [...(opts.base ?? []), ...(opts.mapPath ? opts.mapPath(k) : k)];
        return { pos: key ? src.posOfKey(fp) : src.posOf(fp), keyPath: formatKeyPath(fp) };
      }, value));
    }
  };
  walkIssues(issues, [], schema);
  return out;
}

type ZodIssue = z.core.$ZodIssue;
type Locate = (p: KeyPath, key?: boolean) => { pos: SourcePos; keyPath: string };

function oneIssue(issue: ZodIssue, p: KeyPath, found: unknown, keys: string[], locate: Locate, root: unknown): ConfigError[] {
  const got = `got ${describeValue(found)}`;
  switch (issue.code) {
    case 'invalid_type': {
      const parent = valueAt(root, p.slice(0, -1));
      if (found === undefined && p.length > 0 && isPlainObject(parent)) {
        return [new ConfigError(`missing required key ${JSON.stringify(String(p[p.length - 1]))}`, locate(p.slice(0, -1)))];
      }
      return [new ConfigError(`expected ${typeName(issue.expected)}, ${got}`, locate(p))];
    }
    case 'invalid_union':
      return [new ConfigError(`expected ${unionExpected(issue.errors)}, ${got}`, locate(p))];
    case 'invalid_value': {
      const vals = issue.values.map((v) => String(v));
      const exp = vals.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${vals.join(', ')}`;
      const hint = typeof found === 'string' ? didYouMean(found, vals) : undefined;
      return [new ConfigError(`expected ${exp}, ${got}`, { ...locate(p), hint })];
    }
    case 'unrecognized_keys':
      return issue.keys.map((k) => new ConfigError(`unknown key ${JSON.stringify(k)}`, { ...locate([...p, k], true), hint: didYouMean(k, keys) }));
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      const op = issue.exact ? '' : small ? (issue.inclusive === false ? '> ' : '>= ') : issue.inclusive === false ? '< ' : '<= ';
      if (issue.origin === 'string' || issue.origin === 'array') {
        const unit = issue.origin === 'string' ? 'characters' : 'items';
        const what = issue.exact ? `exactly ${bound}` : `${small ? 'at least' : 'at most'} ${bound}`;
        const n = Array.isArray(found) || typeof found === 'string' ? `${found.length} ${unit}` : describeValue(found);
        return [new ConfigError(`expected ${what} ${unit}, got ${n}`, locate(p))];
      }
      return [new ConfigError(`expected a number ${op}${bound}, ${got}`, locate(p))];
    }
    case 'invalid_format': {
      const custom = !issue.message.startsWith('Invalid');
      const exp = custom ? issue.message : issue.format === 'regex' && issue.pattern ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`;
      return [new ConfigError(`expected ${exp}, ${got}`, locate(p))];
    }
    case 'not_multiple_of':
      return [new ConfigError(`expected a multiple of ${issue.divisor}, ${got}`, locate(p))];
    default:
      return [new ConfigError(issue.message, locate(p))];
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

// `did you mean "x"?` when a candidate is close enough to be a typo.
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (list.length === 0) return undefined;
  const best = closest(name, list);
  const limit = Math.max(2, Math.floor(name.length / 3));
  return distance(name.toLowerCase(), best.toLowerCase()) <= limit ? `did you mean ${JSON.stringify(best)}?` : undefined;
}
