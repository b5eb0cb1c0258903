// `tsx scripts/bench/session-bench.ts [--hosts N]`: exec channels against the session transport on a private lab.
// Prints figures, asserts nothing.
import { Command } from 'commander';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { countChannels } from '../lab/count-channels.js';
import { freeSideSubnet, labDown, labUp, type LabHost, type LabState } from '../lab/lab-api.js';
import { cleanHosts, runOmsrun, writeInventory } from './tools.js';

const LAB_NAME = 'sesbn';
const LAB_DIR = '/tmp/omsrun-ses-bench-lab';

/** One transport's figures over all hosts. */
interface Figures {
  wallMs: number;
  commands: number;
  channels: number;
}

// Opens one connection per host, counting the exec channels its client opens.
async function connect(lab: LabState, host: LabHost, session: boolean): Promise<{ conn: SshConnection; channels: () => number }> {
  const conn = new SshConnection(
    { host: host.name, address: host.ip, port: 22, user: 'root', privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict', knownHostsFile: lab.knownHosts, connectTimeoutMs: 10_000, keepaliveIntervalMs: 10_000 },
    { session },
  );
  await conn.connect();
  return { conn, channels: countChannels(conn) };
}

// `perHost` commands on every host at once: a plain argv, an own script with stdin, a command with cwd and env.
async function commands(lab: LabState, hosts: LabHost[], session: boolean, perHost: number): Promise<Figures> {
  const conns = await Promise.all(hosts.map((h) => connect(lab, h, session)));
  const started = performance.now();
  await Promise.all(
    conns.map(async ({ conn }) => {
      for (let i = 0; i < perHost; i++) {
        const kind = i % 3;
        const r =
          kind === 0 ? await conn.exec(['true'])
          : kind === 1 ? await conn.exec(['/bin/sh', '-c', 'cat >/dev/null; echo "$1"', 'sh', String(i)], { stdin: 'x\n'.repeat(50), ownScript: true })
          : await conn.exec(['ls', '-d', '.'], { cwd: '/tmp', env: { LANG: 'C' } });
        if (r.rc !== 0) throw new Error(`${conn.host}: command ${i} failed: ${r.stderr}`);
      }
    }),
  );
  const wallMs = performance.now() - started;
  const channels = conns.reduce((sum, c) => sum + c.channels(), 0);
  await Promise.all(conns.map((c) => c.conn.close()));
  return { wallMs, commands: perHost * hosts.length, channels };
}

function line(name: string, f: Figures, hosts: number): string {
  const perCommand = f.wallMs / (f.commands / hosts);
  return `  ${name.padEnd(14)} ${(f.wallMs / 1000).toFixed(2)} s wall, ${perCommand.toFixed(2)} ms per command per host, ${f.channels} channels`;
}

async function main(): Promise<void> {
  const o = new Command('session-bench')
    .option('--hosts <n>', 'lab hosts', (v) => Number(v), 10)
    .option('--commands <n>', 'commands per host', (v) => Number(v), 150)
    .parse(process.argv)
    .opts<{ hosts: number; commands: number }>();
  const repo = resolve(import.meta.dirname, '../..');
  const work = '/tmp/omsrun-ses-bench-work';
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const lab = await labUp({ hosts: o.hosts, name: LAB_NAME, dir: LAB_DIR, subnet: await freeSideSubnet(), concurrency: 6 });
  try {
    const hosts = lab.hosts.slice(0, o.hosts);
    console.log(`${o.hosts} hosts, ${o.commands} commands per host (true; sh -c with stdin; ls with cwd and env), all hosts at once:`);
    for (let round = 1; round <= 2; round++) {
      console.log(line(`exec channels`, await commands(lab, hosts, false, o.commands), o.hosts));
      console.log(line(`session`, await commands(lab, hosts, true, o.commands), o.hosts));
    }
    const p = { repo, work, inventory: writeInventory(lab, hosts, join(work, 'inventory.yml')) };
    console.log('bench/omsrun/site.yml (20 tasks), first run then second run:');
    for (const mode of ['0', '1', '0', '1']) {
      await cleanHosts(hosts);
      const first = await runOmsrun(p, o.hosts, false, undefined, { channels: mode === '0' });
      const second = await runOmsrun(p, o.hosts, true, undefined, { channels: mode === '0' });
      const show = (m: { wallMs: number; cpuMs: number; problem: string }): string =>
        `${(m.wallMs / 1000).toFixed(2)} s (controller CPU ${(m.cpuMs / 1000).toFixed(2)} s)${m.problem ? ` FAILED: ${m.problem}` : ''}`;
      console.log(`  ${mode === '1' ? 'session' : 'exec channels'}: first ${show(first)}, second ${show(second)}`);
    }
  } finally {
    await labDown(LAB_DIR, LAB_NAME);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
