// Runs a command inside a running container, streaming its output; success is rc 0 plus the expected line.
import { z } from 'zod';
import type { ExecResult } from '../connection/connection.js';
import { quoteArgv } from '../connection/quote.js';
import { InterruptedError } from '../core/errors.js';
import { execOutcome } from './support/command-shared.js';
import { failed } from './support/common.js';
import { docker } from './support/docker-cli.js';
import { commandLabel, runFlight, stillRunning } from './support/docker-exec-flight.js';
import { defineModule, type ModuleContext } from './support/module.js';

const scalar = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

const regex = z.string().min(1).superRefine((s, ctx) => {
  try {
    new RegExp(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `expected a regular expression: ${(err as Error).message}`, input: s });
  }
});

const schema = z
  .strictObject({
    container: z.string().min(1).describe('Name or ID of a running container.'),
    argv: z.array(scalar).min(1).optional().describe('Program and arguments run in the container, as they are.'),
    cmd: z.string().min(1).optional().describe('Command line run by `bash -c` in the container.'),
    expect_line: z.string().min(1).optional().describe('Text a line of the output must contain for the task to succeed.'),
    ignore_patterns: z.array(regex).default([]).describe('Regexes of lines that are not errors (e.g. `ERROR 1235`); they are not highlighted. The return code still decides.'),
    creates: z.string().min(1).optional().describe('Path inside the container: skip the task when it exists.'),
    timeout: z.number().positive().default(600).describe('Seconds to wait for the command. Then, as on Ctrl-C or SIGTERM, with single_flight the command\'s process group in the container is stopped (TERM, KILL 5 s later); without it only the docker exec client is killed and the command may keep running in the container.'),
    failure_log_glob: z.string().min(1).optional().describe('Glob inside the container, e.g. `/home/admin/logs/docker_init*.log`: on failure the last 40 lines of the newest match join the message.'),
    single_flight: z.boolean().default(false).describe('At most one copy of this command line per container, ever: it runs detached in its own process group (state under /tmp/omsrun-exec in the container) while this run follows its output. A run that finds a copy running (say, after the controller was killed) waits for it and reports its outcome; a result that no run collected is reported once instead of running again; a copy that died without an exit code (container restarted) is started again. Ctrl-C, SIGTERM and the timeout stop it inside the container. Its stdout and stderr arrive as one stream (stdout).'),
  })
  .refine((a) => (a.argv === undefined) !== (a.cmd === undefined), { error: 'expected exactly one of argv or cmd' });

type Args = z.infer<typeof schema>;

/** Lines that look like errors, unless an ignore pattern matches them. */
const ERROR_LINE = /\b(error|fatal|exception|traceback|failed)\b/i;
const LOG_TAIL = 40;

// The command run in the container: argv as given, or `bash -c CMD`.
function execInner(a: Pick<Args, 'argv' | 'cmd'>): string[] {
  return a.argv ?? ['bash', '-c', a.cmd as string];
}

// `docker exec CONTAINER argv...` or `docker exec CONTAINER bash -c CMD`.
export function execArgv(a: Pick<Args, 'container' | 'argv' | 'cmd'>): string[] {
  return ['docker', 'exec', a.container, ...execInner(a)];
}

// Newest file matching the glob and its last lines; the glob is an argument ($1), never pasted into the script.
export function logTailArgv(container: string, glob: string, lines = LOG_TAIL): string[] {
  const script = 'f=$(ls -td -- $1 2>/dev/null | head -n 1); [ -n "$f" ] && [ -f "$f" ] || exit 3; echo "$f"; tail -n "$2" -- "$f"';
  return ['docker', 'exec', container, 'sh', '-c', script, 'sh', glob, String(lines)];
}

// Error-looking lines of the output, minus the ones the task says are harmless.
export function errorLines(text: string, ignore: string[]): string[] {
  const ignored = ignore.map((p) => new RegExp(p));
  return text.split('\n').filter((l) => ERROR_LINE.test(l) && !ignored.some((r) => r.test(l)));
}

/** The engine or the container went away during a command: which one, and the sentence that says so. */
export interface Gone {
  what: 'engine' | 'container';
  msg: string;
}

