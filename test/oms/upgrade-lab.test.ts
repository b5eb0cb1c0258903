// upgrade.yml and rollback.yml end to end, through the built CLI, on a side lab of 3 Docker nodes with a VIP and a
// MetaDB: the stand-in release 4.2.0 (A) goes to 4.2.9 (B, which writes oms_version into the MetaDB on init) and back.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsLabDown, omsLabInventory, omsLabUp } from '../../scripts/demo.js';
import { hostDocker } from '../../scripts/lab/lab-api.js';
import { buildOmsUpgradeImage, loadOmsImage, type OmsImage } from '../../scripts/lab/oms-image.js';
import { labEnabled, runOnHost, type LabHost } from '../lab/lab-helper.js';
import { commandLinesDuring, health, labNode, metadbSql, omsrunIn, pollVipDuring, type OmsLab } from './oms-lab-cli.js';

const LAB = { name: 'oupg', dir: '/tmp/omsrun-oupg' };
const NODES = [0, 1, 2];
const RM = 'oupg_rm';

let parts: OmsLab;
let work: string;
let inv: string;
let backupDir: string;
let newer: OmsImage;

const omsrun = (args: string[]) => omsrunIn(LAB.name, work, args);
const node = (i: number): LabHost => labNode(parts, i);

const sql = (query: string) => metadbSql(parts, query);

const upgradeArgs = (image = newer.tag, archive: string | null = newer.archive) => [
  'playbooks/upgrade.yml', '-i', inv, '-e', `oms_upgrade_image=${image}`, ...(archive ? ['-e', `oms_upgrade_image_archive=${archive}`] : []),
  '-e', `oms_backup_dir=${backupDir}`,
];
const rollbackArgs = (...extra: string[]) => ['playbooks/rollback.yml', '-i', inv, '-e', `oms_backup_dir=${backupDir}`, ...extra];

async function runningImageIds(): Promise<string[]> {
  return Promise.all(NODES.map(async (i) => (await runOnHost(node(i), "docker inspect --format '{{.Image}}' oms")).stdout.trim()));
}

async function imageOnNode(i: number, tag: string): Promise<string> {
  const r = await runOnHost(node(i), `docker image inspect --format '{{.Id}}' ${tag} 2>/dev/null || echo none`);
  return r.stdout.trim();
}

function backups(): string[] {
  return existsSync(backupDir) ? readdirSync(backupDir).filter((n) => /^\d{8}T\d{6}Z$/.test(n)).sort() : [];
}

const hasVersionTable = () => sql(`SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${RM}' AND TABLE_NAME = 'oms_version'`) === '1';
const schemaVersion = () => (hasVersionTable() ? sql(`SELECT GROUP_CONCAT(version) FROM ${RM}.oms_version`) : '-');

function recapUnchanged(out: string): void {
  for (const i of NODES) expect(out, out).toMatch(new RegExp(`h${i + 1} +: ok=\\d+ +changed=0 +failed=0 `));
}

async function everyNodeHealthy(): Promise<void> {
  for (const i of NODES) expect(await health(node(i).ip)).toEqual({ status: 200, healthy: true });
}

