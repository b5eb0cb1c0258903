// Ansible's add_host: a host (new or known) joins groups of the in-memory inventory for the rest of the run; the play
// runner applies `data.add_host` once the task has run, so later plays can select it.
import { z } from 'zod';
import { parseAddress } from '../inventory/host-pattern.js';
import { defineModule } from './support/module.js';

const names = z.union([z.string().min(1), z.array(z.string().min(1))]);

const schema = z
  .object({
    name: z
      .string()
      .min(1)
      .describe('The host\'s inventory name (`host:port` or `[v6 address]:port` sets ansible_port); a known host keeps its variables and gains these.'),
    groups: names.optional().describe('Groups it joins (made when new, under `all`): one name, a list or "a,b".'),
  })
  .catchall(z.unknown())
  .superRefine((a, ctx) => {
    if (splitName(a.name) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `expected host:port with a valid host name or address and a port from 1 to 65535 ([address]:port for IPv6), got "${a.name}"; a name that is no address takes no port: set ansible_host and ansible_port beside it`,
        input: a.name,
      });
    }
  })
  .describe('Any other key is a variable of the host (ansible_host, ansible_user, ...).');

type Args = z.infer<typeof schema>;

/** What the play runner adds to the inventory. */
export interface AddHostData {
  host_name: string;
  groups: string[];
  host_vars: Record<string, unknown>;
}

// The name split as the inventory splits `host:port` and `[v6]:port`. As Ansible, any other name is kept whole (an alias
// whose ansible_host says where it is), except one ending in `:port` (Ansible keeps "bad name:22" whole as a host that
// can never be reached): undefined, refused by the schema. A range (web[1:3]) is no address either: kept whole, as Ansible.
function splitName(name: string): { host: string; port?: number } | undefined {
  const parsed = parseAddress(name);
  if (parsed && !parsed.host.includes('[') && (parsed.port === undefined || (parsed.port >= 1 && parsed.port <= 65535))) return parsed;
  return /:[0-9]+$/.test(name) ? undefined : { host: name };
}

export function addHostData(args: Args): AddHostData {
  const { name, groups, ...vars } = args;
  const { host, port } = splitName(name) ?? { host: name };
  const list = (typeof groups === 'string' ? groups.split(',') : groups ?? []).map((g) => g.trim()).filter(Boolean);
  const host_vars: Record<string, unknown> = port === undefined ? { ...vars } : { ansible_port: port, ...vars };
  return { host_name: host, groups: list, host_vars };
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
