import { Command } from 'commander';
import { labDown, labStatus, labUp } from './lab-api.js';
import { defaultLabDir } from './lab-config.js';
import { metaDbInfo, startMetaDb } from './lab-metadb.js';
import { startVip, vipInfo } from './lab-vip.js';

// Command line: `up --hosts N [--docker K] [--name NAME]`, `down`, `status`.
const program = new Command('lab').description('Simulated test hosts (network namespaces + sshd + optional dockerd)');
program.option('--dir <dir>', 'lab folder', defaultLabDir());

program
  .command('up')
  .requiredOption('--hosts <n>', 'number of SSH hosts', (v) => Number(v))
  .option('--docker <k>', 'first K hosts also run a Docker engine', (v) => Number(v), 0)
  .option('--system <k>', 'last K hosts are whole Debian systems (systemd, apt, the lab package repository)', (v) => Number(v), 0)
  .option('--name <name>', 'short prefix for namespaces and links', 'oms')
  .option('--subnet <cidr>', 'address block inside 198.18.0.0/15 (/16../24)', '198.18.0.0/17')
  .option('--concurrency <n>', 'hosts started at once', (v) => Number(v), 16)
  .option('--vip', 'haproxy VIP on ports 8088/8089 in front of the docker hosts (all hosts when none runs docker)')
  .option('--metadb', 'MariaDB MetaDB on the bridge address, port 3306, user oms_meta')
  .action(async (o: { hosts: number; docker: number; system: number; name: string; subnet: string; concurrency: number; vip?: boolean; metadb?: boolean }) => {
    const state = await labUp({ ...o, dir: program.opts<{ dir: string }>().dir });
    const docker = state.hosts.filter((h) => h.dockerSocket).length;
    console.log(`lab up: ${state.hosts.length} hosts (${docker} with docker, ${state.hosts.filter((h) => h.system).length} whole systems) in ${state.upMs} ms; ${state.dir}/lab.json`);
    if (o.metadb) {
      const db = await startMetaDb(state);
      console.log(`metadb: ${db.user}@${db.host}:${db.port}`);
    }
    if (o.vip) {
      const nodes = state.hosts.filter((h) => h.dockerSocket || docker === 0).map((h) => h.ip);
      const vip = await startVip(state, nodes);
      console.log(`vip: ${vip.ip} ports ${vip.ports.join(',')} -> ${vip.backends.join(' ')}`);
    }
  });

program.command('down').option('--name <name>', 'also clear leftovers of this lab name').action(async (o: { name?: string }) => {
  await labDown(program.opts<{ dir: string }>().dir, o.name ?? 'oms');
  console.log('lab down');
});

program.command('status').action(async () => {
  const s = await labStatus(program.opts<{ dir: string }>().dir);
  if (!s) {
    console.log('no lab');
    process.exitCode = 1;
    return;
  }
  let bad = 0;
  for (const h of s.hosts) {
    const ok = h.keeper && h.sshd && h.docker !== false;
    if (!ok) bad++;
    console.log(`${h.name}\t${h.ip}\tkeeper=${h.keeper}\tsshd=${h.sshd}${h.docker === undefined ? '' : `\tdocker=${h.docker}`}`);
  }
  console.log(`${s.hosts.length - bad}/${s.hosts.length} healthy`);
  const vip = vipInfo(s.state.dir);
  const db = metaDbInfo(s.state.dir);
  if (vip) console.log(`vip\t${vip.ip}\tports=${vip.ports.join(',')}\tbackends=${vip.backends.join(',')}`);
  if (db) console.log(`metadb\t${db.host}:${db.port}\tuser=${db.user}`);
  if (bad > 0) process.exitCode = 1;
});

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
