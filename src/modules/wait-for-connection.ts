// Waits until the host answers over its connection again (after a reboot, a network change, sshd restarting).
import { z } from 'zod';
import { failed } from './support/common.js';
import { defineModule } from './support/module.js';
import { elapsedSince, nap, seconds, untilAnswers } from './support/reconnect.js';

const schema = z.strictObject({
  timeout: seconds('Seconds to keep trying before the task fails.', 600),
  delay: seconds('Seconds to wait before the first try.', 0),
  sleep: seconds('Seconds between tries.', 1),
  connect_timeout: seconds('Seconds one try (connect and a command) may take.', 5),
});

type Args = z.infer<typeof schema>;

export const waitForConnectionModule = defineModule<Args>({
  name: 'wait_for_connection',
  description: 'Waits until the host answers again: reconnects and runs a command, retrying until timeout; returns elapsed.',
  schema,
  readOnly: true,
  check: async (args, ctx) => {
    const started = Date.now();
    await nap(ctx, args.delay);
    const a = await untilAnswers(ctx, ['true'], { timeout: args.timeout, pause: args.sleep, connectTimeout: args.connect_timeout });
    const elapsed = elapsedSince(started);
    if (!a.ok) return { changes: false, outcome: failed(`timed out waiting for connection to ${ctx.host} after ${args.timeout} s; last try: ${a.why}`, { data: { elapsed } }) };
    return { changes: false, outcome: { msg: `${ctx.host} answered after ${elapsed} s`, data: { elapsed } } };
  },
});
