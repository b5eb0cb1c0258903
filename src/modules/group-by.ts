// Ansible's group_by: the task's host joins a group named by a (templated) key, for later plays; the play runner
// applies `data.add_group` once the task has run.
import { z } from 'zod';
import { defineModule } from './support/module.js';

const schema = z.strictObject({
  key: z.string().min(1).describe('The group to join, usually a template such as `os_{{ ansible_os_family }}`.'),
  parents: z.union([z.string().min(1), z.array(z.string().min(1))]).default(['all']).describe('Parent groups of a new group.'),
});

type Args = z.infer<typeof schema>;

export const groupByModule = defineModule<Args>({
  name: 'group_by',
  description: 'Puts the host in a group named by a key (e.g. `os_{{ ansible_os_family }}`) for later plays of the run.',
  schema,
  readOnly: true,
  check: async (args) => {
    const parents = typeof args.parents === 'string' ? [args.parents] : args.parents;
    return { changes: false, outcome: { msg: `in group ${args.key}`, data: { add_group: args.key, parent_groups: parents } } };
  },
});
