// restart.yml and the health column of status.yml, through the built CLI, on a side lab of 3 Docker nodes with a VIP and a MetaDB.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsLabDown, omsLabInventory, omsLabUp } from '../../scripts/demo.js';
import { labEnabled, runOnHost, type LabHost } from '../lab/lab-helper.js';
import { health, labNode, omsrunIn, pollVipDuring, type OmsLab } from './oms-lab-cli.js';

const LAB = { name: 'ohlth', dir: '/tmp/omsrun-ohlth' };

let parts: OmsLab;
let work: string;
let inv: string;

const omsrun = (args: string[]) => omsrunIn(LAB.name, work, args);
const node = (i: number): LabHost => labNode(parts, i);

async function consolePid(h: LabHost): Promise<string> {
  const r = await runOnHost(h, 'docker exec oms supervisorctl status oms_console');
  return /pid (\d+)/.exec(r.stdout)?.[1] ?? `none: ${r.stdout}`;
}

const pollVip = <T>(run: () => Promise<T>) => pollVipDuring(parts.vip.ip, run);

const statusRow = (out: string, i: number) => new RegExp(`^h${i + 1} +${node(i).ip.replaceAll('.', '\\.')} +running +\\S+ +[0-9a-f]{12} +(?:up|down) +(?:up|down) +(\\S+(?: \\([^)]*\\))?) +`, 'm').exec(out)?.[1];

describe.skipIf(!labEnabled())('OMS restart and health on a lab', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'omsrun-ohlth-'));
    parts = await omsLabUp({ ...LAB, hosts: 3, nodes: 3 });
    inv = path.join(work, 'inventory.yml');
    writeFileSync(inv, omsLabInventory({ ...parts, nodes: 3, vars: { oms_db_prefix: 'ohlth' } }));
    const r = await omsrun(['playbooks/deploy.yml', '-i', inv]);
    expect(r.code, r.out).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await omsLabDown(LAB.dir, LAB.name);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('deploy waits for the log line and the health answer; every node is healthy', async () => {
    for (const i of [0, 1, 2]) {
      expect(await health(node(i).ip)).toEqual({ status: 200, healthy: true });
      const log = await runOnHost(node(i), 'docker logs --tail 1 oms');
      expect(log.stdout.trim()).toBe('OMS service start successfully');
    }
  });

  it('restarts one node at a time, each healthy again with a new console, while the VIP answers every 50 ms', async () => {
    const before = await Promise.all([0, 1, 2].map((i) => consolePid(node(i))));
    const t = Date.now();
    const { result: r, polls, failures, unhealthy } = await pollVip(() => omsrun(['playbooks/restart.yml', '-i', inv]));
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
    const { result: r, failures } = await pollVip(() => omsrun(['playbooks/restart.yml', '-i', inv]));
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
});
