// Ansible's meta actions; the play runner carries them out (handlers, ending the play or a host, clearing errors).
import { z } from 'zod';
import { defineModule } from './support/module.js';

export const META_ACTIONS = [
  'flush_handlers', 'noop', 'end_play', 'end_host', 'end_batch', 'clear_facts', 'clear_host_errors', 'refresh_inventory', 'reset_connection',
] as const;

/** A meta action the play runner acts on. */
export type MetaAction = (typeof META_ACTIONS)[number];

const schema = z.strictObject({
  free_form: z
    .enum(META_ACTIONS)
    .describe(
      'flush_handlers: run the notified handlers now; noop: nothing; end_play / end_batch: no further task of the play (of the batch with serial) runs on any host; ' +
        'end_host: none runs on this host; clear_facts: gathered facts are gathered again when next read; ' +
        'clear_host_errors: failed hosts take part again; reset_connection: the next task connects anew; refresh_inventory: nothing (the inventory is read once per run).',
    ),
});

type Args = z.infer<typeof schema>;

export const metaModule = defineModule<Args>({
  name: 'meta',
  description: 'Ansible\'s meta actions: `meta: flush_handlers`, `end_play`, `end_host`, `end_batch`, `clear_host_errors`, `clear_facts`, `reset_connection`, `noop`, `refresh_inventory`.',
  schema,
  freeForm: 'free_form',
  readOnly: true,
  check: async (args) => ({ changes: false, outcome: { msg: args.free_form, data: { meta: args.free_form } } }),
});
