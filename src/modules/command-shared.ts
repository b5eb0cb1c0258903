// command and shell differ only in how argv is built; guards and results are shared.
import { z } from 'zod';
import { statPath } from '../connection/fs-ops.js';
import { quoteArgv } from '../connection/quote.js';
import type { ModuleContext, ModuleOutcome, Plan } from './module.js';

/** Options both command and shell accept. */
export const commandFields = {
  creates: z.string().min(1).optional().describe('Skip the command when this path exists on the host.'),
  removes: z.string().min(1).optional().describe('Run the command only when this path exists on the host.'),
  chdir: z.string().min(1).optional().describe('Working directory on the host.'),
  stdin: z.string().optional().describe('Text written to the command standard input.'),
};

export type CommandFields = { creates?: string; removes?: string; chdir?: string; stdin?: string };

// creates/removes make a command idempotent; without them it always runs and always "changes".
export async function planCommand(argv: string[], opts: CommandFields, ctx: ModuleContext): Promise<Plan<string[]>> {
  if (opts.creates && (await statPath(ctx.conn, opts.creates, ctx.become)).exists) {
    return { changes: false, outcome: { msg: `skipped, since ${opts.creates} exists`, rc: 0 } };
  }
  if (opts.removes && !(await statPath(ctx.conn, opts.removes, ctx.become)).exists) {
    return { changes: false, outcome: { msg: `skipped, since ${opts.removes} does not exist`, rc: 0 } };
  }
  return { changes: true, summary: `run ${quoteArgv(argv)}`, data: argv, skipInCheckMode: true };
}

// rc 0 is success; anything else fails with the command's stderr in the message.
export async function runCommand(argv: string[], opts: CommandFields, ctx: ModuleContext): Promise<ModuleOutcome> {
  const r = await ctx.conn.exec(argv, {
    cwd: opts.chdir,
    stdin: opts.stdin,
    become: ctx.become,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onLine: (stream, line) => ctx.log(line, stream),
  });
  const out: ModuleOutcome = {
    changed: true,
    rc: r.rc,
    stdout: r.stdout.replace(/\n$/, ''),
    stderr: r.stderr.replace(/\n$/, ''),
    data: { cmd: argv },
  };
  if (r.timedOut) {
    return { ...out, failed: true, msg: `command timed out after ${ctx.timeoutMs} ms` };
  }
  if (r.rc !== 0) {
    const why = r.stderr.trim();
    return { ...out, failed: true, msg: `non-zero return code ${r.rc}${why ? `: ${why}` : ''}` };
  }
  return out;
}