// Why the engine or the container went away during the command, or undefined when both are still there.
export async function whyGone(ctx: ModuleContext, container: string): Promise<Gone | undefined> {
  const quick = { signal: undefined, timeoutMs: 15_000 };
  const v = await docker(ctx, ['version', '--format', '{{.Server.Version}}'], quick);
  if (v.rc !== 0) {
    const said = v.stderr.trim().split('\n').pop() ?? '';
    return { what: 'engine', msg: `the Docker engine on ${ctx.host} stopped answering during the command${said ? ` (${said})` : ''}` };
  }
  const i = await docker(ctx, ['container', 'inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container], quick);
  if (i.rc !== 0) return { what: 'container', msg: `container ${container} no longer exists` };
  const [status = '?', code = '?'] = i.stdout.trim().split(' ');
  return status === 'running' ? undefined : { what: 'container', msg: `container ${container} is no longer running (state: ${status}, exit code ${code})` };
}

// The log tail, or why there is none: an engine or container that went away says so instead of "no log file".
async function logTail(ctx: ModuleContext, container: string, glob: string): Promise<string> {
  const r = await docker(ctx, logTailArgv(container, glob).slice(1), { signal: undefined, timeoutMs: 30_000 });
  if (r.rc !== 0) {
    const gone = await whyGone(ctx, container);
    return `\n${gone?.msg ?? `no log file matches ${glob} in ${container}`}`;
  }
  const [file, ...rest] = r.stdout.replace(/\n$/, '').split('\n');
  return `\nlast ${LOG_TAIL} lines of ${file}:\n${rest.join('\n')}`;
}

/** How one run of the command ended, whichever way it ran. */
interface Ran {
  result: ExecResult;
  rc?: number;
  /** The reason it failed before the return code could decide (timeout, engine gone...). */
  why?: string;
  /** The engine or the container went away (the message says so): no log tail can be read. */
  gone?: Gone;
  /** Prefix of every message: how this run came to the command (attached to an earlier run's copy...). */
  note: string;
}

// docker exec as it is: Ctrl-C kills the client only, so the message says what may still run.
async function runPlain(ctx: ModuleContext, a: Args, argv: string[], timeoutMs: number): Promise<Ran> {
  let r: ExecResult;
  try {
    r = await docker(ctx, argv.slice(1), { timeoutMs, onLine: (s, l) => ctx.log(l, s) });
  } catch (err) {
    if (!(err instanceof InterruptedError)) throw err;
    throw new InterruptedError(`${commandLabel(execInner(a))} may still be running in container ${a.container} (docker exec does not stop it; single_flight: true does)`);
  }
  if (r.timedOut) return { result: r, note: '', why: `timed out after ${timeoutMs / 1000} s (the command may still be running in ${a.container})` };
  return { result: r, rc: r.rc, note: '' };
}

async function runSingleFlight(ctx: ModuleContext, a: Args, timeoutMs: number): Promise<Ran> {
  const inner = execInner(a);
  const label = commandLabel(inner);
  const f = await runFlight(ctx, a.container, inner, timeoutMs);
  const how = f.how;
  const note = how?.kind === 'attached' ? `attached to the ${label} started at ${how.since} by an earlier run (pid ${how.pid}); `
    : how?.kind === 'finished' ? `the ${label} started at ${how.since} by an earlier run had ended before this run: its outcome, reported once; `
    : '';
  if (f.error) return { result: f.result, note, why: f.error };
  if (f.rc !== undefined) return { result: { ...f.result, rc: f.rc }, rc: f.rc, note };
  const gone = await whyGone(ctx, a.container);
  const said = f.result.stderr.trim();
  const why = gone?.what === 'engine'
    ? `${gone.msg}; the outcome of ${label} is unknown: once the engine answers, the next run waits for it if it still runs, or starts it again`
    : gone ? `${gone.msg}; ${label} ended with it, and the next run starts it again`
    : f.vanished ? `${label} ended without an exit code (stopped from outside this run)`
    : `docker exec ended (rc ${f.result.rc}) before ${label} did${said ? `: ${said}` : ''}; ${stillRunning(label, a.container)}`;
  return { result: f.result, note, why, gone };
}

// Always runs unless `creates` exists; the return code (and expect_line) decide, error lines only inform.
export const dockerExecModule = defineModule<Args, string[]>({
  name: 'docker_exec',
  description: 'Runs a command in a running container (argv, or a bash -c line), streaming its output; optional expected line, creates guard, log tail on failure, and single-flight runs that survive the controller.',
  schema,
  check: async (a, ctx) => {
    if (a.creates) {
      const r = await docker(ctx, ['exec', a.container, 'test', '-e', a.creates], { timeoutMs: 30_000 });
      if (r.rc === 0) return { changes: false, outcome: { msg: `skipped, since ${a.creates} exists in ${a.container}`, rc: 0 } };
    }
    const argv = execArgv(a);
    return { changes: true, summary: `run ${quoteArgv(argv)}${a.single_flight ? ' (single flight)' : ''}`, data: argv, skipInCheckMode: true };
  },
  apply: async (a, planned, ctx) => {
    const argv = planned ?? execArgv(a);
    const timeoutMs = Math.min(a.timeout * 1000, ctx.timeoutMs ?? Infinity);
    const ran = a.single_flight ? await runSingleFlight(ctx, a, timeoutMs) : await runPlain(ctx, a, argv, timeoutMs);
    const r = ran.result;
    const out = execOutcome(argv, r);
    let why = ran.why;
    if (!why && ran.rc !== 0) why = `non-zero return code ${ran.rc}`;
    else if (!why && a.expect_line && !`${r.stdout}\n${r.stderr}`.split('\n').some((l) => l.includes(a.expect_line as string))) {
      why = `the output has no line containing ${JSON.stringify(a.expect_line)}`;
    }
    if (!why) return ran.note ? { ...out, msg: `${ran.note}it ended with rc 0` } : out;
    const errs = errorLines(`${r.stdout}\n${r.stderr}`, a.ignore_patterns).slice(-10);
    const shown = errs.length ? `\nerror lines:\n${errs.join('\n')}` : '';
    const tail = a.failure_log_glob && !ran.gone ? await logTail(ctx, a.container, a.failure_log_glob) : '';
    return failed(`${ran.note}${why}${shown}${tail}`, { ...out, changed: true });
  },
});
