// docker_init.sh under faults, through the built CLI on a one-node lab: the controller killed, Ctrl-C and a dead Docker
// engine mid-init, each followed by a rerun. The stand-in's start/end record proves that two inits never overlapped.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsLabDown, omsLabInventory, omsLabUp, type OmsLabParts } from '../../scripts/demo.js';
import { waitFor } from '../../scripts/lab/proc.js';
import { killHostDocker, labEnabled, runOnHost, startHostDocker, type LabHost } from '../lab/lab-helper.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/omsrun.js');
const LAB = { name: 'oinit', dir: '/tmp/omsrun-oinit' };
const SUCCESS = '【结束】全部初始化步骤执行成功';

let parts: Omit<OmsLabParts, 'vars' | 'hostVars'>;
let work: string;
let node: LabHost;

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>;
}

// A deploy of the one node with an init of `seconds`; each test names its own databases.
function deploy(prefix: string, seconds = 10): Run {
  const inventory = path.join(work, `inv-${prefix}.yml`);
  writeFileSync(inventory, omsLabInventory({ ...parts, nodes: 1, vars: { oms_db_prefix: prefix, oms_config_extra: { standin_init_seconds: seconds } } }));
  const iso = ['-e', 'omsrun_lock_path=/run/omsrun-oinit.lock', '-e', `omsrun_audit_log=${work}/audit.log`];
  const child = spawn(process.execPath, [BIN, 'playbooks/deploy.yml', '-i', inventory, '--no-color', ...iso], { cwd: ROOT, env: { ...process.env, CI: 'true' } });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, done: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out }))) };
}

const logsDir = () => path.join(node.dir, 'data/oms/oms_logs');

// Waits until docker_init.sh prints the banner of a step (步骤二: step 2; 步骤三: step 3, the databases exist by then).
async function untilStep(banner: '【步骤二】' | '【步骤三】'): Promise<void> {
  const seen = () => readdirSync(logsDir()).some((f) => f.startsWith('docker_init_') && readFileSync(path.join(logsDir(), f), 'utf8').includes(banner));
  expect(await waitFor(() => existsSync(logsDir()) && seen(), 60_000, 100)).toBe(true);
}

/** The stand-in's record of docker_init.sh runs: `start PID TIME` and `end PID RC|TERM|INT TIME`. */
function initRuns(): { kind: string; pid: string; how?: string }[] {
  const file = path.join(logsDir(), 'standin_init_runs.log');
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => {
    const [kind = '', pid = '', how] = l.split(' ');
    return kind === 'start' ? { kind, pid } : { kind, pid, how };
  });
}

// At most one docker_init.sh at any moment: each start comes after the previous one ended (or its container died).
function openAtOnce(runs: { kind: string; pid: string }[]): number {
  let open = 0;
  let most = 0;
  for (const r of runs) {
    open += r.kind === 'start' ? 1 : -1;
    most = Math.max(most, open);
  }
  return most;
}

async function sh(command: string): Promise<string> {
  const r = await runOnHost(node, command);
  return r.stdout.trim();
}

// In the container: docker_init.sh processes, single-flight state folders, omsrun's markers.
async function containerState(): Promise<{ state: string; inits: string; flights: string; markers: string }> {
  return {
    state: await sh("docker inspect --format '{{.State.Status}}' oms"),
    inits: await sh("docker exec oms ps -o pid,args | grep '[d]ocker_init' || true"),
    flights: await sh('docker exec oms sh -c "ls /tmp/omsrun-exec 2>/dev/null" || true'),
    markers: await sh('docker exec oms sh -c "ls /root/.omsrun_initialized /root/.omsrun_init_begun 2>/dev/null" || true'),
  };
}

async function health(): Promise<number> {
  try {
    return (await fetch(`http://${node.ip}:8089/oms/health`, { signal: AbortSignal.timeout(3000) })).status;
  } catch {
    return -1;
  }
}

// A fresh node for each test: no container, no mount folders.
async function resetNode(): Promise<void> {
  await sh('docker rm -f oms >/dev/null 2>&1; rm -rf /data/oms');
}

const INITIALISED = { state: 'running', inits: '', flights: '', markers: '/root/.omsrun_init_begun\n/root/.omsrun_initialized' };

