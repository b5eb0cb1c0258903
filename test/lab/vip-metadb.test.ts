import { $ } from 'zx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { type Lab, freeSideSubnet, labDown, labEnabled, labUp, runOnHost } from './lab-helper.js';
import { METADB_USER, metaDbInfo, startMetaDb, stopMetaDb } from '../../scripts/lab/lab-metadb.js';
import { haproxyConfig, setVipBackends, startVip, stopVip, vipAddress, vipInfo, vipServerStates } from '../../scripts/lab/lab-vip.js';
import { waitFor } from '../../scripts/lab/proc.js';

const DIR = '/tmp/omsrun-lab-vipdb';
let lab: Lab;

// First bytes a TCP server sends on connect (the nc listeners send their host name).
function hello(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = connect({ host, port, timeout: 2000 });
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => s.end());
    s.on('close', () => resolve(out.trim()));
    s.on('error', reject);
    s.on('timeout', () => s.destroy(new Error('timeout')));
  });
}

async function listen(i: number, port: number): Promise<void> {
  const h = lab.hosts[i]!;
  const r = await runOnHost(h, `setsid busybox nc -ll -p ${port} -e /bin/echo ${h.name} </dev/null >/dev/null 2>&1 & echo $! > /run/nc-${port}.pid`);
  expect(r.exitCode).toBe(0);
}

describe.skipIf(!labEnabled())('lab VIP and MetaDB', () => {
  beforeAll(async () => {
    lab = await labUp({ hosts: 3, name: 'vipdb', dir: DIR, subnet: await freeSideSubnet() });
    for (const i of [0, 1, 2]) for (const p of [8088, 8089]) await listen(i, p);
  }, 60_000);
  afterAll(async () => {
    await labDown(DIR, 'vipdb');
    expect(existsSync(DIR)).toBe(false);
  }, 60_000);

  it('haproxy config: TCP frontends on the VIP, checked backends (inter 500ms, fall 2, rise 1)', () => {
    const cfg = haproxyConfig('198.18.200.254', [8088], ['198.18.200.2']);
    expect(cfg).toContain('frontend vip_8088\n  bind 198.18.200.254:8088\n  default_backend nodes_8088');
    expect(cfg).toContain('  default-server inter 500ms fall 2 rise 1\n  server n1_198_18_200_2 198.18.200.2:8088 check');
    expect(cfg).toContain('  mode tcp');
    expect(vipAddress({ subnet: '198.18.200.0/24' })).toBe('198.18.200.254');
  });

  it('VIP: every backend serves; a dead node drops out, the VIP keeps answering, scale-out reloads without a new VIP', async () => {
    const [h1, h2, h3] = lab.hosts as [Lab['hosts'][0], Lab['hosts'][0], Lab['hosts'][0]];
    const vip = await startVip(lab, [h1.ip, h2.ip]);
    expect(vip.ip).toBe(vipAddress(lab));
    const seen = async (port: number, n: number) => new Set(await Promise.all(Array.from({ length: n }, () => hello(vip.ip, port))));
    expect(await seen(8089, 6)).toEqual(new Set(['h1', 'h2']));
    // stdin stays open a moment: with it closed at once, haproxy may end the connection before the backend's hello.
    const from = await runOnHost(h1, `sleep 1 | busybox nc ${vip.ip} 8088`);
    expect(['h1', 'h2']).toContain(from.stdout.trim());
    await runOnHost(h1, 'kill $(cat /run/nc-8088.pid)');
    const t = Date.now();
    for (let i = 0; i < 10; i++) expect(await hello(vip.ip, 8088)).toBe('h2');
    expect(await waitFor(async () => (await vipServerStates(lab.dir))[`nodes_8088/${h1.ip}`] === 'DOWN', 5000, 20)).toBe(true);
    console.log(`vip: backend marked DOWN ${Date.now() - t} ms after its listener died`);
    const master = JSON.parse(readFileSync(join(lab.dir, 'vip', 'vip.json'), 'utf8')).pid.pid as number;
    await setVipBackends([h1.ip, h2.ip, h3.ip], lab.dir);
    expect(JSON.parse(readFileSync(join(lab.dir, 'vip', 'vip.json'), 'utf8')).pid.pid).toBe(master);
    expect(vipInfo(lab.dir)?.backends).toEqual([h1.ip, h2.ip, h3.ip]);
    expect(await waitFor(async () => (await seen(8089, 6)).size === 3, 5000, 100)).toBe(true);
    await listen(0, 8088);
    expect(await waitFor(async () => (await vipServerStates(lab.dir))[`nodes_8088/${h1.ip}`] === 'UP', 5000, 20)).toBe(true);
    await stopVip(lab.dir);
    await stopVip(lab.dir);
    expect(vipInfo(lab.dir)).toBeUndefined();
    const addrs = (await $({ quiet: true })`ip -o -4 addr show dev ${lab.bridge}`).stdout;
    expect(addrs).not.toContain(`${vip.ip}/32`);
  });

  it('MetaDB: mysql2 logs in from the controller as oms_meta, creates and lists databases; start is idempotent', async () => {
    const db = await startMetaDb(lab);
    expect(db).toMatchObject({ host: lab.bridgeIp, port: 3306, user: METADB_USER });
    const pid = JSON.parse(readFileSync(join(lab.dir, 'metadb', 'metadb.json'), 'utf8')).pid.pid as number;
    expect(await startMetaDb(lab)).toEqual(db);
    expect(JSON.parse(readFileSync(join(lab.dir, 'metadb', 'metadb.json'), 'utf8')).pid.pid).toBe(pid);
    const conn = await mysql.createConnection({ ...db, connectTimeout: 3000 });
    try {
      for (const name of ['oms_rm', 'oms_cm', 'oms_cm_heartbeat']) await conn.query(`CREATE DATABASE IF NOT EXISTS \`${name}\``);
      const [rows] = await conn.query('SHOW DATABASES');
      const names = (rows as { Database: string }[]).map((r) => r.Database);
      expect(names).toEqual(expect.arrayContaining(['oms_rm', 'oms_cm', 'oms_cm_heartbeat']));
      const [grants] = await conn.query('SELECT CURRENT_USER() AS u');
      expect((grants as { u: string }[])[0]!.u).toBe('oms_meta@%');
    } finally {
      await conn.end();
    }
    const bad = mysql.createConnection({ ...db, password: 'wrong', connectTimeout: 3000 });
    await expect(bad).rejects.toThrow(/Access denied for user 'oms_meta'/);
    const greet = await runOnHost(lab.hosts[2]!, `(sleep 1) | busybox nc ${db.host} ${db.port} | head -c 40 | tr -dc 'A-Za-z0-9.-'`);
    expect(greet.stdout).toMatch(/MariaDB/);
    await stopMetaDb(lab.dir);
    expect(metaDbInfo(lab.dir)).toBeUndefined();
    const again = await startMetaDb(lab);
    const c2 = await mysql.createConnection({ ...again, connectTimeout: 3000 });
    const [rows] = await c2.query("SHOW DATABASES LIKE 'oms_cm'");
    expect(rows).toHaveLength(1);
    await c2.end();
  }, 60_000);
});
