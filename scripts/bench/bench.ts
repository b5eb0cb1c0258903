// `npm run bench`: omsrun against Ansible and a bare ssh2 floor on a private lab; prints figures, asserts nothing.
import { Command } from 'commander';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { freeSideSubnet, labDown, labUp, type LabState } from '../lab/lab-api.js';
import { hostCpuMeter, type HostCpuMeter } from './host-cpu.js';
import { copyBench } from './copy-bench.js';
import { measureCheck } from './measure.js';
import { copyLines, measureCheckLines, ratioLines, scaleTable, sizeTable, type SizeResults } from './report.js';
import { pyinfraSetup, runPyinfra, type Pyinfra } from './pyinfra.js';
import {
  ansibleAvailable, cleanHosts, gitRev, hostState, runAnsible, runFloor, runOmsrun, stateDifferences, writeInventory,
  type BenchPaths, type RunResult,
} from './tools.js';

interface Opts {
  hosts: number; scale: boolean; sizes?: number[]; ansible: boolean; ansibleMax: number; pyinfra: boolean; pyinfraMax: number;
  copy: boolean; only?: string; lab: string; channels: boolean; pty: boolean;
}

function options(): Opts {
  const cmd = new Command('bench')
    .option('--hosts <n>', 'lab hosts', (v) => Number(v), 50)
    .option('--scale', 'run at 10, 50 and 200 hosts', false)
    .option('--sizes <list>', 'run at these host counts (comma-separated, e.g. 10,50)', (v) => v.split(',').map(Number))
    .option('--no-ansible', 'skip the Ansible columns')
    .option('--ansible-max <n>', 'largest host count Ansible runs at (it takes minutes per run)', (v) => Number(v), 50)
    .option('--no-pyinfra', 'skip the pyinfra columns')
    .option('--pyinfra-max <n>', 'largest host count pyinfra runs at', (v) => Number(v), 200)
    .option('--no-copy', 'skip the 1 GiB copy')
    .option('--no-channels', 'skip the omsrun column with one SSH channel per command (OMSRUN_SESSION=0)')
    .option('--no-pty', 'skip the live view runs under a pseudo-terminal')
    .option('--only <tool>', 'run one tool only: omsrun, ansible, pyinfra or floor')
    .option('--lab <name>', 'lab name (at most 6 characters; its folder is /tmp/omsrun-NAME-lab)', 'bench');
  cmd.parse(process.argv);
  return cmd.opts<Opts>();
}

interface Peers { ansible: boolean; pyinfra?: Pyinfra }

async function runSize(base: BenchPaths, lab: LabState, n: number, o: Opts, peers: Peers, meter: HostCpuMeter): Promise<SizeResults> {
  const hosts = lab.hosts.slice(0, n);
  const p = { ...base, inventory: writeInventory(lab, hosts, join(base.work, `inventory-${n}.yml`)) };
  const want = (t: string): boolean => !o.only || o.only === t;
  const log = (what: string, m: { wallMs: number; problem: string }): void =>
    console.log(`  ${n} hosts, ${what}: ${(m.wallMs / 1000).toFixed(2)} s${m.problem ? `  FAILED: ${m.problem}` : ''}`);
  const skippedRun: RunResult = { wallMs: 0, cpuMs: 0, peakRssMb: 0, exitCode: 0, stdout: '', stderr: '', hosts: n, changed: 0, failed: 0, unreachable: 0, problem: '' };
  const states = new Map<string, Map<string, string>>();
  // Each tool starts from clean hosts; what it leaves after its second run is compared with omsrun's.
  // Runs one measured run, adding what the hosts spent meanwhile.
  const metered = async (run: () => Promise<RunResult>): Promise<RunResult> => {
    const before = meter.readMs();
    const r = await run();
    const after = meter.readMs();
    return before !== undefined && after !== undefined ? { ...r, hostCpuMs: after - before } : r;
  };
  const pair = async (name: string, f: (second: boolean) => Promise<RunResult>) => {
    await cleanHosts(hosts);
    const first = await metered(() => f(false));
    log(`${name} first`, first);
    const second = await metered(() => f(true));
    log(`${name} second`, second);
    if (name !== 'floor') states.set(name, await hostState(hosts));
    return { first, second };
  };
  const skipped = { first: skippedRun, second: skippedRun };
  const floor = want('floor') ? await pair('floor', () => runFloor(p, lab, hosts)) : skipped;
  const omsrun = want('omsrun') ? await pair('omsrun', (second) => runOmsrun(p, n, second)) : skipped;
  // The live view's cost: an idempotent run under a pseudo-terminal against a plain one right after it, on the hosts
  // omsrun just left (so both do the same checking work and change nothing).
  let liveView: SizeResults['liveView'];
  if (want('omsrun') && o.pty) {
    await runOmsrun(p, n, true);
    const pty = await metered(() => runOmsrun(p, n, true, undefined, { pty: true }));
    log('omsrun idempotent, live view on a pseudo-terminal', pty);
    const plain = await metered(() => runOmsrun(p, n, true));
    log('omsrun idempotent, plain again', plain);
    liveView = { pty, plain };
  }
  const channels = want('omsrun') && o.channels
    ? await pair('omsrun+channels', (second) => runOmsrun(p, n, second, undefined, { channels: true })) : undefined;
  const ansible = peers.ansible && want('ansible') ? await pair('ansible', (second) => runAnsible(p, lab, n, second)) : undefined;
  const py = peers.pyinfra;
  const pyinfra = py && want('pyinfra') ? await pair('pyinfra', (second) => runPyinfra(py, p, lab, hosts, second)) : undefined;
  await cleanHosts(hosts);
  const reference = states.get('omsrun');
  const sameWork: string[] = [];
  for (const [name, state] of states) {
    if (name === 'omsrun' || !reference) continue;
    const diff = stateDifferences(reference, state);
    sameWork.push(diff.length ? `!!! ${name} left different files than omsrun on ${diff.length} hosts: ${diff.slice(0, 3).join('; ')}`
      : `${name} left the same files, modes and contents as omsrun on all ${n} hosts`);
  }
  return { hosts: n, omsrun, channels, liveView, ansible, pyinfra, floor, sameWork };
}

