// `-e` values: `key=value`, a JSON or YAML mapping, or `@file.yml`; later ones win.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML, { LineCounter } from 'yaml';
import { literalDeep, unsafeYamlTag } from '../core/unsafe.js';
import { documentToJS } from '../core/yaml-source.js';
import { ConfigError } from '../core/errors.js';
import { kindOf } from '../core/key-path.js';
import type { Vars } from '../inventory/model.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseMapping(text: string, where: { keyPath: string; file?: string }): Vars {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, customTags: [unsafeYamlTag] });
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
function parseOne(arg: string, cwd: string, n: number): Vars {
  const keyPath = `-e ${JSON.stringify(arg)}`;
  if (arg.startsWith('@')) {
    const file = resolve(cwd, arg.slice(1));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(code ?? err);
      throw new ConfigError(`cannot read extra vars file ${file}: ${why}`, { keyPath }, { cause: err });
    }
    return parseMapping(text, { keyPath, file });
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

// Parses every `-e` argument in order; `key=value` keeps the value as a string, as Ansible does.
export function parseExtraVars(list: readonly string[], cwd: string): Vars {
  const out: Vars = {};
  list.forEach((arg, i) => Object.assign(out, parseOne(arg, cwd, i + 1)));
  return out;
}
