// playbooks/examples/collect-logs.yml on two whole-system lab hosts: every log arrives byte for byte, a rerun changes nothing.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsrun } from '../cli/cli-helper.js';
import { freeSideSubnet, labDown, labEnabled, labUp, sshRun, type Lab, type LabHost } from '../lab/lab-helper.js';
import { labInventory } from '../lab/side-lab.js';

const NAME = 'mylogs';
const ROOT = '/var/tmp/omsrun-mylogs';
const PLAYBOOK = path.resolve(import.meta.dirname, '../../playbooks/examples/collect-logs.yml');

interface Recap {
  kind: string;
  stats?: Record<string, { ok: number; changed: number; failed: number }>;
}

describe.skipIf(!labEnabled())('collect-logs example on whole-system hosts', () => {
  let lab: Lab;
  let work = '';
  /** Per host: path on the node → bytes put there. */
  const planted = new Map<string, Map<string, Buffer>>();

  async function onNode(h: LabHost, command: string, input?: string): Promise<string> {
    const r = await sshRun(lab, h, 'root', command, input);
    expect(r.code, `${command}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }

  beforeAll(async () => {
    mkdirSync(ROOT, { recursive: true });
    lab = await labUp({ hosts: 2, system: 2, name: NAME, dir: path.join(ROOT, 'lab'), subnet: await freeSideSubnet() });
    work = mkdtempSync(path.join(ROOT, 'work-'));
    writeFileSync(path.join(work, 'hosts.yml'), labInventory(lab));
    for (const h of lab.hosts) {
      const files = new Map<string, Buffer>([
        ['/data/oms/oms_logs/docker_init_20261130.log', Buffer.from(`【开始】init on ${h.name}\n【结束】全部初始化步骤执行成功\n`)],
        ['/data/oms/oms_logs/supervisor/oms_console.log', randomBytes(300_000)],
        ['/data/oms/oms_logs/ghana/Ghana/common default.log', Buffer.from(`console log of ${h.name}, a name with a space\n`)],
        ['/data/oms/oms_logs/cm/log/cm-web.log', Buffer.from(`cm on ${h.name}\n`.repeat(1000))],
      ]);
      planted.set(h.name, files);
      for (const [file, body] of files) {
        await onNode(h, `mkdir -p "$(dirname '${file}')" && base64 -d > '${file}'`, body.toString('base64'));
      }
      // Too old to collect (collect_days: 7), and a folder the playbook does not list.
      await onNode(h, "touch -d '30 days ago' /data/oms/oms_logs/docker_init_20260101.log && mkdir -p /data/oms/other && echo x > /data/oms/other/x.log");
    }
  }, 900_000);

  afterAll(async () => {
    if (!work) return;
    await labDown(path.join(ROOT, 'lab'), NAME);
    rmSync(ROOT, { recursive: true, force: true });
  }, 120_000);

  const run = async (extra: string[]) => {
    const r = await omsrun([PLAYBOOK, '-i', 'hosts.yml', '--json', ...extra], { cwd: work });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const recap = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Recap).find((e) => e.kind === 'recap');
    return recap!.stats!;
  };
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

  it('passes the syntax check', async () => {
    const r = await omsrun([PLAYBOOK, '-i', 'hosts.yml', '--syntax-check'], { cwd: work });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('syntax OK (1 play)');
  });

  it('check mode lists what it would fetch and writes nothing on the controller or the nodes', async () => {
    const stats = await run(['--check']);
    for (const h of lab.hosts) expect(stats[h.name]).toMatchObject({ failed: 0 });
    expect(existsSync(path.join(work, 'collected'))).toBe(false);
    expect(await onNode(lab.hosts[0]!, 'test -e /var/tmp/omsrun-collect && echo there || echo none')).toBe('none\n');
  }, 120_000);

  it('brings every log back byte for byte, then a second run changes nothing', async () => {
    const first = await run([]);
    for (const h of lab.hosts) expect(first[h.name]!.changed, h.name).toBeGreaterThan(1);
    for (const h of lab.hosts) {
      const base = path.join(work, 'collected', h.name);
      for (const [file, body] of planted.get(h.name)!) {
        expect(sha(readFileSync(path.join(base, file))), file).toBe(sha(body));
      }
      expect(existsSync(path.join(base, 'data/oms/oms_logs/docker_init_20260101.log'))).toBe(false);
      expect(existsSync(path.join(base, 'data/oms/other'))).toBe(false);
      const journal = readFileSync(path.join(base, 'var/tmp/omsrun-collect/journal-docker.log'), 'utf8');
      expect(journal).toBe(await onNode(h, 'cat /var/tmp/omsrun-collect/journal-docker.log'));
    }
    const second = await run([]);
    for (const h of lab.hosts) expect(second[h.name]).toMatchObject({ changed: 0, failed: 0 });
  }, 300_000);

  it('fetches again only the file that changed on a node', async () => {
    const h = lab.hosts[1]!;
    await onNode(h, "echo 'one more line' >> /data/oms/oms_logs/cm/log/cm-web.log");
    const stats = await run([]);
    expect(stats[lab.hosts[0]!.name]).toMatchObject({ changed: 0 });
    expect(stats[h.name]).toMatchObject({ changed: 1 });
    const local = readFileSync(path.join(work, 'collected', h.name, 'data/oms/oms_logs/cm/log/cm-web.log'), 'utf8');
    expect(local.endsWith('one more line\n')).toBe(true);
  }, 300_000);
});
