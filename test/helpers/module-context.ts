// Module tests run through a real LocalConnection in a temp folder, the way the executor runs them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jexl from 'jexl';
import type { Connection } from '../../src/connection/connection.js';
import { LocalConnection } from '../../src/connection/local.js';
import type { ModuleContext } from '../../src/modules/support/module.js';

/** A context plus what the module logged. */
export interface TestContext extends ModuleContext {
  logs: { line: string; stream?: string }[];
}

function lookup(vars: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((cur, k) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined), vars);
}

// `{{ name }}` and `{{ a.b }}` only: enough to see that a module renders with its variables.
export function trivialRender(vars: Record<string, unknown>): (tpl: string) => string {
  return (tpl) => tpl.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) => String(lookup(vars, name) ?? ''));
}

export function makeContext(overrides: Partial<ModuleContext> = {}): TestContext {
  const vars = overrides.vars ?? {};
  const logs: TestContext['logs'] = [];
  return {
    conn: new LocalConnection('testhost'),
    host: 'testhost',
    checkMode: false,
    diffMode: false,
    vars,
    baseDir: process.cwd(),
    render: trivialRender(vars),
    evaluate: (expr) => jexl.evalSync(expr, vars),
    log: (line, stream) => logs.push({ line, stream }),
    warn: (msg) => logs.push({ line: msg, stream: 'warning' }),
    progress: () => {},
    signal: new AbortController().signal,
    ...overrides,
    logs,
  };
}

// A fresh folder per test, removed by the returned cleanup.
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'omsrun-mod-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

// Same machine, but says it does not run on the controller: exercises the exec-based code paths (curl, nc/bash probes).
export function remoteLike(transport = 'ssh'): Connection {
  const local = new LocalConnection('remotehost');
  return {
    host: local.host,
    transport,
    capabilities: { runsOnController: false },
    connect: () => local.connect(),
    exec: (argv, o) => local.exec(argv, o),
    put: (s, d, o) => local.put(s, d, o),
    get: (p, o) => local.get(p, o),
    close: () => local.close(),
  };
}
