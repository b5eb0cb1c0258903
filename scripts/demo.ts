// `npm run demo`: a lab of docker hosts, the stand-in OMS image, a MetaDB and a VIP, then a real 3-node deploy.
//   npm run demo            (as root on Linux)
//   npm run demo -- --upgrade   (then upgrade.yml to the stand-in 4.2.9 and rollback.yml back)
//   npm run demo -- --down
import { $ } from 'zx';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { freeSideSubnet, hostDocker, labDown, labUp, type LabState } from './lab/lab-api.js';
import { startMetaDb, stopMetaDb, type MetaDb } from './lab/lab-metadb.js';
import { stopTsdb } from './lab/lab-tsdb.js';
import { buildOmsImage, buildOmsUpgradeImage, type OmsImage } from './lab/oms-image.js';
import { startVip, stopVip, type Vip } from './lab/lab-vip.js';

/** What a lab inventory for the OMS playbooks is made of. */
export interface OmsLabParts {
  lab: LabState;
  vip: Vip;
  metadb: MetaDb;
  image: OmsImage;
  /** How many lab hosts are OMS nodes (the first ones). */
  nodes: number;
  /** Extra group variables. */
  vars?: Record<string, unknown>;
  /** Extra variables per host name. */
  hostVars?: Record<string, Record<string, unknown>>;
}

// The inventory a user would write, pointed at the lab's hosts, VIP, MetaDB and image.
export function omsLabInventory(p: OmsLabParts): string {
  const hosts = Object.fromEntries(
    p.lab.hosts.slice(0, p.nodes).map((h) => [h.name, { ansible_host: h.ip, ...(p.hostVars?.[h.name] ?? {}) }]),
  );
  const vars = {
    ansible_user: 'root',
    ansible_ssh_private_key_file: p.lab.keyFile,
    ansible_ssh_known_hosts_file: p.lab.knownHosts,
    oms_vip: p.vip.ip,
    oms_meta_host: p.metadb.host,
    oms_meta_port: p.metadb.port,
    oms_meta_user: p.metadb.user,
    oms_meta_password: p.metadb.password,
    oms_db_prefix: 'omsdemo',
    cm_location: 1,
    cm_region: 'lab',
    tsdb_enabled: false,
    oms_image_archive: p.image.archive,
    oms_image: p.image.tag,
    oms_mount_root: '/data/oms',
    oms_container_name: 'oms',
    ...(p.vars ?? {}),
  };
  return stringify({ all: { children: { oms_nodes: { hosts, vars } } } });
}

/** Where a demo lab lives. */
export interface DemoLabOptions {
  name: string;
  dir: string;
  subnet?: string;
  /** Lab hosts, each with a Docker engine. @defaultValue 4 */
  hosts?: number;
  /** OMS nodes in the inventory. @defaultValue 3 */
  nodes?: number;
}

// Lab, image, MetaDB and VIP (over the first `nodes` hosts); returns the parts of an inventory.
export async function omsLabUp(o: DemoLabOptions): Promise<Omit<OmsLabParts, 'vars' | 'hostVars'>> {
  const hosts = o.hosts ?? 4;
  const nodes = o.nodes ?? 3;
  const lab = await labUp({ hosts, docker: hosts, name: o.name, dir: o.dir, subnet: o.subnet ?? (await freeSideSubnet()) });
  const image = await buildOmsImage({ env: hostDocker(lab.hosts[0] as LabState['hosts'][number]) });
  const metadb = await startMetaDb(lab);
  const vip = await startVip(lab, lab.hosts.slice(0, nodes).map((h) => h.ip));
  return { lab, image, metadb, vip, nodes };
}

// Stops the VIP and MetaDB, then the lab; safe to repeat.
export async function omsLabDown(dir: string, name?: string): Promise<void> {
  await stopVip(dir).catch(() => undefined);
  await stopMetaDb(dir).catch(() => undefined);
  await stopTsdb(dir).catch(() => undefined);
  await labDown(dir, name);
}

