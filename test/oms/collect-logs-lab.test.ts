// collect-logs.yml on a 2-node lab: every node's logs, container state and masked config.yaml in one archive.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsLabDown, omsLabInventory, omsLabUp } from '../../scripts/demo.js';
import { stopMetaDb } from '../../scripts/lab/lab-metadb.js';
import { labEnabled, runOnHost, type LabHost } from '../lab/lab-helper.js';
import { labNode, omsrunIn, ROOT, type OmsLab } from './oms-lab-cli.js';

const LAB = { name: 'ologs', dir: '/var/tmp/omsrun-ologs/lab' };

let parts: OmsLab;
let work: string;
let inv: string;

// Runs omsrun from `work`, so oms-logs/ lands there.
const omsrun = (args: string[]) => omsrunIn(LAB.name, work, args, undefined, work);
const node = (i: number): LabHost => labNode(parts, i);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function onNode(h: LabHost, command: string): Promise<string> {
  const r = await runOnHost(h, command);
  expect(r.exitCode, `${command}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

// The collections under work/oms-logs, oldest first.
function collections(): string[] {
  const dir = path.join(work, 'oms-logs');
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.endsWith('.tar.gz')).sort() : [];
}

// Nothing of a collection may stay on a node: no staged archive or folder named after the node.
async function leftOnNodes(): Promise<string> {
  let left = '';
  for (const i of [0, 1]) left += await onNode(node(i), `find /tmp -maxdepth 2 \\( -name ${node(i).name}.tar.gz -o -name collect-notes.txt \\) 2>/dev/null; true`);
  return left;
}

describe.skipIf(!labEnabled())('collect-logs.yml on a lab', () => {
  beforeAll(async () => {
    mkdirSync(path.dirname(LAB.dir), { recursive: true });
    work = mkdtempSync(path.join(path.dirname(LAB.dir), 'work-'));
    parts = await omsLabUp({ ...LAB, hosts: 2, nodes: 2 });
    inv = path.join(work, 'inv.yml');
    writeFileSync(inv, omsLabInventory({ ...parts, nodes: 2 }));
  }, 900_000);

  afterAll(async () => {
    await omsLabDown(LAB.dir, LAB.name);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  // The documents allow one node first, with cm_url on the node's own address; scale-out then moves it to the VIP.
  it('deploys one node with cm_url on its own address, then scales out to two, moving cm_url to the VIP on both', async () => {
    const single = path.join(work, 'inv-single.yml');
    writeFileSync(single, omsLabInventory({ ...parts, nodes: 1, vars: { cm_url: `${node(0).ip}:8088` } }));
    const first = await omsrun([path.join(ROOT, 'playbooks/deploy.yml'), '-i', single]);
    expect(first.code, first.out).toBe(0);
    const one = await onNode(node(0), 'cat /data/oms/config.yaml');
    expect(one).toContain(`cm_url: http://${node(0).ip}:8088\n`);
    expect(one).toContain(`cm_nodes:\n - ${node(0).ip}\n`);
    const two = await omsrun([path.join(ROOT, 'playbooks/scale-out.yml'), '-i', inv]);
    expect(two.code, two.out).toBe(0);
    const texts = await Promise.all([0, 1].map((i) => onNode(node(i), 'cat /data/oms/config.yaml')));
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).toContain(`cm_url: http://${parts.vip.ip}:8088\n`);
    expect(texts[0]).toContain(`cm_nodes:\n - ${node(0).ip}\n - ${node(1).ip}\n`);
    const again = await omsrun([path.join(ROOT, 'playbooks/deploy.yml'), '-i', inv]);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/OK: 2 hosts, 0 changes/);
  }, 900_000);

  it('brings every node\'s logs, docker inspect, supervisorctl status and masked config.yaml into one archive, binary-safe', async () => {
    const sums: Record<string, Record<string, string>> = {};
    for (const i of [0, 1]) {
      const h = node(i);
      await onNode(h, "printf 'a\\000b\\377\\000' > /data/oms/oms_logs/supervisor/nul.log && head -c 1500000 /dev/urandom > /data/oms/oms_logs/supervisor/big.log");
      const lines = await onNode(h, 'cd /data/oms/oms_logs && sha256sum docker_init*.log supervisor/nul.log supervisor/big.log');
      sums[h.name] = Object.fromEntries(lines.trim().split('\n').map((l) => l.split(/\s+/).reverse() as [string, string]));
    }
    const t0 = performance.now();
    const r = await omsrun([path.join(ROOT, 'playbooks/collect-logs.yml'), '-i', inv]);
    console.log(`[collect-logs timings] 2 nodes in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain(parts.metadb.password);
    const [time] = collections();
    expect(time).toMatch(/^\d{8}-\d{6}$/);
    const archive = path.join(work, 'oms-logs', `${time}.tar.gz`);
    expect(r.out).toContain(`oms-logs/${time}.tar.gz`);
    const listed = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).split('\n');
    expect(readdirSync(path.join(work, 'oms-logs', time as string)).sort()).toEqual(['h1', 'h2']);
    for (const i of [0, 1]) {
      const h = node(i);
      const base = `${time}/${h.name}`;
      for (const f of ['docker-inspect.json', 'supervisorctl-status.txt', 'config.yaml', 'logs/supervisor/oms_console.log', 'logs/supervisor/nul.log', 'logs/supervisor/big.log']) {
        expect(listed, `${base}/${f}`).toContain(`${base}/${f}`);
      }
      const inits = Object.keys(sums[h.name] ?? {}).filter((f) => f.startsWith('docker_init'));
      expect(inits.length).toBeGreaterThan(0);
      for (const [file, want] of Object.entries(sums[h.name] ?? {})) {
        const local = path.join(work, 'oms-logs', base, 'logs', file);
        expect(sha(readFileSync(local)), local).toBe(want);
        expect(listed).toContain(`${base}/logs/${file}`);
      }
      const config = readFileSync(path.join(work, 'oms-logs', base, 'config.yaml'), 'utf8');
      expect(config).not.toContain(parts.metadb.password);
      expect(config).toMatch(/^oms_meta_password: \*{8}$/m);
      expect(config).toContain(`oms_meta_user: ${parts.metadb.user}`);
      const status = readFileSync(path.join(work, 'oms-logs', base, 'supervisorctl-status.txt'), 'utf8');
      expect(status).toMatch(/oms_console +RUNNING/);
      const inspect = JSON.parse(readFileSync(path.join(work, 'oms-logs', base, 'docker-inspect.json'), 'utf8')) as { State: { Running: boolean } }[];
      expect(inspect[0]?.State.Running).toBe(true);
    }
    const extracted = execFileSync('tar', ['-xzOf', archive, `${time}/h1/logs/supervisor/nul.log`]);
    expect(extracted).toEqual(Buffer.from([0x61, 0, 0x62, 0xff, 0]));
    expect(await leftOnNodes()).toBe('');
  }, 300_000);

  it('with the MetaDB down, a stopped container still yields its logs; a rerun makes a new folder and leaves nothing on the nodes', async () => {
    await stopMetaDb(LAB.dir);
    await onNode(node(1), 'docker stop -t 1 oms >/dev/null');
    const r = await omsrun([path.join(ROOT, 'playbooks/collect-logs.yml'), '-i', inv]);
    expect(r.code, r.out).toBe(0);
    const all = collections();
    expect(all.length).toBe(2);
    const time = all[1] as string;
    const base = path.join(work, 'oms-logs', time, 'h2');
    expect(readdirSync(path.join(base, 'logs')).some((f) => f.startsWith('docker_init'))).toBe(true);
    expect(readFileSync(path.join(base, 'supervisorctl-status.txt'), 'utf8')).toMatch(/not running|rc \d/);
    const inspect = JSON.parse(readFileSync(path.join(base, 'docker-inspect.json'), 'utf8')) as { State: { Running: boolean } }[];
    expect(inspect[0]?.State.Running).toBe(false);
    expect(readFileSync(path.join(base, 'config.yaml'), 'utf8')).not.toContain(parts.metadb.password);
    expect(existsSync(path.join(work, 'oms-logs', `${time}.tar.gz`))).toBe(true);
    expect(await leftOnNodes()).toBe('');
  }, 300_000);

  it('a removed container: its logs come from the host folder, and the notes say so', async () => {
    await onNode(node(1), 'docker rm -f oms >/dev/null');
    const r = await omsrun([path.join(ROOT, 'playbooks/collect-logs.yml'), '-i', inv]);
    expect(r.code, r.out).toBe(0);
    const base = path.join(work, 'oms-logs', collections()[2] as string, 'h2');
    expect(readdirSync(path.join(base, 'logs')).some((f) => f.startsWith('docker_init'))).toBe(true);
    expect(existsSync(path.join(base, 'logs/supervisor/nul.log'))).toBe(true);
    expect(existsSync(path.join(base, 'docker-inspect.json'))).toBe(false);
    expect(readFileSync(path.join(base, 'collect-notes.txt'), 'utf8')).toContain('no container oms: logs taken from /data/oms/oms_logs');
    expect(readFileSync(path.join(base, 'config.yaml'), 'utf8')).toMatch(/^oms_meta_password: \*{8}$/m);
    expect(await leftOnNodes()).toBe('');
  }, 300_000);
});
