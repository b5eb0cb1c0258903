// Stops the host with a message of the playbook's choosing.
import { z } from 'zod';
import { defineModule } from './support/module.js';

const schema = z.strictObject({
  msg: z.string().default('Failed as requested from task').describe('Message shown as the failure reason.'),
});

export const failModule = defineModule<z.infer<typeof schema>>({
  name: 'fail',
  description: 'Fails the task with a message.',
  schema,
  freeForm: 'msg',
  readOnly: true,
  check: async (args) => ({ changes: false, outcome: { failed: true, msg: args.msg } }),
});
