// YAML files keep their Document so every error can point at file:line:column.
import path from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node, ScalarTag, YAMLError } from 'yaml';
import { ConfigError } from './errors.js';
import type { SourcePos } from './errors.js';
import type { KeyPath } from './key-path.js';
import { unsafeYamlTag } from './unsafe.js';
import { toErrors, type SourcePositions } from './zod-issues.js';

/** A parsed YAML file: plain data plus the node tree for positions. */
export interface YamlSource extends SourcePositions {
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


/** Turns the document errors raised by custom tags into the error the user reads (the vault passes its own). */
export type TagErrorMapper = (errors: readonly YAMLError[], at: (offset: number) => SourcePos) => Error | undefined;

// Parses text already in memory (also used by tests and inline vars).
export function parseYamlText(text: string, file: string, customTags?: ScalarTag[], tagError?: TagErrorMapper): YamlSource {
  const abs = path.resolve(file);
  const display = displayPath(abs);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true, customTags: [unsafeYamlTag, ...(customTags ?? [])] });
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: display, line, col };
  };
  const fromTag = tagError?.(doc.errors, at);
  if (fromTag) throw fromTag;
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
  // Each alias is at least one copy: past the cap the document is a bomb. One pass in document order finds each
  // alias's anchor (the last one before it, as YAML says); Alias.resolve() scans the whole document per alias,
  // which took minutes for a few thousand aliases.
  const anchors = new Map<string, Node>();
  let aliases = 0;
  visit(doc, {
    Node(_, node, ancestors) {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return undefined;
      }
      const offset = node.range?.[0] ?? 0;
      firstAlias ??= offset;
      const source = anchors.get(node.source);
      if (++aliases > MAX_YAML_ALIASES) {
        problem = aliasBomb(at(firstAlias), keyPath);
      } else if (!source) {
        problem = new ConfigError(`YAML alias *${node.source} has no anchor &${node.source} before it`, { pos: at(offset), keyPath, hint: 'define &NAME before the first *NAME' });
      } else if (ancestors.includes(source as never)) {
        problem = new ConfigError(`YAML alias *${node.source} refers to a node that contains it`, { pos: at(offset), keyPath, hint: 'a value cannot include itself' });
      }
      return problem ? visit.BREAK : undefined;
    },
  });
  if (problem) throw problem;
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (/alias count/i.test(why)) throw aliasBomb(at(firstAlias ?? 0), keyPath, err);
    throw new ConfigError(`invalid YAML: ${why}`, { pos: at(firstAlias ?? 0), keyPath }, { cause: err });
  }
}

function aliasBomb(pos: SourcePos | undefined, keyPath: string | undefined, cause?: unknown): ConfigError {
  return new ConfigError(`too many YAML aliases: expanding them needs more than ${MAX_YAML_ALIASES} copies`, {
    pos,
    keyPath,
    hint: 'write the values out, or use fewer nested aliases',
  }, cause === undefined ? undefined : { cause });
}

function isEmptyScalar(n: Node): boolean {
  return isScalar(n) && n.value === null && n.range?.[0] === n.range?.[1];
}

function scalarKey(k: unknown): string | undefined {
  return isScalar(k) ? String(k.value) : undefined;
}

export { formatKeyPath, describeValue, valueAt, type KeyPath } from './key-path.js';
export { didYouMean } from './did-you-mean.js';
export { issuesToErrors, toErrors, type IssueOptions } from './zod-issues.js';
