// `npm run bench`: omsrun against Ansible and a bare ssh2 floor on a private lab; prints figures, asserts nothing.
import { Command } from 'commander';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { freeSideSubnet, labDown, labUp, type LabState } from '../lab/lab-api.js';
import { copyBench } from './copy-bench.js';
import { measureCheck } from './measure.js';
import { copyLines, measureCheckLines, ratioLines, scaleTable, sizeTable, type SizeResults } from './report.js';
import {
  ansibleAvailable, cleanHosts, gitRev, runAnsible, runFloor, runOmsrun, writeInventory, type BenchPaths,
} from './tools.js';

const LAB_NAME = 'bench';
const LAB_DIR = '/tmp/omsrun-bench-lab';

interface Opts { hosts: number; scale: boolean; ansible: boolean; ansibleMax: number; copy: boolean; only?: string }

function options(): Opts {
  const cmd = new Command('bench')
    .option('--hosts <n>', 'lab hosts', (v) => Number(v), 50)
    .option('--scale', 'run at 10, 50 and 200 hosts', false)
    .option('--no-ansible', 'skip the Ansible columns')
    .option('--ansible-max <n>', 'largest host count Ansible runs at (it takes minutes per run)', (v) => Number(v), 50)
    .option('--no-copy', 'skip the 1 GiB copy')
    .option('--only <tool>', 'run one tool only: omsrun, ansible or floor');
  cmd.parse(process.argv);
  return cmd.opts<Opts>();
}

async function runSize(base: BenchPaths, lab: LabState, n: number, o: Opts, withAnsible: boolean): Promise<SizeResults> {
  const hosts = lab.hosts.slice(0, n);
  const p = { ...base, inventory: writeInventory(lab, hosts, join(base.work, `inventory-${n}.yml`)) };
  const want = (t: string): boolean => !o.only || o.only === t;
  const log = (what: string, m: { wallMs: number; problem: string }): void =>
    console.log(`  ${n} hosts, ${what}: ${(m.wallMs / 1000).toFixed(2)} s${m.problem ? `  FAILED: ${m.problem}` : ''}`);
  const skippedRun = { wallMs: 0, cpuMs: 0, peakRssMb: 0, exitCode: 0, stdout: '', stderr: '', hosts: n, changed: 0, failed: 0, unreachable: 0, problem: '' };
  const pair = async (name: string, f: (second: boolean) => Promise<typeof skippedRun>) => {
    await cleanHosts(hosts);
    const first = await f(false);
    log(`${name} first`, first);
    const second = await f(true);
    log(`${name} second`, second);
    return { first, second };
  };
  const floor = want('floor') ? await pair('floor', () => runFloor(p, lab, hosts)) : { first: skippedRun, second: skippedRun };
  const omsrun = want('omsrun') ? await pair('omsrun', (second) => runOmsrun(p, n, second)) : { first: skippedRun, second: skippedRun };
  const ansible = withAnsible && want('ansible') ? await pair('ansible', (second) => runAnsible(p, lab, n, second)) : undefined;
  await cleanHosts(hosts);
  return { hosts: n, omsrun, ansible, floor };
}

// A loaded machine can miss the lab's per-host start-up deadline; a second attempt starts from a clean slate.
async function labWithRetry(hosts: number, subnet: string): Promise<LabState> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await labUp({ hosts, name: LAB_NAME, dir: LAB_DIR, subnet, concurrency: 6 });
    } catch (err) {
      if (attempt >= 3) throw err;
      console.log(`lab start failed (${(err as Error).message}); retrying`);
    }
  }
}

async function main(): Promise<void> {
  const o = options();
  if (process.getuid?.() !== 0) throw new Error('the bench needs root (the lab uses network namespaces)');
  const repo = resolve(import.meta.dirname, '../..');
  const work = '/tmp/omsrun-bench-work';
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const hasAnsible = o.ansible && ansibleAvailable();
  if (o.ansible && !hasAnsible) {
    console.log('ansible-playbook not found: Ansible columns skipped. Install it with:\n  apt-get install -y ansible-core');
  }
  const sizes = o.scale ? [10, 50, 200] : [o.hosts];
  const subnet = await freeSideSubnet();
  console.log(`omsrun ${gitRev(repo)}, ${cpus().length} cores, node ${process.version}; lab "${LAB_NAME}" on ${subnet}`);
  console.log(measureCheckLines(await measureCheck()).join('\n'));
  const stop = (): void => void labDown(LAB_DIR, LAB_NAME).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const lab = await labWithRetry(Math.max(...sizes, 3), subnet);
    console.log(`lab: ${lab.hosts.length} hosts up in ${(lab.upMs / 1000).toFixed(1)} s`);
    const base: BenchPaths = { repo, work, inventory: '' };
    const results: SizeResults[] = [];
    for (const n of sizes) {
      const withAnsible = hasAnsible && n <= o.ansibleMax;
      if (hasAnsible && !withAnsible) console.log(`  ${n} hosts: Ansible skipped above --ansible-max ${o.ansibleMax}`);
      const r = await runSize(base, lab, n, o, withAnsible);
      results.push(r);
      console.log(`\n${sizeTable(r)}\n${ratioLines(r).join('\n')}\n`);
    }
    if (sizes.length > 1) console.log(`per-host cost\n${scaleTable(results)}\n`);
    if (o.copy && !o.only) console.log(copyLines(await copyBench(base, lab)).join('\n'));
  } finally {
    await labDown(LAB_DIR, LAB_NAME);
  }
}

await main();
