// wait_for_connection and reboot: drop the host's connection and open it again until a command runs there.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ConnectionError, InterruptedError } from '../../core/errors.js';
import type { ModuleContext } from './module.js';

/** A number of seconds argument with its default. */
export const seconds = (what: string, dflt: number) => z.number().nonnegative().default(dflt).describe(what);

// Sleeps, or ends the task when the run is interrupted.
export async function nap(ctx: ModuleContext, seconds: number): Promise<void> {
  if (seconds <= 0) return;
  try {
    await sleep(seconds * 1000, undefined, { signal: ctx.signal });
  } catch {
    throw new InterruptedError();
  }
}

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** What one attempt gave: the command's output, or why the host did not answer. */
export type Attempt = { ok: true; stdout: string } | { ok: false; why: string };

// A fresh connection (the old one closed), then `argv`: ok when it exits 0 within connectTimeout seconds.
export async function tryCommand(ctx: ModuleContext, argv: string[], connectTimeout: number, become = false): Promise<Attempt> {
  const ms = Math.max(1, connectTimeout) * 1000;
  try {
    await ctx.conn.close().catch(() => undefined);
    await within(ctx.conn.connect(), ms, 'connecting');
    const r = await ctx.conn.exec(argv, { become: become ? ctx.become : undefined, timeoutMs: ms, signal: ctx.signal });
    if (r.rc === 0 && !r.timedOut) return { ok: true, stdout: r.stdout };
    return { ok: false, why: `${argv.join(' ')} ${r.timedOut ? 'timed out' : `exited ${r.rc}`}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}` };
  } catch (err) {
    if (err instanceof InterruptedError || ctx.signal.aborted) throw new InterruptedError();
    return { ok: false, why: err instanceof ConnectionError ? err.detail : (err as Error).message };
  }
}

/** Seconds since `started`, to a tenth. */
export const elapsedSince = (started: number): number => Math.round((Date.now() - started) / 100) / 10;

// Tries `argv` every `pause` seconds until it works (its output) or `timeout` seconds are up (the last reason).
export async function untilAnswers(
  ctx: ModuleContext,
  argv: string[],
  o: { timeout: number; pause: number; connectTimeout: number; become?: boolean; accept?: (stdout: string) => boolean },
): Promise<Attempt> {
  const deadline = Date.now() + o.timeout * 1000;
  let told = '';
  for (;;) {
    const a = await tryCommand(ctx, argv, o.connectTimeout, o.become);
    if (a.ok && (o.accept?.(a.stdout) ?? true)) return a;
    const why = a.ok ? 'the host has not rebooted yet' : a.why;
    if (why !== told) ctx.log(`${ctx.host} not there yet: ${why}`, 'info');
    told = why;
    const left = deadline - Date.now();
    if (left <= 0) return a.ok ? { ok: false, why: `${argv.join(' ')} printed ${JSON.stringify(a.stdout.trim())}` } : a;
    await nap(ctx, Math.min(o.pause, left / 1000));
  }
}