describe.skipIf(!labEnabled())('OMS upgrade and rollback on a lab', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'omsrun-oupg-'));
    backupDir = path.join(work, 'backups');
    parts = await omsLabUp({ ...LAB, hosts: 3, nodes: 3 });
    const t = Date.now();
    newer = await buildOmsUpgradeImage({ env: hostDocker(node(0)), base: parts.image });
    console.log(`upgrade image ${newer.tag}: ${newer.cached ? 'cached' : `built in ${Date.now() - t} ms`}`);
    inv = path.join(work, 'inventory.yml');
    writeFileSync(inv, omsLabInventory({ ...parts, nodes: 3, vars: { oms_db_prefix: 'oupg' } }));
    const r = await omsrun(['playbooks/deploy.yml', '-i', inv]);
    expect(r.code, r.out).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await omsLabDown(LAB.dir, LAB.name);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('the two stand-in releases differ in image ID; A models ha.config (off) and no schema version', () => {
    expect(newer.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(newer.imageId).not.toBe(parts.image.imageId);
    expect(sql(`SELECT cfg_value FROM ${RM}.oms_normal_config WHERE cfg_name = 'ha.config'`)).toBe('{"enable":false,"perceptionTime":60}');
    expect(hasVersionTable()).toBe(false);
  });

  it('--check shows the plan (versions per node, backup destination, order) and changes nothing', async () => {
    const r = await omsrun([...upgradeArgs(), '--check']);
    expect(r.code, r.out).toBe(0);
    for (const i of NODES) expect(r.out).toContain(`h${i + 1}: 4.2.0 (${parts.image.tag}) -> 4.2.9;`);
    expect(r.out).toContain(`into ${backupDir}/<UTC time>/`);
    expect(r.out).toContain(`image ${newer.tag} (not loaded yet);`);
    expect(r.out).toContain('h1 h2 h3 stop together');
    expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
    for (const i of NODES) expect(await imageOnNode(i, newer.tag)).toBe('none');
    expect(backups()).toEqual([]);
  }, 120_000);

  it('refuses while High Availability is on, with OBD error 4704 and where to switch it off; nothing touched', async () => {
    sql(`UPDATE ${RM}.oms_normal_config SET cfg_value = '{"enable":true,"perceptionTime":60}' WHERE cfg_name = 'ha.config'`);
    try {
      const r = await omsrun(upgradeArgs());
      expect(r.code, r.out).toBe(2);
      expect(r.out).toContain('OBD-4704: HA is enabled, please disable it before upgrade');
      expect(r.out).toContain('System Management > System Parameters, find ha.config');
      expect(r.out).toContain('No node was touched.');
      expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
      for (const i of NODES) expect(await imageOnNode(i, newer.tag)).toBe('none');
      expect(backups()).toEqual([]);
      await everyNodeHealthy();
    } finally {
      sql(`UPDATE ${RM}.oms_normal_config SET cfg_value = '{"enable":false,"perceptionTime":60}' WHERE cfg_name = 'ha.config'`);
    }
  }, 120_000);

  it('refuses a path the release notes forbid before touching anything', async () => {
    const r = await omsrun(upgradeArgs('oms-ce-standin:feature_4.2.6-ce', newer.archive));
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('the release notes allow OMS 4.2.6 only from 4.2.4, 4.2.5; h1 runs 4.2.0');
    const unknown = await omsrun(upgradeArgs('oms-ce-standin:feature_5.0.0-ce', newer.archive));
    expect(unknown.code, unknown.out).toBe(2);
    expect(unknown.out).toContain('no documented upgrade path to OMS 5.0.0');
    expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
    for (const i of NODES) expect(await imageOnNode(i, newer.tag)).toBe('none');
    expect(backups()).toEqual([]);
  }, 120_000);

  it('rollback refuses where no upgrade was recorded, before touching anything', async () => {
    const r = await omsrun(rollbackArgs());
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('h1 has no upgrade record (/data/oms/omsrun-upgrade.json): upgrade.yml writes it');
    expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
  }, 120_000);

  it('refuses a run without every node (--limit), before touching anything', async () => {
    const r = await omsrun([...upgradeArgs(), '-l', 'h1,h2']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('the upgrade stops and starts every node of oms_nodes together, but this run has only h1, h2 of h1, h2, h3');
    expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
    for (const i of NODES) expect(await imageOnNode(i, newer.tag)).toBe('none');
  }, 120_000);

  it('refuses when the new tag is another image on one node, before any container is touched', async () => {
    await loadOmsImage(hostDocker(node(0)), newer);
    await loadOmsImage(hostDocker(node(1)), newer);
    await runOnHost(node(2), `docker tag ${parts.image.tag} ${newer.tag}`);
    try {
      const r = await omsrun(upgradeArgs(newer.tag, null));
      expect(r.code, r.out).toBe(2);
      expect(r.out).toContain(`${newer.tag} is image ${newer.imageId} on h1 but another image on h3 (every node must run the same image)`);
      expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
      expect(backups()).toEqual([]);
      await runOnHost(node(2), `docker rmi ${newer.tag}`);
      const missing = await omsrun(upgradeArgs(newer.tag, null));
      expect(missing.code, missing.out).toBe(2);
      expect(missing.out).toContain(`image ${newer.tag} is not on h3: add -e oms_upgrade_image_archive=PATH`);
      expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
    } finally {
      for (const i of NODES) await runOnHost(node(i), `docker rmi ${newer.tag} >/dev/null 2>&1; true`);
    }
  }, 180_000);

  it('upgrades every node to B: same image ID everywhere, a complete backup, a record per node, B schema, VIP back', async () => {
    const logs = path.join(work, 'logs');
    const secret = parts.metadb.password;
    const { result: polled, seen } = await commandLinesDuring(secret, () => pollVipDuring(parts.vip.ip, () => omsrun([...upgradeArgs(), '--log-dir', logs, '-vv'])));
    const { result: r, polls, failures, healthyAtEnd } = polled;
    console.log(`upgrade.yml: ${polls} VIP polls, ${failures.length} without an answer (every node stops together, as documented)`);
    expect(r.code, r.out).toBe(0);
    expect(healthyAtEnd).toBe(true);
    expect(seen).toEqual([]);
    expect(r.out).not.toContain(secret);
    for (const f of readdirSync(logs)) expect(readFileSync(path.join(logs, f), 'utf8')).not.toContain(secret);
    expect(await runningImageIds()).toEqual(NODES.map(() => newer.imageId));
    await everyNodeHealthy();
    expect(schemaVersion()).toBe('4.2.9-CE');

    const [name] = backups();
    expect(backups()).toHaveLength(1);
    const dir = path.join(backupDir, name as string);
    const manifest = readFileSync(path.join(dir, 'manifest.txt'), 'utf8');
    expect(manifest).toContain('upgrade: h1 4.2.0 -> 4.2.9; h2 4.2.0 -> 4.2.9; h3 4.2.0 -> 4.2.9; image oms-ce-standin:feature_4.2.9-ce');
    for (const db of ['oupg_rm', 'oupg_cm', 'oupg_cm_hb']) {
      const file = path.join(dir, `${db}.sql`);
      expect(statSync(file).size).toBeGreaterThan(0);
      expect(readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)).toMatch(/^-- Dump completed/);
    }
    expect(readFileSync(path.join(dir, 'oupg_rm.sql'), 'utf8')).toContain('ha.config');

    for (const i of NODES) {
      const rec = JSON.parse((await runOnHost(node(i), 'cat /data/oms/omsrun-upgrade.json')).stdout) as Record<string, unknown>;
      expect(rec).toEqual({
        from_image: parts.image.tag, from_image_id: parts.image.imageId, from_version: '4.2.0',
        to_image: newer.tag, to_image_id: newer.imageId, to_version: '4.2.9', backup: dir,
      });
    }
  }, 300_000);

  it('a rerun of the upgrade changes nothing and takes no backup', async () => {
    const r = await omsrun(upgradeArgs());
    expect(r.code, r.out).toBe(0);
    recapUnchanged(r.out);
    expect(r.out).toContain('nothing to do');
    expect(backups()).toHaveLength(1);
  }, 180_000);

  it('rollback refuses a backup name that is no backup folder, and a damaged backup, before touching anything', async () => {
    let r = await omsrun(rollbackArgs('-e', 'oms_restore_metadb=../x'));
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain("oms_restore_metadb: expected the name of a backup folder such as 20261130T121500Z, got '../x'");
    r = await omsrun(rollbackArgs('-e', 'oms_restore_metadb=20000101T000000Z'));
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`no backup ${backupDir}/20000101T000000Z (no manifest.txt)`);
    const [name] = backups();
    const dump = path.join(backupDir, name as string, 'oupg_cm.sql');
    const good = readFileSync(dump, 'utf8');
    writeFileSync(dump, `${good}-- changed\n`);
    try {
      r = await omsrun(rollbackArgs('-e', `oms_restore_metadb=${name}`));
      expect(r.code, r.out).toBe(2);
      expect(r.out).toContain(`${dump} does not match the sha256 in its manifest: the backup is damaged`);
    } finally {
      writeFileSync(dump, good);
    }
    expect(await runningImageIds()).toEqual(NODES.map(() => newer.imageId));
    expect(schemaVersion()).toBe('4.2.9-CE');
  }, 120_000);

  it('rolls back to A with the MetaDB restored from the upgrade backup (its time and versions shown first): B schema gone', async () => {
    const [name] = backups();
    const { result: r, seen } = await commandLinesDuring(parts.metadb.password, () => omsrun(rollbackArgs('-e', `oms_restore_metadb=${name}`)));
    expect(r.code, r.out).toBe(0);
    expect(seen).toEqual([]);
    expect(r.out).toContain(`time: ${name}`);
    expect(r.out).toContain('upgrade: h1 4.2.0 -> 4.2.9');
    expect(r.out.indexOf(`time: ${name}`)).toBeLessThan(r.out.indexOf('restore the MetaDB databases'));
    expect(r.out).not.toContain(parts.metadb.password);
    expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
    await everyNodeHealthy();
    expect(hasVersionTable()).toBe(false);
    expect(sql(`SELECT cfg_value FROM ${RM}.oms_normal_config WHERE cfg_name = 'ha.config'`)).toContain('"enable":false');
  }, 300_000);

  it('a rerun of the rollback changes nothing, and does not restore again', async () => {
    const [name] = backups();
    const r = await omsrun(rollbackArgs('-e', `oms_restore_metadb=${name}`));
    expect(r.code, r.out).toBe(0);
    recapUnchanged(r.out);
    expect(r.out).toContain('the MetaDB was not restored');
  }, 180_000);

  it('upgrade again, then a rollback without a restore keeps the MetaDB as B left it', async () => {
    let r = await omsrun(upgradeArgs(newer.tag, null));
    expect(r.code, r.out).toBe(0);
    expect(schemaVersion()).toBe('4.2.9-CE');
    r = await omsrun(rollbackArgs());
    expect(r.code, r.out).toBe(0);
    expect(await runningImageIds()).toEqual(NODES.map(() => parts.image.imageId));
    await everyNodeHealthy();
    expect(schemaVersion()).toBe('4.2.9-CE');
  }, 400_000);
});
