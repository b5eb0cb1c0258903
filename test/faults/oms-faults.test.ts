// Faults during OMS runs, on a lab of 3 Docker nodes behind a VIP with a MetaDB: a slow lossy link, a dead and a hung
// MetaDB, a full disk and a read-only config.yaml during deploy and reconfigure, a node down, --limit, a re-created node.
// Every test checks the exit code, the message, and config.yaml, the container and the init count on every node.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsLabDown, omsLabInventory, omsLabUp, type OmsLabParts } from '../../scripts/demo.js';
import { pauseMetaDb, startMetaDb, startRelay, stopMetaDb, type Relay } from '../../scripts/lab/lab-api.js';
import { waitFor } from '../../scripts/lab/proc.js';
import { killSshdAndSessions, labEnabled, runOnHost, startSshd, type LabHost } from '../lab/lab-helper.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/omsrun.js');
const LAB = { name: 'omsflt', dir: '/tmp/omsrun-omsflt' };
const CONFIG = '/data/oms/config.yaml';

let parts: Omit<OmsLabParts, 'vars' | 'hostVars'>;
let work: string;
let relay: Relay;
let inventory: string;

interface Run {
  code: number | null;
  out: string;
}

// The CLI as an operator runs it, from a copy of the playbooks (so retry files stay in this test's folder).
function omsrun(playbook: string, ...args: string[]): Promise<Run> {
  const iso = ['-e', 'omsrun_lock_path=/run/omsrun-omsfault.lock', '-e', `omsrun_audit_log=${work}/audit.log`];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, `playbooks/${playbook}`, '-i', inventory, ...args, '--no-color', ...iso], {
      cwd: work,
      env: { ...process.env, CI: 'true' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const node = (i: number): LabHost => parts.lab.hosts[i] as LabHost;
const nodes = (): LabHost[] => [0, 1, 2].map(node);

async function sh(h: LabHost, command: string): Promise<string> {
  const r = await runOnHost(h, command);
  if (r.exitCode !== 0) throw new Error(`${h.name}: ${command}: ${r.stderr}`);
  return r.stdout.trim();
}

/** What a fault must not change on a node: config.yaml's bytes, the console's pid (a restart changes it), the init count. */
async function snapshot(h: LabHost): Promise<{ config: string; console: string; inits: string }> {
  return {
    config: await sh(h, `cat ${CONFIG}`),
    console: await sh(h, "docker exec oms supervisorctl status oms_console | sed -n 's/.*pid \\([0-9]*\\).*/\\1/p'"),
    inits: await sh(h, 'ls /data/oms/oms_logs | grep -c "^docker_init_" || true'),
  };
}

const snapshots = () => Promise.all(nodes().map(snapshot));
const regionOf = async (h: LabHost) => /^cm_region: (.*)$/m.exec(await sh(h, `cat ${CONFIG}`))?.[1];

// h2's mount folder is a small tmpfs, so its disk can be filled; `free` undoes it.
const fillDisk = (h: LabHost) => sh(h, 'dd if=/dev/zero of=/data/oms/fill bs=64k 2>/dev/null; sync; true');
const freeDisk = (h: LabHost) => sh(h, 'rm -f /data/oms/fill');

describe.skipIf(!labEnabled())('OMS runs under faults', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join('/tmp', 'omsrun-omsfault-work-'));
    cpSync(path.join(ROOT, 'playbooks'), path.join(work, 'playbooks'), { recursive: true });
    cpSync(path.join(ROOT, 'templates'), path.join(work, 'templates'), { recursive: true });
    parts = await omsLabUp({ ...LAB, hosts: 3, nodes: 3 });
    await sh(node(1), 'mkdir -p /data/oms && mount -t tmpfs -o size=24m tmpfs /data/oms');
    // h3 is reached through a relay that delays every packet 30 ms and holds back 5 % for a 200 ms retransmission.
    const h3 = node(2);
    relay = await startRelay({ target: { host: h3.ip, port: 22 }, delayMs: 30, lossRate: 0.05, retransmitMs: 200 });
    const knownHosts = path.join(work, 'known_hosts');
    const h3Key = readFileSync(parts.lab.knownHosts, 'utf8').split('\n').find((l) => l.startsWith(`${h3.ip} `))!;
    writeFileSync(knownHosts, `${readFileSync(parts.lab.knownHosts, 'utf8')}${h3Key.replace(h3.ip, `[127.0.0.1]:${relay.port}`)}\n`);
    inventory = path.join(work, 'inventory.yml');
    writeFileSync(inventory, omsLabInventory({
      ...parts,
      nodes: 3,
      vars: { ansible_ssh_known_hosts_file: knownHosts, cm_region: 'start' },
      hostVars: { [h3.name]: { ansible_host: '127.0.0.1', ansible_port: relay.port, OMS_HOST_IP: h3.ip } },
    }));
  }, 600_000);

  afterAll(async () => {
    await relay?.close();
    if (parts) await runOnHost(node(1), 'umount -l /data/oms').catch(() => undefined);
    await omsLabDown(LAB.dir, LAB.name);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('deploys with one node behind a slow, lossy link, and a rerun changes nothing', async () => {
    const r = await omsrun('deploy.yml');
    expect(r.code, r.out).toBe(0);
    expect(relay.stats.lost).toBeGreaterThan(0);
    const after = await snapshots();
    expect(new Set(after.map((s) => s.config)).size).toBe(1);
    expect(after[0]!.config).toContain(`cm_nodes:\n - ${node(0).ip}\n - ${node(1).ip}\n - ${node(2).ip}\n`);
    expect(after.map((s) => s.inits)).toEqual(['1', '1', '1']);
    const again = await omsrun('deploy.yml');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/OK: 3 hosts, 0 changes/);
  }, 300_000);

  it('a stopped MetaDB stops the deploy before any node is touched', async () => {
    const before = await snapshots();
    await stopMetaDb(parts.lab.dir);
    let r: Run;
    try {
      r = await omsrun('deploy.yml', '-e', 'cm_region=metadb-down');
    } finally {
      await startMetaDb(parts.lab);
    }
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`cannot reach MySQL at ${parts.metadb.host}:${parts.metadb.port}: connection refused`);
    expect(r.out).toContain('the MetaDB check failed; see the first failure above. No node was touched.');
    expect(await snapshots()).toEqual(before);
  }, 120_000);

  it('a hung MetaDB (accepts, never answers) times out and stops the deploy before any node is touched', async () => {
    const before = await snapshots();
    pauseMetaDb(parts.lab.dir, true);
    let r: Run;
    try {
      r = await omsrun('deploy.yml', '-e', 'cm_region=metadb-hung');
    } finally {
      pauseMetaDb(parts.lab.dir, false);
    }
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`cannot reach MySQL at ${parts.metadb.host}:${parts.metadb.port}: timed out after 10s`);
    expect(r.out).toContain('No node was touched.');
    expect(await snapshots()).toEqual(before);
  }, 120_000);

  it('a full disk during a rolling reconfigure: the node fails, its config.yaml stays, nothing restarts, the roll stops', async () => {
    const before = await snapshots();
    await fillDisk(node(1));
    let r: Run;
    try {
      r = await omsrun('reconfigure.yml', '-e', 'cm_region=full-a');
    } finally {
      await freeDisk(node(1));
    }
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`failed: [h2] => cannot write ${CONFIG}: No space left on device; the file is unchanged`);
    expect(r.out).toContain('stopping play "Reconfigure OMS (rolling)": every host of the batch failed (h2); not started on h3');
    const after = await snapshots();
    expect(await regionOf(node(0))).toBe('full-a');
    expect(after[0]!.console).not.toBe(before[0]!.console);
    expect(after[1]).toEqual(before[1]);
    expect(after[2]).toEqual(before[2]);
    expect(await sh(node(1), 'ls -A /data/oms')).toBe('config.yaml\noms_logs\noms_run\noms_store');

    const rerun = await omsrun('reconfigure.yml', '-e', 'cm_region=full-a');
    expect(rerun.code, rerun.out).toBe(0);
    for (const h of nodes()) expect(await regionOf(h)).toBe('full-a');
  }, 300_000);

  it('a full disk during deploy: that node keeps its config.yaml, no node is re-initialised', async () => {
    const before = await snapshots();
    await fillDisk(node(1));
    let r: Run;
    try {
      r = await omsrun('deploy.yml', '-e', 'cm_region=full-b');
    } finally {
      await freeDisk(node(1));
    }
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`failed: [h2] => cannot write ${CONFIG}: No space left on device; the file is unchanged`);
    expect(r.out).toMatch(/h1 +: .*failed=0/);
    expect(r.out).toMatch(/h3 +: .*failed=0/);
    const after = await snapshots();
    expect(after[1]).toEqual(before[1]);
    expect(after.map((s) => s.inits)).toEqual(before.map((s) => s.inits));
    const rerun = await omsrun('reconfigure.yml', '-e', 'cm_region=full-b');
    expect(rerun.code, rerun.out).toBe(0);
    for (const h of nodes()) expect(await regionOf(h)).toBe('full-b');
  }, 300_000);

  it('a read-only config.yaml: the first node fails with the reason, nothing is restarted, the roll stops; a rerun converges', async () => {
    const before = await snapshots();
    await sh(node(0), `mount --bind ${CONFIG} ${CONFIG} && mount -o remount,ro,bind ${CONFIG}`);
    let r: Run;
    try {
      r = await omsrun('reconfigure.yml', '-e', 'cm_region=read-only');
    } finally {
      await sh(node(0), `umount ${CONFIG}`);
    }
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`failed: [h1] => cannot write ${CONFIG}: Read-only file system; the file is unchanged`);
    expect(r.out).toContain('not started on h2, h3');
    expect(await snapshots()).toEqual(before);
    const rerun = await omsrun('reconfigure.yml', '-e', 'cm_region=read-only');
    expect(rerun.code, rerun.out).toBe(0);
    for (const h of nodes()) expect(await regionOf(h)).toBe('read-only');
  }, 300_000);

  it('with one node down, deploy, reconfigure and status go on with the others; its retry converges it', async () => {
    await killSshdAndSessions(node(1));
    let deploy: Run;
    let reconfigure: Run;
    let status: Run;
    try {
      deploy = await omsrun('deploy.yml', '-e', 'cm_region=one-down');
      reconfigure = await omsrun('reconfigure.yml', '-e', 'cm_region=one-down');
      status = await omsrun('status.yml');
    } finally {
      await startSshd(node(1));
    }
    for (const r of [deploy, reconfigure, status]) {
      expect(r.code, r.out).toBe(3);
      expect(r.out).not.toContain('undefined variable');
      expect(r.out).toMatch(/unreachable: \[h2\]/);
    }
    expect(status.out).toMatch(/^h2 +[\d.]+ +unreachable +- +- +- +- +- +-$/m);
    expect(status.out).toMatch(/^h1 +[\d.]+ +running /m);
    expect(await regionOf(node(0))).toBe('one-down');
    expect(await regionOf(node(2))).toBe('one-down');
    expect(readFileSync(path.join(work, 'playbooks/reconfigure.retry'), 'utf8')).toBe('h2\n');

    const retry = await omsrun('reconfigure.yml', '-e', 'cm_region=one-down', '--limit', '@playbooks/reconfigure.retry');
    expect(retry.code, retry.out).toBe(0);
    const after = await snapshots();
    expect(new Set(after.map((s) => s.config)).size).toBe(1);
    expect(after[1]!.config).toContain(`cm_nodes:\n - ${node(0).ip}\n - ${node(1).ip}\n - ${node(2).ip}\n`);
  }, 300_000);

  it('deploy, reconfigure and status work with --limit, and config.yaml still lists every node', async () => {
    const deploy = await omsrun('deploy.yml', '-e', 'cm_region=one-down', '--limit', 'h2');
    expect(deploy.code, deploy.out).toBe(0);
    expect(deploy.out).toMatch(/OK: 1 host, 0 changes/);
    const status = await omsrun('status.yml', '--limit', 'h2');
    expect(status.code, status.out).toBe(0);
    expect(status.out).toMatch(/^h1 +[\d.]+ +not in this run +- +- +- +- +- +-$/m);
    expect(status.out).toMatch(/^h2 +[\d.]+ +running /m);
    const reconfigure = await omsrun('reconfigure.yml', '-e', 'cm_region=limited', '--limit', 'h2');
    expect(reconfigure.code, reconfigure.out).toBe(0);
    expect(await regionOf(node(1))).toBe('limited');
    expect(await regionOf(node(0))).toBe('one-down');
    expect(await sh(node(1), `cat ${CONFIG}`)).toContain(`cm_nodes:\n - ${node(0).ip}\n - ${node(1).ip}\n - ${node(2).ip}\n`);
    const all = await omsrun('reconfigure.yml', '-e', 'cm_region=limited');
    expect(all.code, all.out).toBe(0);
  }, 300_000);

  it('a node re-created from scratch under --limit joins when the others serve, and is refused, naming them, when they do not', async () => {
    const destroy = () => omsrun('destroy.yml', '--limit', 'h3', '-e', 'oms_remove_data=true', '-e', 'oms_confirm_destroy=oms');
    let r = await destroy();
    expect(r.code, r.out).toBe(0);
    const stopCm = (verb: string) => Promise.all([node(0), node(1)].map((h) => sh(h, `docker exec oms supervisorctl ${verb} oms_drc_cm`)));
    await stopCm('stop');
    try {
      r = await omsrun('deploy.yml', '-e', 'cm_region=limited', '--limit', 'h3');
    } finally {
      await stopCm('start');
    }
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('no node of oms_nodes runs an initialised oms container (the nodes outside this run, h1, h2, do not answer on port 8088 either');
    expect(await sh(node(2), 'docker ps -aq --filter name=^/oms$')).toBe('');

    r = await omsrun('deploy.yml', '-e', 'cm_region=limited', '--limit', 'h3');
    expect(r.code, r.out).toBe(0);
    const after = await snapshots();
    expect(after[2]!.inits).toBe('1');
    expect(new Set(after.map((s) => s.config)).size).toBe(1);
  }, 300_000);
  it('sshd killed mid-init: that node is unreachable, and the rerun waits for the init still running there, one init in all', async () => {
    const h3 = node(2);
    const destroy = await omsrun('destroy.yml', '--limit', 'h3', '-e', 'oms_remove_data=true', '-e', 'oms_confirm_destroy=oms');
    expect(destroy.code, destroy.out).toBe(0);
    const slow = ['-e', 'cm_region=limited', '-e', '{"oms_config_extra": {"standin_init_seconds": 20}}', '--limit', 'h3'];
    const runs = () => sh(h3, 'cat /data/oms/oms_logs/standin_init_runs.log 2>/dev/null || true');
    const first = omsrun('deploy.yml', ...slow);
    expect(await waitFor(async () => (await runs()).startsWith('start '), 120_000, 200)).toBe(true);
    await killSshdAndSessions(h3);
    let r: Run;
    try {
      r = await first;
    } finally {
      await startSshd(h3);
    }
    expect(r.code, r.out).toBe(3);
    expect(r.out).toMatch(/unreachable: \[h3\]/);
    // The init goes on inside the container without the controller.
    expect((await runs()).split('\n').map((l) => l.split(' ')[0])).toEqual(['start']);

    const rerun = await omsrun('deploy.yml', ...slow);
    expect(rerun.code, rerun.out).toBe(0);
    expect(rerun.out).toMatch(/attached to the docker_init\.sh started at \S+ by an earlier run \(pid \d+\) in container oms: waiting for it/);
    expect((await runs()).split('\n').map((l) => l.split(' ')[0])).toEqual(['start', 'end']);
    const back = await omsrun('reconfigure.yml', '-e', 'cm_region=limited', '--limit', 'h3');
    expect(back.code, back.out).toBe(0);
    const after = await snapshots();
    expect(after.map((s) => s.inits)).toEqual([after[0]!.inits, after[1]!.inits, '1']);
    expect(new Set(after.map((s) => s.config)).size).toBe(1);
  }, 300_000);
});
