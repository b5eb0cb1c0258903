// docker_exec single_flight: at most one copy of a command per container; a rerun waits for it and reports its outcome.
import { basename } from 'node:path';
import type { ExecResult } from '../../connection/connection.js';
import { quoteArgv } from '../../connection/quote.js';
import { ConnectionError, InterruptedError } from '../../core/errors.js';
import { docker } from './docker-cli.js';
import {
  type FlightEvent, flightClearArgv, flightDir, flightRunArgv, flightStopArgv, parseFlightLine,
} from './flight-scripts.js';
import type { ModuleContext } from './module.js';

/** Seconds between TERM and KILL when a single-flight command is stopped. */
export const STOP_GRACE_SECONDS = 5;

const INTERPRETERS = new Set(['sh', 'bash', 'dash', 'ash', 'python', 'python3', 'perl']);

// How messages name a command: the script an interpreter runs (docker_init.sh), else the command line, shortened.
export function commandLabel(argv: readonly string[]): string {
  const [first = '', second] = argv;
  if (INTERPRETERS.has(basename(first)) && second !== undefined && !second.startsWith('-')) return basename(second);
  const line = quoteArgv(argv);
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** What a single-flight run saw: the exec result without status lines, how it got the command, its exit code. */
export interface FlightRun {
  result: ExecResult;
  /** started: this run started it; attached: an earlier run's copy was running; finished: it had ended, uncollected. */
  how?: { kind: 'started' | 'attached' | 'finished'; pid: string; since: string };
  /** The command's exit code; absent when it ended without one or the exec broke off. */
  rc?: number;
  /** The command ended without an exit code while this run followed it (stopped from outside). */
  vanished: boolean;
  /** A status line of kind error (setsid missing, ...). */
  error?: string;
}

// Runs (or attaches to) the command; Ctrl-C and the task timeout stop it inside the container.
export async function runFlight(ctx: ModuleContext, container: string, argv: string[], timeoutMs: number): Promise<FlightRun> {
  const label = commandLabel(argv);
  const run: FlightRun = { result: { rc: 0, stdout: '', stderr: '', timedOut: false, durationMs: 0 }, vanished: false };
  let pidStart: string | undefined;
  const onEvent = (e: FlightEvent): void => {
    if (e.kind === 'started' || e.kind === 'attached' || e.kind === 'finished') {
      run.how = { kind: e.kind, pid: e.pid, since: e.since };
      pidStart = `${e.pid} ${e.start}`;
    }
    if (e.kind === 'attached') ctx.warn(`attached to the ${label} started at ${e.since} by an earlier run (pid ${e.pid}) in container ${container}: waiting for it; its output from the start, then its outcome`);
    if (e.kind === 'finished') ctx.warn(`the ${label} started at ${e.since} by an earlier run in container ${container} had ended: its output and outcome, reported once`);
    if (e.kind === 'stale') ctx.warn(`the ${label} started at ${e.since} (pid ${e.pid}) in container ${container} ended without an exit code (container restarted?): starting it again`);
    if (e.kind === 'rc') run.rc = e.rc;
    if (e.kind === 'vanished') run.vanished = true;
    if (e.kind === 'error') run.error = e.text;
  };
  let result: ExecResult;
  try {
    result = await docker(ctx, flightRunArgv(container, argv).slice(1), {
      timeoutMs,
      onLine: (stream, line) => {
        const e = stream === 'stderr' ? parseFlightLine(line) : undefined;
        if (e) onEvent(e);
        else ctx.log(line, stream);
      },
    });
  } catch (err) {
    if (err instanceof InterruptedError) throw new InterruptedError(await stopFlight(ctx, container, argv));
    if (err instanceof ConnectionError) {
      const why = err.message.startsWith(`${err.host}: `) ? err.message.slice(err.host.length + 2) : err.message;
      throw new ConnectionError(err.host, `${why}; ${stillRunning(label, container)}`, { cause: err });
    }
    throw err;
  }
  run.result = { ...result, stderr: result.stderr.split('\n').filter((l) => !parseFlightLine(l)).join('\n') };
  if (result.timedOut) return { ...run, error: `timed out after ${timeoutMs / 1000} s: ${await stopFlight(ctx, container, argv)}` };
  // The result has arrived: only now may its state go (a run that died before this point leaves it for the next).
  if (run.rc !== undefined && pidStart) {
    const clear = flightClearArgv(container, flightDir(argv), pidStart).slice(1);
    await docker(ctx, clear, { signal: undefined, timeoutMs: 30_000 }).catch(() => undefined);
  }
  return run;
}

/** What to tell the user when a single-flight command could not be stopped. */
export function stillRunning(label: string, container: string): string {
  return `${label} may still be running in container ${container}; the next run waits for it and reports its outcome`;
}

// TERM to the command's process group in the container, KILL after a grace period; says what it did.
export async function stopFlight(ctx: ModuleContext, container: string, argv: string[]): Promise<string> {
  const label = commandLabel(argv);
  ctx.log(`stopping ${label} in container ${container}`, 'info');
  let r: ExecResult;
  try {
    r = await docker(ctx, flightStopArgv(container, flightDir(argv), STOP_GRACE_SECONDS).slice(1), {
      signal: undefined,
      timeoutMs: (STOP_GRACE_SECONDS + 25) * 1000,
    });
  } catch (err) {
    return `could not stop ${label} (${err instanceof Error ? err.message : String(err)}); ${stillRunning(label, container)}`;
  }
  const e = r.stderr.split('\n').map(parseFlightLine).find((x) => x !== undefined);
  if (e?.kind === 'stopped') return `stopped ${label} (pid ${e.pid}) in container ${container}`;
  if (e?.kind === 'killed') return `killed ${label} (pid ${e.pid}) in container ${container} (it outlived TERM by ${STOP_GRACE_SECONDS} s)`;
  if (e?.kind === 'not-running') return `${label} was no longer running in container ${container}`;
  const why = (r.stderr || r.stdout).trim() || `rc ${r.rc}`;
  return `could not stop ${label} (${why}); ${stillRunning(label, container)}`;
}
