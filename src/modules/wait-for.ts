// Waits, from the host's point of view, for a port to open/close or a path to appear/vanish.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { statPath } from '../connection/fs-ops.js';
import { CommandError, InterruptedError } from '../core/errors.js';
import { defineModule, type ModuleContext } from './support/module.js';

const seconds = (what: string, dflt: number) => z.number().nonnegative().default(dflt).describe(what);

const schema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Host name or address to probe, as seen from the target.'),
    port: z.number().int().min(1).max(65535).optional().describe('TCP port to wait for.'),
    path: z.string().min(1).optional().describe('Path on the target to wait for.'),
    state: z
      .enum(['started', 'stopped', 'present', 'absent'])
      .default('started')
      .describe('started/present: wait until open or existing; stopped/absent: until closed or gone.'),
    timeout: seconds('Seconds to wait before failing.', 300),
    delay: seconds('Seconds to wait before the first probe.', 0),
    sleep: seconds('Seconds between probes.', 1),
    connect_timeout: seconds('Seconds one port probe may take.', 5),
  })
  .refine((a) => (a.port === undefined) !== (a.path === undefined), { error: 'expected exactly one of port or path' });

type Args = z.infer<typeof schema>;

/** Exit code of the probe script when the host has neither nc nor bash. */
const NO_PROBE_TOOL = 97;

const PROBE = [
  'if command -v nc >/dev/null 2>&1; then exec nc -z -w "$3" "$1" "$2"; fi',
  `if command -v bash >/dev/null 2>&1; then exec timeout "$3" bash -c 'exec 3<>"/dev/tcp/$1/$2"' bash "$1" "$2"; fi`,
  `exit ${NO_PROBE_TOOL}`,
].join('\n');

function probeLocal(host: string, port: number, timeoutS: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (open: boolean) => {
      sock.destroy();
      resolve(open);
    };
    sock.setTimeout(timeoutS * 1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function probePort(args: Args, port: number, ctx: ModuleContext): Promise<boolean> {
  if (ctx.conn.capabilities.runsOnController) return probeLocal(args.host, port, args.connect_timeout);
  const timeout = String(Math.max(1, Math.ceil(args.connect_timeout)));
  const r = await ctx.conn.exec(['/bin/sh', '-c', PROBE, 'sh', args.host, String(port), timeout], { signal: ctx.signal, ownScript: true });
  if (r.rc === NO_PROBE_TOOL) throw new CommandError('wait_for: the host has neither nc nor bash to probe a port', r.rc, r.stdout, r.stderr);
  return r.rc === 0;
}

export const waitForModule = defineModule<Args>({
  name: 'wait_for',
  description: 'Waits for a TCP port to open or close, or a path to appear or vanish, on the host.',
  schema,
  readOnly: true,
  check: async (args, ctx) => {
    const started = Date.now();
    const wantUp = args.state === 'started' || args.state === 'present';
    const what = args.port !== undefined ? `port ${args.host}:${args.port}` : `path ${args.path}`;
    const probe = async () =>
      args.port !== undefined
        ? probePort(args, args.port, ctx)
        : (await statPath(ctx.conn, args.path as string, ctx.become)).exists;
    const nap = async (s: number) => {
      try {
        await sleep(s * 1000, undefined, { signal: ctx.signal });
      } catch {
        throw new InterruptedError();
      }
    };
    if (args.delay > 0) await nap(args.delay);
    const deadline = Date.now() + args.timeout * 1000;
    for (;;) {
      if ((await probe()) === wantUp) {
        const elapsed = Math.round((Date.now() - started) / 100) / 10;
        return { changes: false, outcome: { msg: `${what} is ${args.state}`, data: { elapsed, state: args.state } } };
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        return { changes: false, outcome: { failed: true, msg: `timeout after ${args.timeout}s waiting for ${what} to be ${args.state}` } };
      }
      await nap(Math.min(args.sleep, left / 1000));
    }
  },
});
