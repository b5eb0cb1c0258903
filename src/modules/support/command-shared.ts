// command and shell differ only in how argv is built; guards and results are shared.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ExecResult } from '../../connection/connection.js';
import { statPath } from '../../connection/fs-ops.js';
import { quoteArgv } from '../../connection/quote.js';
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
  if (opts.creates && !guardOnHost(opts, ctx) && (await statPath(ctx.conn, opts.creates, ctx.become)).exists) {
    return { changes: false, outcome: { msg: `skipped, since ${opts.creates} exists`, rc: 0 } };
  }
  if (opts.removes && !(await statPath(ctx.conn, opts.removes, ctx.become)).exists) {
    return { changes: false, outcome: { msg: `skipped, since ${opts.removes} does not exist`, rc: 0 } };
  }
  return { changes: true, summary: `run ${quoteArgv(argv)}`, data: argv, skipInCheckMode: true };
}

// Outside check mode `creates` is tested by the command itself (one round trip instead of a stat and a run),
// unless a relative path would then resolve against chdir instead of the login folder.
function guardOnHost(opts: CommandFields, ctx: ModuleContext): boolean {
  return opts.creates !== undefined && !ctx.checkMode && (opts.chdir === undefined || opts.creates.startsWith('/'));
}

const CREATES_GUARD = 'if [ -e "$2" ] || [ -L "$2" ]; then echo "$1"; exit 0; fi; shift 2; exec "$@"';

// rc 0 is success; anything else fails with the command's stderr in the message.
export async function runCommand(argv: string[], opts: CommandFields, ctx: ModuleContext): Promise<ModuleOutcome> {
  const skip = guardOnHost(opts, ctx) ? `omsrun-skip-${randomBytes(8).toString('hex')}` : undefined;
  const sent = skip ? ['/bin/sh', '-c', CREATES_GUARD, 'sh', skip, opts.creates!, ...argv] : argv;
  const r = await ctx.conn.exec(sent, {
    cwd: opts.chdir,
    env: ctx.env,
    stdin: opts.stdin,
    become: ctx.become,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onLine: (stream, line) => (line === skip ? undefined : ctx.log(line, stream)),
    ownScript: skip !== undefined,
  });
  if (skip && r.rc === 0 && r.stdout.trim() === skip) return { changed: false, msg: `skipped, since ${opts.creates} exists`, rc: 0 };
  const out = execOutcome(argv, r);
  if (r.timedOut) {
    return { ...out, failed: true, msg: `command timed out after ${ctx.timeoutMs} ms` };
  }
  if (r.rc !== 0) {
    const why = r.stderr.trim();
    return { ...out, failed: true, msg: `non-zero return code ${r.rc}${why ? `: ${why}` : ''}` };
  }
  return out;
}

// What a command that ran reports: changed, its rc and output (last newline trimmed), the argv it ran.
export function execOutcome(argv: string[], r: ExecResult): ModuleOutcome {
  return { changed: true, rc: r.rc, stdout: r.stdout.replace(/\n$/, ''), stderr: r.stderr.replace(/\n$/, ''), data: { cmd: argv } };
}