describe.skipIf(!labEnabled())('docker_init.sh under faults, on a lab node', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'omsrun-oinit-'));
    parts = await omsLabUp({ ...LAB, hosts: 1, nodes: 1 });
    node = parts.lab.hosts[0] as LabHost;
  }, 300_000);

  afterAll(async () => {
    await omsLabDown(LAB.dir, LAB.name);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('the controller killed mid-init: the rerun waits for the init still running and reports it, one init in all', async () => {
    await resetNode();
    // A long init, so that it still runs when the rerun, slowed down by whatever else this machine does, gets to it.
    const first = deploy('fkill', 20);
    await untilStep('【步骤二】');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect((await containerState()).inits).toMatch(/bash \/root\/docker_init\.sh/);

    const r = await deploy('fkill', 20).done;
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/\[WARNING\]: \[h1\] took over a stale deploy lock/);
    expect(r.out).toMatch(/\[WARNING\]: \[h1\] attached to the docker_init\.sh started at \S+ by an earlier run \(pid \d+\) in container oms: waiting for it/);
    expect(r.out).toContain('OK: 1 host');
    const runs = initRuns();
    expect(runs.map((x) => x.kind)).toEqual(['start', 'end']);
    expect(runs[1]).toMatchObject({ pid: runs[0]?.pid, how: '0' });
    expect(openAtOnce(runs)).toBe(1);
    expect(await containerState()).toEqual(INITIALISED);
    const logs = readdirSync(logsDir()).filter((f) => /^docker_init_\d{14}\.log$/.test(f));
    expect(logs).toHaveLength(1);
    expect(readFileSync(path.join(logsDir(), logs[0] as string), 'utf8')).toContain(SUCCESS);
    expect(await health()).toBe(200);
  }, 120_000);

  it('Ctrl-C mid-init stops the init inside the container; the rerun runs it once more without asking about the databases', async () => {
    await resetNode();
    const first = deploy('fint');
    await untilStep('【步骤三】');
    first.child.kill('SIGINT');
    const r1 = await first.done;
    expect(r1.code, r1.out).toBe(130);
    expect(r1.out).toContain('interrupted: stopping running commands, including single-flight commands inside containers');
    expect(r1.out).toMatch(/failed: \[h1\] => interrupted: stopped docker_init\.sh \(pid \d+\) in container oms\n/);
    expect(r1.out).toMatch(/INTERRUPTED after/);
    expect(await containerState()).toEqual({ state: 'running', inits: '', flights: '', markers: '/root/.omsrun_init_begun' });
    expect(initRuns()).toEqual([{ kind: 'start', pid: expect.any(String) }, { kind: 'end', pid: initRuns()[0]?.pid, how: 'TERM' }]);

    const r2 = await deploy('fint').done;
    expect(r2.code, r2.out).toBe(0);
    expect(r2.out).not.toContain('already exist in the MetaDB');
    expect(r2.out).not.toContain('attached to');
    const runs = initRuns();
    expect(runs.map((x) => `${x.kind} ${x.how ?? ''}`.trim())).toEqual(['start', 'end TERM', 'start', 'end 0']);
    expect(openAtOnce(runs)).toBe(1);
    expect(await containerState()).toEqual(INITIALISED);
    expect(await health()).toBe(200);
  }, 120_000);

  it('a Docker engine killed mid-init is reported as such; with the engine back, the rerun starts the init again and converges', async () => {
    await resetNode();
    const first = deploy('feng');
    await untilStep('【步骤三】');
    await killHostDocker(node);
    const r1 = await first.done;
    expect(r1.code, r1.out).toBe(2);
    expect(r1.out).toMatch(/failed: \[h1\] => the Docker engine on h1 stopped answering during the command \(.*\); the outcome of docker_init\.sh is unknown: once the engine answers, the next run waits for it if it still runs, or starts it again\n/);
    expect(r1.out).not.toContain('no log file matches');
    expect(r1.out).toMatch(/FAILED: 1 failed \(h1\) of 1 host/);
    expect(initRuns()).toEqual([{ kind: 'start', pid: expect.any(String) }]);

    await startHostDocker(node);
    // The container died with its shim, so the engine knows no exit code for it: 255, as after a reboot.
    expect(await sh("docker inspect --format '{{.State.Status}} {{.State.ExitCode}}' oms")).toBe('exited 255');
    const r2 = await deploy('feng').done;
    expect(r2.code, r2.out).toBe(0);
    expect(r2.out).toMatch(/\[WARNING\]: \[h1\] the docker_init\.sh started at \S+ \(pid \d+\) in container oms ended without an exit code \(container restarted\?\): starting it again/);
    expect(r2.out).not.toContain('already exist in the MetaDB');
    const runs = initRuns();
    expect(runs.map((x) => `${x.kind} ${x.how ?? ''}`.trim())).toEqual(['start', 'start', 'end 0']);
    expect(await containerState()).toEqual(INITIALISED);
    expect(await health()).toBe(200);
  }, 120_000);
});
