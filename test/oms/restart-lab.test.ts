// restart.yml and the health column of status.yml, through the built CLI, on a side lab of 3 Docker nodes with a VIP and a
// MetaDB; the console serves HTTPS with a certificate the lab makes, so every health answer here crosses real TLS, and
// the nodes report to a real InfluxDB with a login, which the prechecks and docker_init.sh reach.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsLabDown, omsLabInventory, omsLabUp } from '../../scripts/demo.js';
import { startTsdb, type Tsdb } from '../../scripts/lab/lab-tsdb.js';
import { labEnabled, runOnHost, type LabHost } from '../lab/lab-helper.js';
import { health as sharedHealth, labNode, omsrunIn, pollVipDuring as pollVip, type OmsLab } from './oms-lab-cli.js';

const LAB = { name: 'ohlth', dir: '/tmp/omsrun-ohlth' };

let parts: OmsLab;
let work: string;
let inv: string;
// Trusts only the lab's certificate: an answer proves the console spoke TLS with the mounted certificate.
let tls: Agent;
let tsdb: Tsdb;

// A self-signed certificate naming the VIP and every node, as an operator would make one for the console.
function labCertificate(ips: string[]): { crt: string; key: string } {
  const crt = path.join(work, 'oms_server.crt');
  const key = path.join(work, 'oms_server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', '/CN=oms-lab',
    '-addext', `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}`], { stdio: 'ignore' });
  return { crt, key };
}

const omsrun = (args: string[]) => omsrunIn(LAB.name, work, args);
const node = (i: number): LabHost => labNode(parts, i);
const health = (ip: string) => sharedHealth(ip, tls);

async function consolePid(h: LabHost): Promise<string> {
  const r = await runOnHost(h, 'docker exec oms supervisorctl status oms_console');
  return /pid (\d+)/.exec(r.stdout)?.[1] ?? `none: ${r.stdout}`;
}

const pollVipDuring = <T>(run: () => Promise<T>) => pollVip(parts.vip.ip, run, tls);

const statusRow = (out: string, i: number) => new RegExp(`^h${i + 1} +${node(i).ip.replaceAll('.', '\\.')} +running +\\S+ +[0-9a-f]{12} +(?:up|down) +(?:up|down) +(\\S+(?: \\([^)]*\\))?) +`, 'm').exec(out)?.[1];

