// Runs one of a module's own commands on the host with the task's become, timeout and abort signal.
import type { ExecResult } from '../../connection/connection.js';
import type { ModuleContext } from './module.js';

/** Options of one module command. */
export interface HostExecOptions {
  /** Stream its output lines to the live view. @defaultValue false */
  live?: boolean;
  /** Run as the login user even when the task has become (reads that need no root). @defaultValue false */
  noBecome?: boolean;
}

export function hostExec(ctx: ModuleContext, argv: string[], opts: HostExecOptions = {}): Promise<ExecResult> {
  return ctx.conn.exec(argv, {
    become: opts.noBecome ? undefined : ctx.become,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    ...(opts.live ? { onLine: (stream: 'stdout' | 'stderr', line: string) => ctx.log(line, stream) } : {}),
  });
}

// The last lines of a command's error output (its output when it wrote no errors), for a failure message.
export function outputTail(r: Pick<ExecResult, 'stdout' | 'stderr'>, lines = 10): string {
  const text = r.stderr.trim() || r.stdout.trim();
  return text.split('\n').slice(-lines).join('\n');
}

// The last lines of a command's output and of its errors, for tools (apt, dpkg) that report a failure's cause on stdout.
export function bothTails(r: Pick<ExecResult, 'stdout' | 'stderr'>, lines = 6): string {
  const tail = (t: string): string => t.trim().split('\n').slice(-lines).join('\n');
  return [tail(r.stdout), tail(r.stderr)].filter(Boolean).join('\n');
}
