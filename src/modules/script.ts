// Runs a controller script on the host: copied to a private temp file there, run with its arguments, then removed.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { z } from 'zod';
import { quoteArgv } from '../connection/quote.js';
import { planCommand, runCommand } from './support/command-shared.js';
import { failed, resolveControllerPath } from './support/common.js';
import { defineModule } from './support/module.js';
import { splitArgs } from './support/split-args.js';

const schema = z
  .strictObject({
    cmd: z.string().min(1).describe('The script on the controller (the playbook folder, then its files/) and its arguments, split as a shell would split them.'),
    creates: z.string().min(1).optional().describe('Skip the script when this path exists on the host.'),
    removes: z.string().min(1).optional().describe('Run the script only when this path exists on the host.'),
    chdir: z.string().min(1).optional().describe('Working directory on the host.'),
    executable: z.string().min(1).optional().describe('Program that runs the script (e.g. /bin/bash, python3); default: the script itself, by its #! line.'),
  })
  .superRefine((a, ctx) => {
    try {
      if (splitArgs(a.cmd).length === 0) ctx.addIssue({ code: 'custom', path: ['cmd'], message: 'expected a script path, got only blanks', input: a.cmd });
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['cmd'], message: (err as Error).message, input: a.cmd });
    }
  });

type Args = z.infer<typeof schema>;

interface ScriptPlan {
  local: string;
  args: string[];
}

export const scriptModule = defineModule<Args, ScriptPlan>({
  name: 'script',
  description: 'Copies a script from the controller to a private temp file on the host, runs it with its arguments (creates/removes, chdir, executable), then removes it; returns rc, stdout and stderr.',
  schema,
  freeForm: 'cmd',
  check: async (a, ctx) => {
    const [path = '', ...args] = splitArgs(a.cmd);
    const local = resolveControllerPath(ctx.baseDir, path, ['files']);
    if (!local) return { changes: false, outcome: failed(`cannot find the script ${path} on the controller (looked in ${ctx.baseDir} and its files/)`) };
    const plan = await planCommand([...(a.executable ? [a.executable] : []), path, ...args], a, ctx);
    return plan.changes ? { ...plan, summary: `run ${quoteArgv([path, ...args])}`, data: { local, args } } : plan;
  },
  apply: async (a, plan, ctx) => {
    if (!plan) throw new Error('script: apply without a plan');
    const tmp = `/tmp/.omsrun-script-${randomBytes(6).toString('hex')}-${basename(plan.local)}`;
    await ctx.conn.put({ localPath: plan.local }, tmp, { mode: '0700', become: ctx.become, signal: ctx.signal });
    try {
      return await runCommand([...(a.executable ? [a.executable] : []), tmp, ...plan.args], a, ctx);
    } finally {
      await ctx.conn.exec(['rm', '-f', '--', tmp], { become: ctx.become }).catch(() => undefined);
    }
  },
});
