// Ansible's add_host: a host (new or known) joins groups of the in-memory inventory for the rest of the run; the play
// runner applies `data.add_host` once the task has run, so later plays can select it.
import { z } from 'zod';
import { defineModule } from './support/module.js';

const names = z.union([z.string().min(1), z.array(z.string().min(1))]);

const schema = z
  .object({
    name: z.string().min(1).describe('The host\'s inventory name (`host:port` sets ansible_port); a known host keeps its variables and gains these.'),
    groups: names.optional().describe('Groups it joins (made when new, under `all`): one name, a list or "a,b".'),
  })
  .catchall(z.unknown())
  .describe('Any other key is a variable of the host (ansible_host, ansible_user, ...).');

type Args = z.infer<typeof schema>;

/** What the play runner adds to the inventory. */
export interface AddHostData {
  host_name: string;
  groups: string[];
  host_vars: Record<string, unknown>;
}

export function addHostData(args: Args): AddHostData {
  const { name, groups, ...vars } = args;
  const port = /^(.*[^:]):(\d{1,5})$/.exec(name);
  const list = (typeof groups === 'string' ? groups.split(',') : groups ?? []).map((g) => g.trim()).filter(Boolean);
  const host_vars: Record<string, unknown> = port ? { ansible_port: Number(port[2]), ...vars } : { ...vars };
  return { host_name: port ? port[1]! : name, groups: list, host_vars };
}

export const addHostModule = defineModule<Args>({
  name: 'add_host',
  description: 'Adds a host (or more groups for a known one) to the inventory of this run, for later plays; runs once per task (loop it for several hosts).',
  schema,
  argAliases: { host: 'name', hostname: 'name', group: 'groups', groupname: 'groups' },
  readOnly: true,
  runOnce: true,
  // Reported ok, not changed as Ansible does: nothing on any host changes, and a rerun stays at zero changes.
  check: async (args) => ({ changes: false, outcome: { msg: `added ${args.name}`, data: { add_host: addHostData(args) } } }),
});
