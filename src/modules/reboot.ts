// Reboots the host and waits until it is back: a new boot id, then test_command succeeding; as Ansible's reboot.
import { z } from 'zod';
import { ConnectionError } from '../core/errors.js';
import { failed } from './support/common.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule } from './support/module.js';
import { elapsedSince, nap, seconds, untilAnswers } from './support/reconnect.js';
import { splitArgs } from './support/split-args.js';

const schema = z.strictObject({
  reboot_timeout: seconds('Seconds to wait for the host to come back and pass test_command.', 600),
  connect_timeout: seconds('Seconds one try to reach the host (connect and a command) may take.', 5),
  pre_reboot_delay: seconds('Seconds before the reboot: whole minutes go to shutdown (`+MINUTES`, as Ansible does on Linux), the rest is waited before it is called.', 0),
  post_reboot_delay: seconds('Seconds to wait after the host is back, before the task ends.', 0),
  test_command: z.string().min(1).default('whoami').describe('Command that must succeed on the rebooted host.'),
  msg: z.string().default('Reboot initiated by omsrun').describe('Message shutdown broadcasts to logged-in users.'),
  boot_time_command: z.string().min(1).default('cat /proc/sys/kernel/random/boot_id').describe('Command whose output changes with every boot.'),
  reboot_command: z.string().min(1).optional().describe('Command that reboots the host. @defaultValue shutdown -r +MINUTES "msg"'),
});

type Args = z.infer<typeof schema>;

const shell = (command: string): string[] => ['/bin/sh', '-c', command];

export function rebootArgv(a: Args): string[] {
  if (a.reboot_command) return splitArgs(a.reboot_command);
  return ['shutdown', '-r', `+${Math.floor(a.pre_reboot_delay / 60)}`, a.msg];
}

export const rebootModule = defineModule<Args>({
  name: 'reboot',
  description: 'Reboots the host, waits until it is back (boot id changed, test_command succeeds) and reconnects; returns rebooted and elapsed.',
  schema,
  check: async (args, ctx) => {
    if (ctx.conn.capabilities.runsOnController) {
      return { changes: false, outcome: failed('reboot over a local connection would reboot the controller itself; run it on a host reached over SSH') };
    }
    const boot = await hostExec(ctx, shell(args.boot_time_command), { noBecome: true });
    if (boot.rc !== 0 || !boot.stdout.trim()) return { changes: false, outcome: failed(`cannot read the boot id (${args.boot_time_command}, rc ${boot.rc}): ${outputTail(boot, 3)}`) };
    return { changes: true, summary: `reboot ${ctx.host}`, data: boot.stdout.trim() };
  },
  apply: async (args, bootId, ctx) => {
    const started = Date.now();
    const argv = rebootArgv(args);
    await nap(ctx, args.reboot_command ? args.pre_reboot_delay : args.pre_reboot_delay % 60);
    try {
      const r = await hostExec(ctx, argv);
      if (r.rc !== 0) {
        const hint = /permission|must be root|Access denied|Interactive authentication/i.test(`${r.stderr}${r.stdout}`) ? '; rebooting needs root: run the task with become: true' : '';
        return failed(`${argv.join(' ')} failed (rc ${r.rc}): ${outputTail(r, 3)}${hint}`, { rc: r.rc, data: { rebooted: false, elapsed: elapsedSince(started) } });
      }
    } catch (err) {
      // The host may go down before the command's answer arrives: that is the reboot working.
      if (!(err instanceof ConnectionError)) throw err;
    }
    const timeout = args.reboot_timeout;
    const pause = 1;
    const back = await untilAnswers(ctx, shell(args.boot_time_command), {
      timeout, pause, connectTimeout: args.connect_timeout, accept: (out) => out.trim() !== '' && out.trim() !== bootId,
    });
    if (!back.ok) {
      return failed(`${ctx.host} did not come back with a new boot within reboot_timeout (${timeout} s); last try: ${back.why}`, { data: { rebooted: false, elapsed: elapsedSince(started) } });
    }
    const left = Math.max(1, timeout - (Date.now() - started) / 1000);
    const tested = await untilAnswers(ctx, shell(args.test_command), { timeout: left, pause, connectTimeout: args.connect_timeout, become: true });
    if (!tested.ok) {
      return failed(`${ctx.host} rebooted but test_command never succeeded within reboot_timeout (${timeout} s); last try: ${tested.why}`, { data: { rebooted: true, elapsed: elapsedSince(started) } });
    }
    await nap(ctx, args.post_reboot_delay);
    const elapsed = elapsedSince(started);
    return { changed: true, msg: `${ctx.host} rebooted and back after ${elapsed} s`, data: { rebooted: true, elapsed } };
  },
});