// A loaded machine can miss the lab's per-host start-up deadline; a second attempt starts from a clean slate.
async function labWithRetry(hosts: number, subnet: string, name: string, dir: string): Promise<LabState> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await labUp({ hosts, name, dir, subnet, concurrency: 6 });
    } catch (err) {
      if (attempt >= 3) throw err;
      console.log(`lab start failed (${(err as Error).message}); clearing it and retrying`);
      await labDown(dir, name);
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
  const setup = o.pyinfra ? pyinfraSetup(repo) : undefined;
  if (setup && 'missing' in setup) console.log(`pyinfra columns skipped: ${setup.missing}`);
  const pyinfra = setup && 'bin' in setup ? setup : undefined;
  const labName = o.lab;
  const labDir = `/tmp/omsrun-${labName}-lab`;
  const sizes = o.sizes ?? (o.scale ? [10, 50, 200] : [o.hosts]);
  const subnet = await freeSideSubnet(Math.max(...sizes, 3));
  console.log(`omsrun ${gitRev(repo)}, ${cpus().length} cores, node ${process.version}; lab "${labName}" on ${subnet}`);
  console.log(measureCheckLines(await measureCheck()).join('\n'));
  const stop = (): void => void labDown(labDir, labName).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let meter: HostCpuMeter | undefined;
  try {
    const lab = await labWithRetry(Math.max(...sizes, 3), subnet, labName, labDir);
    console.log(`lab: ${lab.hosts.length} hosts up in ${(lab.upMs / 1000).toFixed(1)} s`);
    meter = hostCpuMeter(labName, lab.hosts.map((h) => h.pids.sshd?.pid).filter((pid): pid is number => pid !== undefined));
    if (meter.missing) console.log(`host CPU not measured: ${meter.missing}`);
    const base: BenchPaths = { repo, work, inventory: '' };
    const results: SizeResults[] = [];
    for (const n of sizes) {
      const withAnsible = hasAnsible && n <= o.ansibleMax;
      if (hasAnsible && !withAnsible) console.log(`  ${n} hosts: Ansible skipped above --ansible-max ${o.ansibleMax}`);
      const withPyinfra = pyinfra && n <= o.pyinfraMax ? pyinfra : undefined;
      if (pyinfra && !withPyinfra) console.log(`  ${n} hosts: pyinfra skipped above --pyinfra-max ${o.pyinfraMax}`);
      const r = await runSize(base, lab, n, o, { ansible: withAnsible, pyinfra: withPyinfra }, meter);
      results.push(r);
      console.log(`\n${sizeTable(r)}\n${ratioLines(r).join('\n')}\n`);
    }
    if (sizes.length > 1) console.log(`per-host cost\n${scaleTable(results)}\n`);
    if (o.copy && !o.only) console.log(copyLines(await copyBench(base, lab)).join('\n'));
  } finally {
    await labDown(labDir, labName);
    meter?.close();
  }
}

await main();
