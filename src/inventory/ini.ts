// Ansible's INI inventory format: [group], host lines with key=value, [group:vars], [group:children].
import { ConfigError } from '../core/errors.js';
import { didYouMean } from '../core/yaml-source.js';
import { addChild, addGroup, addHost, defineVar, setGroupVar } from './inventory-data.js';
import { HostPatternError, parseHostEntry } from './host-pattern.js';
import type { Inventory, InventoryGroup } from './model.js';
import { parsePythonLiteral } from './python-literal.js';
import { splitShellWords } from './shell-words.js';

const SECTION = /^\[([^:\]\s]+)(?::([\p{L}\p{N}_]+))?\]\s*(?:#.*)?$/u;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/u;
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

type State = 'hosts' | 'vars' | 'children' | 'skip';

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

// A value as Ansible reads it: a Python literal when it is one (`8080`, `True`, `[1, 2]`, `'quoted'`), else the text itself.
export function iniValue(text: string): unknown {
  const literal = parsePythonLiteral(text);
  return literal ? literal.value : text;
}

// Adds one INI file's groups, hosts and variables to `inv`; problems go to `errors` with their line and column.
export function parseIniInventory(text: string, display: string, inv: Inventory, errors: ConfigError[]): void {
  const found: ConfigError[] = [];
  parseLines(text, display, inv, found);
  found.sort((a, b) => (a.where.pos?.line ?? 0) - (b.where.pos?.line ?? 0));
  errors.push(...found);
}

function parseLines(text: string, display: string, inv: Inventory, errors: ConfigError[]): void {
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state: State = 'hosts';
  const lines = text.split(LINE_BREAK);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const indent = raw.length - raw.trimStart().length;
    const pos = (offset = 0) => ({ file: display, line: lineNo, col: indent + offset + 1 });
    const fail = (detail: string, offset: number, keyPath?: string, hint?: string): void => {
      errors.push(new ConfigError(`INI inventory: ${detail}`, { pos: pos(offset), keyPath, hint }));
    };
    const section = SECTION.exec(line);
    if (section) {
      group = section[1]!;
      const kind = section[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
        state = 'skip';
        fail(`section [${group}:${kind}] has an unknown type "${kind}"`, 0, undefined, didYouMean(kind, ['vars', 'children']) ?? `write [${group}], [${group}:vars] or [${group}:children]`);
        return;
      }
      state = kind;
      if (!inv.groups.has(group) && state === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state: 'vars', parents: [] });
      addGroup(inv, group, pos());
      const waiting = pending.get(group);
      if (waiting && state !== 'vars') {
        if (waiting.state === 'children') for (const parent of waiting.parents) addChild(inv, parent, group);
        pending.delete(group);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      state = 'skip';
      fail(`invalid section header ${line}`, 0, undefined, 'a group name has no spaces, ":" or "]": write [name], [name:vars] or [name:children]');
      return;
    }
    const where = group === 'ungrouped' ? undefined : `[${group}${state === 'hosts' ? '' : `:${state}`}]`;
    if (state === 'hosts') hostLine(inv, group, line, where, pos, fail);
    else if (state === 'vars') varsLine(inv.groups.get(group)!, line, where, fail);
    else if (state === 'children') {
      const child = GROUP_NAME.exec(line)?.[1];
      if (child === undefined) fail(`expected a group name, got ${JSON.stringify(line)}`, 0, where, 'list one child group per line');
      else if (inv.groups.has(child)) addChild(inv, group, child);
      else {
        const p = pending.get(child) ?? { line: lineNo, state: 'children', parents: [] };
        p.parents.push(group);
        pending.set(child, p);
      }
    }
  });
  for (const [name, p] of pending) {
    const pos = { file: display, line: p.line, col: 1 };
    const declared = [...inv.groups.keys()].filter((g) => !pending.has(g));
    const guess = didYouMean(name, declared);
    const hint = guess ? `${guess} Or add a [${name}] section (it may be empty)` : `add a [${name}] section (it may be empty), or fix the name`;
    const detail = p.state === 'vars'
      ? `section [${name}:vars] sets variables of group "${name}", which no [${name}] or [${name}:children] section declares`
      : `[${p.parents.at(-1)}:children] lists group "${name}", which no [${name}] or [${name}:children] section declares`;
    errors.push(new ConfigError(`INI inventory: ${detail}`, { pos, hint }));
  }
}

type Fail = (detail: string, offset: number, keyPath?: string, hint?: string) => void;

// `name[:port] key=value ...`: words split as a shell would, values read as Python literals.
function hostLine(inv: Inventory, group: string, line: string, where: string | undefined, pos: (o?: number) => { file: string; line: number; col: number }, fail: Fail): void {
  const split = splitShellWords(line);
  if ('error' in split) {
    const hint = split.error.includes('backslash') ? 'a host line cannot go on to the next line: write the whole entry on one line' : 'close the quote, or quote the whole value: key="a b"';
    return fail(split.error, split.col, where, hint);
  }
  const [first, ...rest] = split.words;
  if (!first) return;
  const entry = first.text;
  let parsed: { names: string[]; port?: number };
  try {
    parsed = parseHostEntry(entry);
  } catch (err) {
    if (!(err instanceof HostPatternError)) throw err;
    return fail(err.message, first.col, where, 'ranges look like web[01:20] or db-[a:f]');
  }
  const at = where ? `${where} ${entry}` : entry;
  if (entry.trim().endsWith(':') && parsed.port === undefined) return fail(`host "${entry}" ends in ":"`, first.col, where, 'a ":" after a host name gives its port: host:2222');
  if (parsed.names.some((n) => n.trim() === '---')) return fail('"---" is not a host name; it starts a YAML document', first.col, where, 'a YAML inventory is a mapping: all: { hosts: ..., children: ... }');
  const vars: [string, unknown][] = [];
  for (const w of rest) {
    const eq = w.text.indexOf('=');
    if (eq < 0) return fail(`expected key=value after the host name, got ${JSON.stringify(w.text)}`, w.col, at, 'quote a value that holds spaces: key="a b"');
    vars.push([w.text.slice(0, eq), iniValue(w.text.slice(eq + 1))]);
  }
  for (const name of parsed.names) {
    const h = addHost(inv, name, group, parsed.port, pos(first.col));
    for (const [k, v] of vars) defineVar(h.vars, k, v);
  }
}

// `key = value` in a [group:vars] section: one variable per line, the value read like a host line's.
function varsLine(g: InventoryGroup, line: string, where: string | undefined, fail: Fail): void {
  const eq = line.indexOf('=');
  if (eq < 0) return fail(`expected key=value, got ${JSON.stringify(line)}`, 0, where, 'one variable per line: name = value');
  const key = line.slice(0, eq).trim();
  const problem = setGroupVar(g, key, iniValue(line.slice(eq + 1).trim()));
  if (problem) fail(problem, 0, where ? `${where} ${key}` : key);
}
