// Data-driven module cases: arguments and what the host reports in, the commands sent and the result out.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createPatch } from 'diff';
import { vi } from 'vitest';
import { z } from 'zod';
import { getModule } from '../../src/modules/support/registry.js';
import type { ModuleOutcome } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { renderTemplateFile } from '../../src/template/render.js';
import { makeContext } from './module-context.js';
import { RecordingConnection, type HostAnswer, type Reply, type Sent } from './recording-connection.js';

const become = z.strictObject({ user: z.string(), password: z.string().optional() });
const reply = z
  .strictObject({
    rc: z.number().int().optional(),
    stdout: z.string().optional(),
    /** stdout as this value in JSON (docker inspect), instead of stdout. */
    json: z.unknown().optional(),
    stderr: z.string().optional(),
    timedOut: z.boolean().optional(),
  })
  .transform(({ json, ...r }): Reply => (json === undefined ? r : { ...r, stdout: `${JSON.stringify(json, null, 4)}\n` }));
const argv = z.array(z.string()).min(1);

const answer = z.union([
  z.strictObject({ argv, reply: reply.optional() }),
  z.strictObject({ match: z.string().min(1), reply: reply.optional() }),
  z.strictObject({ get: z.string().min(1), content: z.string() }),
]);

const sent = z.union([
  argv,
  z.strictObject({
    argv,
    stdin: z.string().optional(),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    become: become.optional(),
    timeoutMs: z.number().optional(),
    ownScript: z.boolean().optional(),
  }),
  z.strictObject({
    put: z.string(),
    content: z.string(),
    mode: z.string().optional(),
    owner: z.string().optional(),
    group: z.string().optional(),
    become: become.optional(),
    replace: z.boolean().optional(),
  }),
  z.strictObject({ get: z.string(), become: become.optional() }),
]);

/** One case file: `test/modules/cases/<module>/<case>.json`. */
export const caseSchema = z.strictObject({
  /** What the case shows, when the file name is not enough. */
  about: z.string().optional(),
  args: z.unknown(),
  vars: z.record(z.string(), z.unknown()).default({}),
  /** The task's `environment:`. */
  env: z.record(z.string(), z.string()).optional(),
  check: z.boolean().default(false),
  diff: z.boolean().default(false),
  become: become.optional(),
  /** The task's `timeout:` in seconds. */
  timeout: z.number().positive().optional(),
  transport: z.string().default('ssh'),
  /** Local time the controller's clock shows (backup names), e.g. `2026-11-22T01:45:00`. */
  clock: z.string().optional(),
  host: z.array(answer).default([]),
  commands: z.array(sent),
  result: z.record(z.string(), z.unknown()).refine((r) => Object.keys(r).length > 0, { error: 'a case must expect something of the result' }),
});

export type ModuleCase = z.infer<typeof caseSchema>;

/** Where the cases live, and the controller files (copy src, template src, archives) they name. */
export const CASES_DIR = join(import.meta.dirname, '..', 'modules', 'cases');
export const CASE_FILES_DIR = join(CASES_DIR, 'files');
const SCRIPTS_DIR = join(CASES_DIR, 'scripts');

/** Folders of cases by module name, each with its case files. */
export function caseFolders(): { module: string; files: string[] }[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'files' && d.name !== 'scripts')
    .map((d) => ({ module: d.name, files: readdirSync(join(CASES_DIR, d.name)).filter((f) => f.endsWith('.json')).sort() }));
}

export function loadCase(file: string): ModuleCase {
  const parsed = caseSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (parsed.success) return parsed.data;
  throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
}

// A `#@ lines/x.sh` line stands for that file's lines, as the source builds its scripts from shared pieces.
function scriptText(file: string): string {
  const text = readFileSync(join(SCRIPTS_DIR, file), 'utf8').replace(/\n$/, '');
  return text.split('\n').map((line) => (line.startsWith('#@ ') ? scriptText(line.slice(3)) : line)).join('\n');
}

/** omsrun's own scripts by name: `scripts/stat.sh` holds the exact text an argv element must have to show as `@stat.sh`. */
export function scriptCatalogue(): Map<string, string> {
  const byText = new Map<string, string>();
  for (const f of readdirSync(SCRIPTS_DIR).filter((n) => n.endsWith('.sh'))) byText.set(scriptText(f), `@${f}`);
  return byText;
}

// A script sent as one argv element shows by its catalogue name; one the catalogue lacks stays whole, so it fails loudly.
export function showScripts(catalogue: Map<string, string>): (argv: string[]) => string[] {
  return (argv) => argv.map((a) => catalogue.get(a) ?? a);
}

// Multi-line `-c` scripts a case run sent that the catalogue lacks, each with its diff against the catalogue script it is closest to.
export function scriptDrift(sent: Sent[], catalogue: Map<string, string>): string[] {
  const scripts = sent.flatMap((s) => ('argv' in s ? s.argv.filter((a, i) => s.argv[i - 1] === '-c' && a.includes('\n')) : []));
  return [...new Set(scripts)].map((script) => {
    const lines = new Set(script.split('\n'));
    const shared = (text: string): number => text.split('\n').filter((l) => lines.has(l)).length;
    const [closest] = [...catalogue].sort(([a], [b]) => shared(b) - shared(a));
    if (!closest) return `a script not in ${SCRIPTS_DIR}:\n${script}`;
    const [text, name] = closest;
    return `a script not in ${SCRIPTS_DIR}; against ${name.slice(1)}:\n${createPatch(name.slice(1), `${text}\n`, `${script}\n`, 'catalogue', 'sent')}`;
  });
}

/** What running a case gave: the module's outcome and what reached the host. */
export interface CaseRun {
  outcome: ModuleOutcome;
  sent: Sent[];
  unmatched: string[][];
  unused: HostAnswer[];
}

export async function runCase(moduleName: string, c: ModuleCase, catalogue: Map<string, string>): Promise<CaseRun> {
  const module = getModule(moduleName);
  if (!module) throw new Error(`no module ${moduleName} in the registry`);
  const conn = new RecordingConnection(c.host, { transport: c.transport, host: 'node1', show: showScripts(catalogue) });
  const ctx = makeContext({
    conn,
    host: 'node1',
    checkMode: c.check,
    diffMode: c.diff,
    become: c.become,
    env: c.env,
    timeoutMs: c.timeout === undefined ? undefined : c.timeout * 1000,
    vars: c.vars,
    baseDir: CASE_FILES_DIR,
    render: (text, name) => renderTemplateFile(text, c.vars, { source: basename(name) }),
  });
  if (c.clock) vi.setSystemTime(new Date(c.clock));
  try {
    const outcome = await runModule(module, c.args, ctx);
    return { outcome: withoutFilesDir(outcome), sent: conn.sent, unmatched: conn.unmatched, unused: conn.unused };
  } finally {
    vi.useRealTimers();
  }
}

// Messages name controller files by where this checkout is: cases write `<files>` for the folder.
function withoutFilesDir(outcome: ModuleOutcome): ModuleOutcome {
  return JSON.parse(JSON.stringify(outcome).replaceAll(CASE_FILES_DIR, '<files>')) as ModuleOutcome;
}

/** A case's expected commands in the shape the connection records them: a bare argv is an exec with no options. */
export function expectedSent(c: ModuleCase): Sent[] {
  return c.commands.map((s) => (Array.isArray(s) ? { argv: s } : s));
}
