// Waits a while once for the play (not once per host); a prompt needs a terminal to answer it, which runs lack.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { InterruptedError } from '../core/errors.js';
import { failed } from './support/common.js';
import { defineModule } from './support/module.js';

const schema = z
  .strictObject({
    seconds: z.number().nonnegative().optional().describe('Seconds to wait.'),
    minutes: z.number().nonnegative().optional().describe('Minutes to wait.'),
    prompt: z.string().optional().describe('Text to show; omsrun reads no answers (a run has no terminal to read them from), so a prompt needs seconds or minutes to go on.'),
    echo: z.boolean().default(true).describe("Accepted for Ansible's playbooks; omsrun reads no input, so it changes nothing."),
  })
  .refine((a) => a.seconds === undefined || a.minutes === undefined, { error: 'expected seconds or minutes, not both' });

type Args = z.infer<typeof schema>;

export const pauseModule = defineModule<Args>({
  name: 'pause',
  description: 'Waits seconds or minutes, once for the play whatever the number of hosts (as run_once); a prompt is shown, not answered: it needs seconds or minutes.',
  schema,
  readOnly: true,
  runOnce: true,
  check: async (a, ctx) => {
    const wait = a.seconds ?? (a.minutes === undefined ? undefined : a.minutes * 60);
    if (wait === undefined) {
      const why = a.prompt === undefined ? 'a pause without seconds or minutes waits for Enter' : `the prompt ${JSON.stringify(a.prompt)} waits for an answer`;
      return { changes: false, outcome: failed(`${why}, and omsrun reads no answers during a run; give seconds or minutes to wait instead`) };
    }
    if (a.prompt !== undefined) ctx.log(a.prompt, 'info');
    const start = new Date();
    try {
      await sleep(wait * 1000, undefined, { signal: ctx.signal });
    } catch {
      throw new InterruptedError();
    }
    const stop = new Date();
    const delta = Math.round((stop.getTime() - start.getTime()) / 1000);
    return { changes: false, outcome: { msg: `paused for ${wait} s`, data: { start: start.toISOString(), stop: stop.toISOString(), delta, user_input: '', echo: a.echo } } };
  },
});
