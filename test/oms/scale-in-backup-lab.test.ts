// scale-in.yml and backup-metadb.yml end to end, through the built CLI, on a side lab of 3 Docker nodes with a VIP and a MetaDB.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsLabDown, omsLabInventory, omsLabUp } from '../../scripts/demo.js';
import { setVipBackends } from '../../scripts/lab/lab-vip.js';
import { labEnabled, runOnHost, type LabHost } from '../lab/lab-helper.js';
import { commandLinesDuring, get, labNode, metadbSql, omsrunIn, type OmsLab } from './oms-lab-cli.js';

const LAB = { name: 'oscin', dir: '/tmp/omsrun-oscin' };

let parts: OmsLab;
let work: string;
let inv: string;

const omsrun = (args: string[], onSpawn?: (pid: number) => void) => omsrunIn(LAB.name, work, args, onSpawn);
const node = (i: number): LabHost => labNode(parts, i);

const sql = (query: string, db = '') => metadbSql(parts, query, db);

function backups(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe.skipIf(!labEnabled())('OMS scale-in and MetaDB backup on a lab', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'omsrun-oscin-'));
    parts = await omsLabUp({ ...LAB, hosts: 3, nodes: 3 });
    inv = path.join(work, 'inv.yml');
    writeFileSync(inv, omsLabInventory({ ...parts, nodes: 3 }));
    const r = await omsrun(['playbooks/deploy.yml', '-i', inv]);
    expect(r.code, r.out).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await omsLabDown(LAB.dir, LAB.name);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('backs up the three databases, complete and restorable, the password nowhere, keeping the newest N', async () => {
    sql('CREATE TABLE IF NOT EXISTS omsdemo_rm.t (id INT PRIMARY KEY); INSERT IGNORE INTO omsdemo_rm.t VALUES (1), (2), (3)');
    const dir = path.join(work, 'backups');
    const logs = path.join(work, 'logs');
    const secret = parts.metadb.password;
    const args = ['playbooks/backup-metadb.yml', '-i', inv, '-e', `oms_backup_dir=${dir}`, '-e', 'oms_backup_keep=2', '--log-dir', logs, '-vv'];
    const { result: runs, seen } = await commandLinesDuring(secret, async () => {
      const all = [];
      for (let i = 0; i < 3; i++) all.push(await omsrun(args));
      return all;
    });
    for (const r of runs) expect(r.code, r.out).toBe(0);
    expect(runs[0]?.out).toMatch(/backup: .*\/\d{8}T\d{6}Z/);
    expect(seen).toEqual([]);
    for (const r of runs) expect(r.out).not.toContain(secret);
    for (const f of readdirSync(logs)) expect(readFileSync(path.join(logs, f), 'utf8')).not.toContain(secret);
    expect(runs[2]?.out).toMatch(/removed the older backup .* \(keeping 2\)/);

    const kept = backups(dir);
    expect(kept).toHaveLength(2);
    const last = path.join(dir, kept[1] as string);
    expect(readdirSync(last).sort()).toEqual(['manifest.txt', 'omsdemo_cm.sql', 'omsdemo_cm_hb.sql', 'omsdemo_rm.sql']);
    for (const db of ['omsdemo_rm', 'omsdemo_cm', 'omsdemo_cm_hb']) {
      const text = readFileSync(path.join(last, `${db}.sql`), 'utf8');
      expect(text.trimEnd().split('\n').at(-1)).toMatch(/^-- Dump completed/);
      expect(text).not.toContain('CREATE TRIGGER');
    }
    const manifest = readFileSync(path.join(last, 'manifest.txt'), 'utf8');
    expect(manifest).toContain(`metadb: ${parts.metadb.host}:${parts.metadb.port} as ${parts.metadb.user}`);
    expect(manifest).toMatch(/^omsdemo_rm\.sql \d+ bytes sha256 [0-9a-f]{64}$/m);
    expect(manifest).not.toContain(secret);

    sql('DROP DATABASE IF EXISTS oscin_scratch; CREATE DATABASE oscin_scratch');
    execFileSync('bash', ['-c', `mariadb -h ${parts.metadb.host} -P ${parts.metadb.port} -u ${parts.metadb.user} oscin_scratch < ${last}/omsdemo_rm.sql`], {
      env: { ...process.env, MYSQL_PWD: secret },
    });
    const count = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '%s'";
    expect(sql(count.replace('%s', 'oscin_scratch'))).toBe(sql(count.replace('%s', 'omsdemo_rm')));
    expect(sql('SELECT COUNT(*) FROM oscin_scratch.t')).toBe('3');
    sql('DROP DATABASE oscin_scratch');

    const bad = await omsrun(['playbooks/backup-metadb.yml', '-i', inv, '-e', `oms_backup_dir=${dir}`, '-e', 'oms_backup_keep=0']);
    expect(bad.code, bad.out).toBe(2);
    expect(bad.out).toContain('oms_backup_keep: expected a whole number of backups to keep, 1 or more, got 0');
    expect(backups(dir)).toEqual(kept);
  }, 300_000);

  it('refuses to remove every node, before anything is touched', async () => {
    const r = await omsrun(['playbooks/scale-in.yml', '-i', inv, '-e', 'oms_leaving=h1,h2,h3']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('oms_leaving: expected at least one node of oms_nodes to stay, got every node (h1, h2, h3)');
    expect(r.out).not.toContain('changed: [');
    const none = await omsrun(['playbooks/scale-in.yml', '-i', inv]);
    expect(none.code, none.out).toBe(2);
    expect(none.out).toContain('name the nodes that leave: -e oms_leaving=HOST[,HOST...]');
  }, 120_000);

  it('scales in 3 → 2 while the VIP keeps answering, keeps the leaving node’s folders, and a rerun changes nothing', async () => {
    await setVipBackends([node(0).ip, node(1).ip], LAB.dir);
    let polls = 0;
    const failures: number[] = [];
    let done = false;
    const poller = (async () => {
      while (!done) {
        const s = await get(`http://${parts.vip.ip}:8089/oms/health`);
        polls++;
        if (s !== 200) failures.push(s);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = Date.now();
    const r = await omsrun(['playbooks/scale-in.yml', '-i', inv, '-e', 'oms_leaving=h3']);
    done = true;
    await poller;
    expect(r.code, r.out).toBe(0);
    console.log(`scale-in 3 → 2: ${((Date.now() - started) / 1000).toFixed(1)} s, ${polls} VIP polls`);
    expect(polls).toBeGreaterThan(5);
    expect(failures).toEqual([]);
    expect(r.out).toContain(`no longer sends 8088 and 8089 to h3 (${node(2).ip})`);
    for (const h of ['h1', 'h2', 'h3']) expect(r.out).toContain(`changed: [${h}]`);
    expect(r.out.indexOf('changed: [h2]')).toBeLessThan(r.out.indexOf('changed: [h3]'));
    for (const i of [0, 1]) {
      const text = readFileSync(path.join(node(i).dir, 'data/oms/config.yaml'), 'utf8');
      expect(text).toContain(`cm_nodes:\n - ${node(0).ip}\n - ${node(1).ip}\n`);
      expect(text).not.toContain(node(2).ip);
    }
    expect((await runOnHost(node(2), 'docker ps -aq --filter name=^/oms$')).stdout.trim()).toBe('');
    expect(statSync(path.join(node(2).dir, 'data/oms/oms_store')).isDirectory()).toBe(true);
    expect(await get(`http://${node(0).ip}:8089/oms/health`)).toBe(200);

    const again = await omsrun(['playbooks/scale-in.yml', '-i', inv, '-e', 'oms_leaving=h3']);
    expect(again.code, again.out).toBe(0);
    expect(again.out).not.toContain('changed: [');
  }, 300_000);
});