describe.skipIf(!labEnabled())('OMS restart and health on a lab', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'omsrun-ohlth-'));
    parts = await omsLabUp({ ...LAB, hosts: 3, nodes: 3 });
    inv = path.join(work, 'inventory.yml');
    const cert = labCertificate([parts.vip.ip, ...parts.lab.hosts.map((h) => h.ip)]);
    tls = new Agent({ connect: { ca: readFileSync(cert.crt, 'utf8') } });
    tsdb = await startTsdb(parts.lab);
    const monitoring = { tsdb_enabled: true, tsdb_service: 'INFLUXDB', tsdb_url: tsdb.url, tsdb_username: tsdb.user, tsdb_password: tsdb.password };
    writeFileSync(inv, omsLabInventory({ ...parts, nodes: 3, vars: { oms_db_prefix: 'ohlth', oms_https_crt: cert.crt, oms_https_key: cert.key, ...monitoring } }));
    const r = await omsrun(['playbooks/deploy.yml', '-i', inv]);
    expect(r.code, r.out).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await tls?.close();
    await omsLabDown(LAB.dir, LAB.name);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('deploy waits for the log line and the health answer over TLS; every node and the VIP answer HTTPS only', async () => {
    expect(await health(parts.vip.ip)).toEqual({ status: 200, healthy: true });
    const plain = await fetch(`http://${parts.vip.ip}:8089/oms/health`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => -1);
    expect(plain).toBe(-1);
    const untrusted = await fetch(`https://${node(0).ip}:8089/oms/health`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, (e: Error) => String((e.cause as Error | undefined)?.message ?? e));
    expect(untrusted).toMatch(/self[- ]signed certificate/);
    for (const i of [0, 1, 2]) {
      expect(await health(node(i).ip)).toEqual({ status: 200, healthy: true });
      const init = await runOnHost(node(i), 'cat /data/oms/oms_logs/docker_init_*.log');
      expect(init.stdout).toContain(`[INFO] time-series database INFLUXDB ${tsdb.url} answered`);
      const log = await runOnHost(node(i), 'docker logs --tail 1 oms');
      expect(log.stdout.trim()).toBe('OMS service start successfully');
    }
  });

  it('restarts one node at a time, each healthy again with a new console, while the VIP answers every 50 ms', async () => {
    const before = await Promise.all([0, 1, 2].map((i) => consolePid(node(i))));
    const t = Date.now();
    const { result: r, polls, failures, unhealthy } = await pollVipDuring(() => omsrun(['playbooks/restart.yml', '-i', inv]));
    console.log(`restart.yml: ${Date.now() - t} ms, ${polls} VIP polls, ${unhealthy} answered healthy=false`);
    expect(r.code, r.out).toBe(0);
    expect(r.out.match(/changed: \[h\d\]/g)?.length, r.out).toBe(3);
    const order = [...r.out.matchAll(/changed: \[(h\d)\]/g)].map((m) => m[1]);
    expect(order).toEqual(['h1', 'h2', 'h3']);
    expect(polls).toBeGreaterThan(5);
    expect(failures).toEqual([]);
    const after = await Promise.all([0, 1, 2].map((i) => consolePid(node(i))));
    for (const i of [0, 1, 2]) {
      expect(after[i]).toMatch(/^\d+$/);
      expect(after[i]).not.toBe(before[i]);
      expect(await health(node(i).ip)).toEqual({ status: 200, healthy: true });
    }
  }, 180_000);

  it('a rerun of restart is safe', async () => {
    const { result: r, failures } = await pollVipDuring(() => omsrun(['playbooks/restart.yml', '-i', inv]));
    expect(r.code, r.out).toBe(0);
    expect(failures).toEqual([]);
    for (const i of [0, 1, 2]) expect(await health(node(i).ip)).toEqual({ status: 200, healthy: true });
  }, 180_000);

  it('status shows health per node: healthy, and unhealthy where a component is stopped', async () => {
    let r = await omsrun(['playbooks/status.yml', '-i', inv]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^node +ip +container +image +image id +8088 +8089 +health +programs$/m);
    for (const i of [0, 1, 2]) expect(statusRow(r.out, i), r.out).toBe('healthy');

    await runOnHost(node(1), 'docker exec oms supervisorctl stop oms_drc_cm');
    await runOnHost(node(2), 'docker exec oms supervisorctl stop oms_console');
    expect(await health(node(1).ip)).toEqual({ status: 200, healthy: false });
    r = await omsrun(['playbooks/status.yml', '-i', inv]);
    expect(r.code, r.out).toBe(0);
    expect(statusRow(r.out, 0), r.out).toBe('healthy');
    expect(statusRow(r.out, 1), r.out).toBe('unhealthy');
    expect(statusRow(r.out, 2), r.out).toBe('unhealthy (no answer)');
  }, 120_000);

  it('restart brings stopped components back and every node is healthy again', async () => {
    const r = await omsrun(['playbooks/restart.yml', '-i', inv]);
    expect(r.code, r.out).toBe(0);
    for (const i of [0, 1, 2]) expect(await health(node(i).ip)).toEqual({ status: 200, healthy: true });
  }, 180_000);

  it('stops at the first node that does not come back, leaving the next one untouched', async () => {
    // h2's CM cannot start again while something else holds its port 8088.
    const blocker = await runOnHost(node(1), 'docker exec -d oms sh -c "supervisorctl stop oms_drc_cm; exec nc -ll -p 8088 -e true"');
    expect(blocker.exitCode).toBe(0);
    const before = await consolePid(node(2));
    const r = await omsrun(['playbooks/restart.yml', '-i', inv]);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/failed: \[h2\][\s\S]*oms_drc_cm: ERROR \(spawn error\)/);
    expect(r.out).not.toContain('changed: [h3]');
    expect(await consolePid(node(2))).toBe(before);
    expect(await health(node(0).ip)).toEqual({ status: 200, healthy: true });
  }, 180_000);

  it('a time-series database that refuses the login stops the deploy at the prechecks, naming what to check', async () => {
    const r = await omsrun(['playbooks/deploy.yml', '-i', inv, '-e', 'tsdb_password=not-the-password']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`cannot use the time-series database at ${tsdb.url} as ${tsdb.user}: status code was 401 and not [200] (check tsdb_username and tsdb_password)`);
    expect(r.out).not.toContain('not-the-password');
    expect(r.out).not.toContain('changed: [');
  }, 180_000);
});
