// A local group present (with the gid given) or absent: groupadd, groupmod -g or groupdel, only when needed.
import { z } from 'zod';
import { accountName, runSteps, type Step } from './support/account-steps.js';
import { failed } from './support/common.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule } from './support/module.js';

const schema = z.strictObject({
  name: accountName('group').describe('Name of the group.'),
  state: z.enum(['present', 'absent']).default('present').describe('present: the group exists; absent: it is removed.'),
  gid: z.number().int().nonnegative().optional().describe('Group id; an existing group with another gid gets this one (groupmod -g).'),
  system: z.boolean().default(false).describe('Create a system group (groupadd -r); only when the group is created.'),
});

type Args = z.infer<typeof schema>;

const result = (a: Args, gid?: string) => ({
  name: a.name, state: a.state, ...(a.state === 'present' ? { system: a.system } : {}), ...(gid ? { gid: Number(gid) } : {}),
});

export const groupModule = defineModule<Args, { steps: Step[] }>({
  name: 'group',
  description: 'Manages a local group: created with groupadd, its gid changed with groupmod, removed with groupdel; changed only when it differs.',
  schema,
  check: async (a, ctx) => {
    const r = await hostExec(ctx, ['getent', 'group', a.name]);
    // getent: 2 means no such entry.
    if (r.rc !== 0 && r.rc !== 2) return { changes: false, outcome: failed(`cannot read the group ${a.name}: ${outputTail(r)}`, { rc: r.rc }) };
    const gid = r.rc === 0 ? r.stdout.split(':')[2] : undefined;
    if (a.state === 'absent') {
      if (gid === undefined) return { changes: false, outcome: { data: result(a) } };
      return { changes: true, summary: `remove group ${a.name}`, data: { steps: [{ argv: ['groupdel', a.name] }] } };
    }
    if (gid === undefined) {
      const argv = ['groupadd', ...(a.gid !== undefined ? ['-g', String(a.gid)] : []), ...(a.system ? ['-r'] : []), a.name];
      return { changes: true, summary: `create group ${a.name}`, data: { steps: [{ argv }] } };
    }
    if (a.gid === undefined || String(a.gid) === gid) return { changes: false, outcome: { data: result(a, gid) } };
    return { changes: true, summary: `group ${a.name}: gid ${gid} -> ${a.gid}`, data: { steps: [{ argv: ['groupmod', '-g', String(a.gid), a.name] }] } };
  },
  apply: async (a, plan, ctx) => {
    const bad = await runSteps(ctx, plan!.steps);
    if (bad) return bad;
    if (a.state === 'absent') return { changed: true, msg: `removed group ${a.name}`, data: result(a) };
    const r = await hostExec(ctx, ['getent', 'group', a.name]);
    return { changed: true, msg: plan!.steps[0]!.argv[0] === 'groupadd' ? `created group ${a.name}` : `changed group ${a.name}`, data: result(a, r.stdout.split(':')[2]) };
  },
});
