// `omsrun unlock`: removes deploy locks left by a crashed run, printing who held them.
import type { Command } from 'commander';
import pLimit from 'p-limit';
import { connectionFactory } from './connection-factory.js';
import { ExitCode, OmsrunError } from '../core/errors.js';
import { adminBecome, DEFAULT_LOCK_PATH } from '../executor/host-admin.js';
import { forceReleaseLock } from '../executor/host-lock.js';
import { resolveInventory } from '../inventory/load.js';
import { selectHosts } from '../inventory/pattern.js';
import { buildVars, inventoryLayers, magicVars } from '../template/vars.js';

export function registerUnlockCommand(program: Command): Command {
  program
    .command('unlock')
    .description('remove the deploy lock on hosts (after a crashed run), printing who held it')
    .option('-i, --inventory <name>', 'inventory name, path or host1,host2, (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('-l, --limit <pattern>', 'hosts to unlock', 'all')
    .option('--host-key-checking <mode>', 'strict, accept-new or off', 'strict')
    .action(async (o: { inventory: string[]; limit: string; hostKeyChecking: 'strict' | 'accept-new' | 'off' }) => {
      const cwd = process.cwd();
      const inventory = await resolveInventory(o.inventory, cwd);
      const hosts = selectHosts(inventory, o.limit, cwd);
      const connect = connectionFactory({ hostKeyPolicy: o.hostKeyChecking });
      let failures = 0;
      const limit = pLimit(20);
      await Promise.all(
        hosts.map((host) =>
          limit(async () => {
            const vars = buildVars({ ...inventoryLayers(inventory, host), magic: magicVars({ inventory, host }) });
            const conn = connect(host, vars);
            try {
              await conn.connect();
              const path = String(vars.omsrun_lock_path ?? DEFAULT_LOCK_PATH);
              const holder = await forceReleaseLock(conn, path, adminBecome(conn, vars));
              process.stdout.write(holder ? `${host}: released lock held by ${holder}\n` : `${host}: no lock\n`);
            } catch (err) {
              if (!(err instanceof OmsrunError)) throw err;
              failures++;
              process.stdout.write(`${host}: ${err.message}\n`);
            } finally {
              await conn.close().catch(() => undefined);
            }
          }),
        ),
      );
      if (failures) process.exitCode = ExitCode.unreachable;
    });
  return program;
}