// OMSRUN_DEMO_NAME (at most 6 characters) runs a demo beside another one on the same machine.
const DEMO_NAME = process.env['OMSRUN_DEMO_NAME'] ?? 'demo';
const DEMO = { name: DEMO_NAME, dir: `/tmp/omsrun-${DEMO_NAME}` };

// The upgrade to the stand-in's newer release (its plan first), then the rollback with the MetaDB restored.
async function demoUpgrade(parts: Omit<OmsLabParts, 'vars' | 'hostVars'>, inventory: string): Promise<void> {
  const newer = await buildOmsUpgradeImage({ env: hostDocker(parts.lab.hosts[0] as LabState['hosts'][number]), base: parts.image });
  const backups = join(DEMO.dir, 'oms-backups');
  const upgrade = ['playbooks/upgrade.yml', '-i', inventory, '-e', `oms_upgrade_image=${newer.tag}`, '-e', `oms_upgrade_image_archive=${newer.archive}`, '-e', `oms_backup_dir=${backups}`];
  const sh = $({ stdio: 'inherit', nothrow: true });
  for (const [what, args] of [
    ['the upgrade plan', [...upgrade, '--check']],
    [`the upgrade to ${newer.tag}`, upgrade],
  ] as const) {
    console.log(`\n== ${what}`);
    const r = await sh`node bin/omsrun.js ${args}`;
    if (r.exitCode !== 0) process.exit(r.exitCode ?? 1);
  }
  const [backup] = readdirSync(backups).filter((n) => /^\d{8}T\d{6}Z$/.test(n)).sort().reverse();
  console.log(`\n== the rollback to ${parts.image.tag}, the MetaDB restored from ${backup}`);
  const r = await sh`node bin/omsrun.js playbooks/rollback.yml -i ${inventory} -e ${`oms_backup_dir=${backups}`} -e ${`oms_restore_metadb=${backup}`}`;
  if (r.exitCode !== 0) process.exit(r.exitCode ?? 1);
}

async function main(): Promise<void> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    console.error('the demo builds network namespaces, sshd and Docker engines: run it as root on Linux (bash scripts/setup.sh first)');
    process.exit(1);
  }
  if (process.argv.includes('--down')) {
    await omsLabDown(DEMO.dir, DEMO.name);
    console.log(`demo lab ${DEMO.name} removed`);
    return;
  }
  console.log('bringing up 4 lab hosts with Docker, the stand-in OMS image, a MetaDB and a VIP...');
  const parts = await omsLabUp(DEMO);
  mkdirSync(DEMO.dir, { recursive: true });
  const inventory = join(DEMO.dir, 'oms-inventory.yml');
  writeFileSync(inventory, omsLabInventory(parts));
  console.log(`inventory: ${inventory}`);
  await $({ stdio: 'inherit', env: { ...process.env, CI: process.env['CI'] ?? '' } })`npm run --silent build`;
  const run = await $({ stdio: 'inherit', nothrow: true })`node bin/omsrun.js playbooks/deploy.yml -i ${inventory}`;
  if (run.exitCode !== 0) {
    console.error(`deploy failed (exit ${run.exitCode}); the lab stays up for a look: npm run demo -- --down removes it`);
    process.exit(run.exitCode ?? 1);
  }
  if (process.argv.includes('--upgrade')) await demoUpgrade(parts, inventory);
  console.log(`\nOMS console (stand-in): http://${parts.vip.ip}:8089   CM: http://${parts.vip.ip}:8088`);
  console.log(`again, changing nothing:   node bin/omsrun.js playbooks/deploy.yml -i ${inventory}`);
  console.log(`status:                    node bin/omsrun.js playbooks/status.yml -i ${inventory}`);
  console.log('tear down:                 npm run demo -- --down');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
