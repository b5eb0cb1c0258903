// `-e` values: `key=value`, a JSON or YAML mapping, or `@file.yml`; later ones win.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML, { LineCounter, type ScalarTag } from 'yaml';
import { literalDeep, unsafeYamlTag } from '../core/unsafe.js';
import { documentToJS } from '../core/yaml-source.js';
import { ConfigError } from '../core/errors.js';
import { kindOf } from '../core/key-path.js';
import type { Vars } from '../inventory/model.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A vars file's text made ready for parsing: vault files decrypted, and the tags that decrypt inline values. */
export interface PreparedText {
  text: string;
  customTags: ScalarTag[];
}

function parseMapping(text: string, where: { keyPath: string; file?: string }, tags: ScalarTag[] = []): Vars {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, customTags: [unsafeYamlTag, ...tags] });
  const err = doc.errors[0];
  if (err) {
    const pos = where.file && err.linePos ? { file: where.file, line: err.linePos[0].line, col: err.linePos[0].col } : undefined;
    const msg = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`invalid YAML: ${msg}`, { pos, keyPath: where.keyPath });
  }
  const at = (offset: number) => (where.file ? { file: where.file, ...lineCounter.linePos(offset) } : undefined);
  const value: unknown = documentToJS(doc, at, where.keyPath);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`expected a mapping of variables, got ${kindOf(value)}`, {
      pos: at((doc.contents as { range?: number[] } | null)?.range?.[0] ?? 0),
      keyPath: where.keyPath,
      hint: 'write key=value, a mapping like \'{"port": 8080}\', or @vars.yml',
    });
  }
  // Extra vars are data, never rendered: an !unsafe value is its literal text already.
  return literalDeep(value) as Vars;
}

// Errors name a file argument in full but never echo an inline value (it may be a password): `-e[2]`, `-e "key=…"`.
function parseOne(arg: string, cwd: string, n: number, prepared?: Map<string, PreparedText>): Vars {
  const keyPath = `-e ${JSON.stringify(arg)}`;
  if (arg.startsWith('@')) {
    const file = resolve(cwd, arg.slice(1));
    const ready = prepared?.get(file);
    return parseMapping(ready?.text ?? readExtraVarsFile(file, keyPath), { keyPath, file }, ready?.customTags);
  }
  const trimmed = arg.trim();
  const eq = arg.indexOf('=');
  const looksMapping = trimmed.startsWith('{') || /^[^=\s]+:\s/.test(trimmed);
  if (looksMapping || eq < 0) return parseMapping(arg, { keyPath: `-e[${n}]` });
  const key = arg.slice(0, eq);
  if (!NAME.test(key)) {
    throw new ConfigError(`expected a variable name before "=", got ${JSON.stringify(key)}`, {
      keyPath: `-e ${JSON.stringify(`${key}=…`)}`,
      hint: 'names start with a letter or "_" and hold letters, digits and "_"',
    });
  }
  return { [key]: arg.slice(eq + 1) };
}

function readExtraVarsFile(file: string, keyPath: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(code ?? err);
    throw new ConfigError(`cannot read extra vars file ${file}: ${why}`, { keyPath }, { cause: err });
  }
}

// Parses every `-e` argument in order; `key=value` keeps the value as a string, as Ansible does.
export function parseExtraVars(list: readonly string[], cwd: string, prepared?: Map<string, PreparedText>): Vars {
  const out: Vars = {};
  list.forEach((arg, i) => Object.assign(out, parseOne(arg, cwd, i + 1, prepared)));
  return out;
}

// As parseExtraVars, with `@file` arguments passed through `prepare` first (the vault: whole encrypted files and
// `!vault` values, asking for the password only when a file holds vault text).
export async function loadExtraVars(
  list: readonly string[],
  cwd: string,
  prepare: (text: string, file: string) => Promise<PreparedText>,
): Promise<Vars> {
  const prepared = new Map<string, PreparedText>();
  for (const arg of list) {
    if (!arg.startsWith('@')) continue;
    const file = resolve(cwd, arg.slice(1));
    if (!prepared.has(file)) prepared.set(file, await prepare(readExtraVarsFile(file, `-e ${JSON.stringify(arg)}`), file));
  }
  return parseExtraVars(list, cwd, prepared);
}
