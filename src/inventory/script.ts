// Dynamic inventories: an executable run with `--list` prints JSON, as in Ansible's script protocol.
import { execFile } from 'node:child_process';
import { ConfigError } from '../core/errors.js';
import { describeValue } from '../core/yaml-source.js';
import { addChild, addGroup, addHost, defineVar, setGroupVar } from './inventory-data.js';
import type { Inventory } from './model.js';

const PROTOCOL_HINT = 'print one JSON object: {"GROUP": {"hosts": [...], "vars": {...}, "children": [...]}, "_meta": {"hostvars": {"HOST": {...}}}}';
const MAX_OUTPUT = 256 * 1024 * 1024;

/** Runs a program and returns its output; tests replace it. */
export type RunScript = (file: string, args: string[]) => Promise<{ code: number; stdout: string; stderr: string; error?: NodeJS.ErrnoException }>;

const runScript: RunScript = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { maxBuffer: MAX_OUTPUT, encoding: 'utf8' }, (error, stdout, stderr) => {
      const spawnError = error && typeof (error as NodeJS.ErrnoException).code === 'string' ? (error as NodeJS.ErrnoException) : undefined;
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr, error: spawnError });
    });
  });

// Adds what `file --list` reports to `inv`; hosts without `_meta.hostvars` are asked with `file --host NAME`.
export async function loadInventoryScript(file: string, display: string, inv: Inventory, errors: ConfigError[], run: RunScript = runScript): Promise<void> {
  const fail = (detail: string, keyPath?: string, hint?: string): void => {
    errors.push(new ConfigError(`inventory script ${display}: ${keyPath ? `${keyPath.startsWith('--') ? '' : '--list output '}${keyPath}: ` : ''}${detail}`, { hint }));
  };
  const data = await runJson(file, display, ['--list'], run, fail);
  if (data === undefined) return;
  if (!isObject(data)) return fail(`--list printed ${describeValue(data)}, expected a JSON object`, undefined, PROTOCOL_HINT);
  const hosts: string[] = [];
  for (const [name, raw] of Object.entries(data)) {
    if (name === '_meta') continue;
    addGroup(inv, name);
    let group: Record<string, unknown>;
    if (!isObject(raw)) group = { hosts: raw };
    else if (!('hosts' in raw || 'vars' in raw || 'children' in raw)) group = { hosts: [name], vars: raw };
    else group = raw;
    if ('hosts' in group) {
      if (!Array.isArray(group.hosts)) fail(`expected a list of host names, got ${describeValue(group.hosts)}`, `${name}.hosts`, PROTOCOL_HINT);
      else for (const h of group.hosts) {
        if (typeof h !== 'string' || h === '') fail(`expected a host name, got ${describeValue(h)}`, `${name}.hosts`, PROTOCOL_HINT);
        else {
          hosts.push(h);
          addHost(inv, h, name, undefined);
        }
      }
    }
    if ('vars' in group) {
      if (!isObject(group.vars)) fail(`expected a mapping of variables, got ${describeValue(group.vars)}`, `${name}.vars`, PROTOCOL_HINT);
      else for (const [k, v] of Object.entries(group.vars)) {
        const problem = setGroupVar(inv.groups.get(name)!, k, v);
        if (problem) fail(problem, `${name}.vars.${k}`);
      }
    }
    if ('children' in group) {
      if (!Array.isArray(group.children)) fail(`expected a list of group names, got ${describeValue(group.children)}`, `${name}.children`, PROTOCOL_HINT);
      else for (const child of group.children) {
        if (typeof child !== 'string' || child === '') fail(`expected a group name, got ${describeValue(child)}`, `${name}.children`, PROTOCOL_HINT);
        else {
          addGroup(inv, child);
          addChild(inv, name, child);
        }
      }
    }
  }
  const meta = data._meta;
  const hostvars = isObject(meta) && 'hostvars' in meta ? meta.hostvars : undefined;
  if (hostvars !== undefined && !isObject(hostvars)) return fail(`expected a mapping of host names to variables, got ${describeValue(hostvars)}`, '_meta.hostvars', PROTOCOL_HINT);
  for (const h of [...new Set(hosts)]) {
    const vars = hostvars !== undefined ? (hostvars[h] ?? {}) : await runJson(file, display, ['--host', h], run, fail, true);
    if (vars === undefined || vars === null) continue;
    if (!isObject(vars)) {
      fail(`expected a mapping of variables, got ${describeValue(vars)}`, hostvars !== undefined ? `_meta.hostvars.${h}` : `--host ${h}`, PROTOCOL_HINT);
      continue;
    }
    for (const [k, v] of Object.entries(vars)) defineVar(inv.hosts.get(h)!.vars, k, v);
  }
}

async function runJson(file: string, display: string, args: string[], run: RunScript, fail: (d: string, k?: string, h?: string) => void, emptyIsNothing = false): Promise<unknown> {
  const what = args.join(' ');
  const r = await run(file, args);
  if (r.error) return fail(`cannot run it (${r.error.code}: ${r.error.message.replace(/^.*?: /, '')})`, undefined, 'make it executable (chmod +x) with a #! line, or give a YAML or INI file');
  const stderr = r.stderr.trim().split('\n').slice(-5).join('\n  ');
  if (r.code !== 0) return fail(`${what} exited with code ${r.code}${stderr ? `:\n  ${stderr}` : ''}`, undefined, `run ${display} ${what} yourself to see the problem`);
  if (emptyIsNothing && r.stdout.trim() === '') return undefined;
  try {
    return JSON.parse(r.stdout) as unknown;
  } catch (err) {
    const where = jsonErrorPlace(r.stdout, (err as Error).message);
    const start = JSON.stringify(r.stdout.trim().slice(0, 60));
    const why = (err as Error).message.replace(/ (?:in JSON )?at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
    return fail(`${what} printed invalid JSON${where}: ${why} (output starts ${start})`, undefined, PROTOCOL_HINT);
  }
}

// "at position 12" in V8's message, as an output line and column.
function jsonErrorPlace(text: string, message: string): string {
  const m = / at position (\d+)/.exec(message);
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return ` at output line ${line}, column ${col}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
