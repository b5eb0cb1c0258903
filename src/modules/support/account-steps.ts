// user, group and cron change the host with a short list of commands decided by check: each runs in turn, and the
// first that fails ends the task naming it, with its output (a secret in stdin never shown).
import { MASK } from '../../core/secrets.js';
import { z } from 'zod';
import { failed } from './common.js';
import { outputTail } from './host-exec.js';
import type { ModuleContext, ModuleOutcome } from './module.js';

/** One command of a plan; stdin is sent, never shown. */
export interface Step {
  argv: string[];
  stdin?: string;
}

/** A user or group name as useradd and groupadd take it: no colon, comma, space or leading dash. */
export const accountName = (what: string) =>
  z.string().regex(/^[^-:,\s][^:,\s]*$/, { error: (iss) => `expected a ${what} name without ':', ',', spaces or a leading '-', got ${JSON.stringify(iss.input)}` });

// Runs the steps; the first failure is the task's, its message without `secret`.
export async function runSteps(ctx: ModuleContext, steps: Step[], secret?: string): Promise<ModuleOutcome | undefined> {
  for (const step of steps) {
    const r = await ctx.conn.exec(step.argv, { become: ctx.become, timeoutMs: ctx.timeoutMs, signal: ctx.signal, ...(step.stdin === undefined ? {} : { stdin: step.stdin }) });
    if (r.rc === 0) continue;
    let tail = outputTail(r);
    if (secret) tail = tail.split(secret).join(MASK);
    return failed(`${step.argv[0]} failed (rc ${r.rc}): ${tail || 'no output'}`, { rc: r.rc });
  }
  return undefined;
}
