// The OMS playbooks end to end, through the built CLI, on a side lab of 4 Docker hosts with a VIP and a MetaDB.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { omsLabDown, omsLabInventory, omsLabUp, type OmsLabParts } from '../../scripts/demo.js';
import { setVipBackends } from '../../scripts/lab/lab-vip.js';
import { CONFIG_FILE_KEYS } from '../../src/oms/config-file.js';
import { labEnabled, runOnHost, type LabHost } from '../lab/lab-helper.js';
import { answer, get } from './oms-lab-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/omsrun.js');
const LAB = { name: 'omse2e', dir: '/tmp/omsrun-omse2e' };

let parts: Omit<OmsLabParts, 'vars' | 'hostVars'>;
let work: string;

function inventory(nodes: number, extra: Partial<OmsLabParts> = {}): string {
  const file = path.join(work, `inv-${nodes}-${Object.keys(extra.hostVars ?? {}).join('')}.yml`);
  writeFileSync(file, omsLabInventory({ ...parts, nodes, ...extra }));
  return file;
}

function omsrun(args: string[]): Promise<{ code: number | null; out: string }> {
  const iso = ['-e', `omsrun_lock_path=/run/omsrun-omse2e.lock`, '-e', `omsrun_audit_log=${work}/audit.log`];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '--no-color', ...iso], { cwd: ROOT, env: { ...process.env, CI: 'true' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

function node(i: number): LabHost {
  return parts.lab.hosts[i] as LabHost;
}

async function inspect(h: LabHost): Promise<Record<string, any>> {
  const r = await runOnHost(h, 'docker inspect oms');
  return (JSON.parse(r.stdout) as Record<string, any>[])[0] as Record<string, any>;
}

function configOf(h: LabHost): { text: string; mode: number } {
  const file = path.join(h.dir, 'data/oms/config.yaml');
  return { text: readFileSync(file, 'utf8'), mode: statSync(file).mode & 0o777 };
}

describe.skipIf(!labEnabled())('OMS playbooks on a lab', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'omsrun-omse2e-'));
    parts = await omsLabUp({ ...LAB, hosts: 4, nodes: 3 });
  }, 600_000);

  afterAll(async () => {
    await omsLabDown(LAB.dir, LAB.name);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('deploys 3 nodes with the documented container and one identical private config.yaml', async () => {
    const r = await omsrun(['playbooks/deploy.yml', '-i', inventory(3)]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`OMS console: http://${parts.vip.ip}:8089`);
    const texts = new Set<string>();
    for (const i of [0, 1, 2]) {
      const h = node(i);
      const c = await inspect(h);
      expect(c.State.Running).toBe(true);
      expect(c.HostConfig).toMatchObject({ NetworkMode: 'host', Privileged: true, Ulimits: [{ Name: 'nproc', Soft: 65535, Hard: 65535 }] });
      expect([-1, 0]).toContain(c.HostConfig.PidsLimit ?? 0);
      expect([...c.HostConfig.Binds].sort()).toEqual([
        '/data/oms/config.yaml:/home/admin/conf/config.yaml', '/data/oms/oms_logs:/home/admin/logs',
        '/data/oms/oms_run:/home/ds/run', '/data/oms/oms_store:/home/ds/store',
      ]);
      expect(c.Config.Env).toContain(`OMS_HOST_IP=${h.ip}`);
      const cfg = configOf(h);
      expect(cfg.mode).toBe(0o600);
      texts.add(cfg.text);
      expect(await get(`http://${h.ip}:8089/oms/health`)).toBe(200);
      expect(await get(`http://${h.ip}:8088/`)).toBeGreaterThan(0);
    }
    expect(texts.size).toBe(1);
    expect([...texts][0]).toContain(`cm_nodes:\n - ${node(0).ip}\n - ${node(1).ip}\n - ${node(2).ip}\n`);
    expect(await get(`http://${parts.vip.ip}:8089/oms/health`)).toBe(200);
  }, 600_000);

  it('changes nothing and does not re-run the init on a second deploy', async () => {
    const r = await omsrun(['playbooks/deploy.yml', '-i', inventory(3)]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/OK: 3 hosts, 0 changes/);
    expect(r.out).not.toContain('changed: [');
  }, 300_000);

  it('deploys from an existing config.yaml (oms_config_file): the deployed file changes nothing, an edited key shows in --check --diff', async () => {
    const file = path.join(work, 'existing-config.yaml');
    writeFileSync(file, configOf(node(0)).text);
    // The documents' second path: config.yaml holds the settings, the inventory only what config.yaml does not.
    const inv = parse(omsLabInventory({ ...parts, nodes: 3 })) as { all: { children: { oms_nodes: { vars: Record<string, unknown> } } } };
    const vars = inv.all.children.oms_nodes.vars;
    for (const key of [...CONFIG_FILE_KEYS, 'oms_db_prefix']) delete vars[key];
    vars.oms_config_file = file;
    const invFile = path.join(work, 'inv-config-file.yml');
    writeFileSync(invFile, stringify(inv));
    const same = await omsrun(['playbooks/deploy.yml', '-i', invFile]);
    expect(same.code, same.out).toBe(0);
    expect(same.out).toMatch(/OK: 3 hosts, 0 changes/);
    // --check --diff shows what an edited config.yaml would change, and changes nothing.
    writeFileSync(file, configOf(node(0)).text.replace(/^cm_region: .*$/m, 'cm_region: from-file'));
    const edited = await omsrun(['playbooks/deploy.yml', '-i', invFile, '--check', '--diff']);
    expect(edited.code, edited.out).toBe(0);
    expect(edited.out).toContain('+cm_region: from-file');
    expect(edited.out).not.toContain(parts.metadb.password);
    for (const i of [0, 1, 2]) expect(configOf(node(i)).text).not.toContain('from-file');
  }, 300_000);

  it('reconfigures one node at a time while the VIP keeps answering', async () => {
    let polls = 0;
    // Refused, reset or non-200 answers are failures; a slow answer on a loaded machine is still an answer.
    const failures: (number | string)[] = [];
    let done = false;
    const poller = (async () => {
      while (!done) {
        const s = await answer(`http://${parts.vip.ip}:8089/oms/health`, 15_000);
        polls++;
        if (s !== 200) failures.push(s);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const r = await omsrun(['playbooks/reconfigure.yml', '-i', inventory(3), '-e', 'cm_region=lab-east', '--diff']);
    done = true;
    await poller;
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('+cm_region: lab-east');
    expect(r.out).not.toContain(parts.metadb.password);
    expect(r.out.match(/changed: \[h\d\]/g)?.length).toBe(9);
    expect(polls).toBeGreaterThan(5);
    expect(failures).toEqual([]);
    for (const i of [0, 1, 2]) expect(configOf(node(i)).text).toContain('cm_region: lab-east');
  }, 300_000);

  it('prints a status table', async () => {
    const r = await omsrun(['playbooks/status.yml', '-i', inventory(3)]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^node +ip +container +image +image id +8088 +8089 +health +programs$/m);
    for (const i of [0, 1, 2]) expect(r.out).toMatch(new RegExp(`^h${i + 1} +${node(i).ip.replaceAll('.', '\\.')} +running +oms-ce-standin:feature_4\\.2\\.0-ce +[0-9a-f]{12} +up +up +healthy +.*oms_console RUNNING`, 'm'));
    expect(r.out).toContain(`VIP ${parts.vip.ip}: 8088 up, 8089 up`);
  }, 120_000);

  it('scales out to a 4th node and tells every node', async () => {
    await setVipBackends(parts.lab.hosts.map((h) => h.ip), LAB.dir);
    const r = await omsrun(['playbooks/scale-out.yml', '-i', inventory(4)]);
    expect(r.code, r.out).toBe(0);
    expect((await inspect(node(3))).State.Running).toBe(true);
    const all = parts.lab.hosts.map((h) => ` - ${h.ip}\n`).join('');
    for (const i of [0, 1, 2, 3]) expect(configOf(node(i)).text).toContain(`cm_nodes:\n${all}`);
  }, 600_000);

  it('destroys keeping data, asks before reusing the databases, reports a failed init with its log and removes the data on request', async () => {
    let r = await omsrun(['playbooks/destroy.yml', '-i', inventory(4)]);
    expect(r.code, r.out).toBe(0);
    expect((await runOnHost(node(0), 'docker ps -aq --filter name=^/oms$')).stdout.trim()).toBe('');
    expect(configOf(node(0)).mode).toBe(0o600);

    r = await omsrun(['playbooks/deploy.yml', '-i', inventory(3)]);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('The databases omsdemo_rm, omsdemo_cm, omsdemo_cm_hb already exist in the MetaDB');
    expect((await runOnHost(node(0), 'docker ps -aq --filter name=^/oms$')).stdout.trim()).toBe('');

    await runOnHost(node(1), 'iptables -I OUTPUT -p tcp --dport 3306 -j REJECT');
    try {
      r = await omsrun(['playbooks/deploy.yml', '-i', inventory(3), '-e', 'oms_confirm_existing_db=true']);
    } finally {
      await runOnHost(node(1), 'iptables -D OUTPUT -p tcp --dport 3306 -j REJECT');
    }
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/failed: \[h2\][\s\S]*last 40 lines of \/home\/admin\/logs\/docker_init_\d+\.log/);
    expect(r.out).toMatch(/h1 +: .*failed=0/);
    expect(r.out).toMatch(/h3 +: .*failed=0/);
    expect(await get(`http://${node(2).ip}:8089/oms/health`)).toBe(200);

    r = await omsrun(['playbooks/destroy.yml', '-i', inventory(4), '-e', 'oms_remove_data=true']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('confirm with -e oms_confirm_destroy=oms');
    r = await omsrun(['playbooks/destroy.yml', '-i', inventory(4), '-e', 'oms_remove_data=true', '-e', 'oms_confirm_destroy=oms']);
    expect(r.code, r.out).toBe(0);
    for (const i of [0, 1, 2, 3]) expect(() => statSync(path.join(node(i).dir, 'data/oms'))).toThrow();
  }, 600_000);
});
