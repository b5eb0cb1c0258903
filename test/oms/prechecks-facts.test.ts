// The memory and disk prechecks of playbooks/oms/prechecks.yml read the host's facts: warnings, or a stop when strict.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { evaluate } from '../../src/template/expr.js';
import { omsrun } from '../cli/cli-helper.js';
import { freeSideSubnet, labDown, labEnabled, labUp, runOnHost, type Lab } from '../lab/lab-helper.js';
import { labInventory } from '../lab/side-lab.js';

const NAME = 'mypre';
const ROOT = '/var/tmp/omsrun-mypre';
const PRECHECKS = path.resolve(import.meta.dirname, '../../playbooks/oms/prechecks.yml');

describe('the mount holding the mount root', () => {
  const tasks = parse(readFileSync(PRECHECKS, 'utf8')) as { set_fact?: Record<string, string> }[];
  const expr = tasks.find((t) => t.set_fact?.oms_disk_mounts)!.set_fact!.oms_disk_mounts!;
  const mounts = ['/', '/dat', '/data', '/data/o', '/data/oms2', '/data/oms/x', '/srv'].map((mount) => ({ mount, size_available: mount.length }));
  const holder = (root: string): unknown => (evaluate(expr, { ansible_mounts: mounts, oms: { mount_root: root } }) as { mount: string }[]).map((m) => m.mount);

  it('is the longest mount point that is the root or one of its parents', () => {
    expect(holder('/data/oms')).toEqual(['/', '/data']);
    expect(holder('/data/oms/x')).toEqual(['/', '/data', '/data/oms/x']);
    expect(holder('/data/oms/x/y/')).toEqual(['/', '/data', '/data/oms/x']);
    expect(holder('/srv')).toEqual(['/', '/srv']);
    expect(holder('/opt/oms')).toEqual(['/']);
  });

  it('is no reason to stop when no mount holds it (a root file system that is no device, such as a container overlay)', () => {
    const low = tasks.find((t) => t.set_fact?.oms_disk_low)!.set_fact!.oms_disk_low!;
    const oms = { warn_disk_gb: 50 };
    expect(evaluate(low, { oms_disk_mounts: [], oms })).toBe(false);
    expect(evaluate(low, { oms_disk_mounts: [{ size_available: 10 * 1073741824 }, { size_available: 60 * 1073741824 }], oms })).toBe(false);
    expect(evaluate(low, { oms_disk_mounts: [{ size_available: 60 * 1073741824 }, { size_available: 10 * 1073741824 }], oms })).toBe(true);
  });
});

describe.skipIf(!labEnabled())('OMS prechecks from host facts', () => {
  let lab: Lab;
  let work = '';
  let memoryGb = '';

  beforeAll(async () => {
    lab = await labUp({ hosts: 1, docker: 1, name: NAME, dir: path.join(ROOT, 'lab'), subnet: await freeSideSubnet() });
    work = mkdtempSync(path.join(ROOT, 'work-'));
    writeFileSync(path.join(work, 'hosts.yml'), labInventory(lab));
    const kb = Number((await runOnHost(lab.hosts[0]!, "awk '/^MemTotal:/ {print $2}' /proc/meminfo")).stdout.trim());
    memoryGb = String(Math.round((Math.floor(kb / 1024) / 1024) * 10) / 10);
  }, 300_000);

  afterAll(async () => {
    if (!work) return;
    await labDown(path.join(ROOT, 'lab'), NAME);
    rmSync(ROOT, { recursive: true, force: true });
  }, 120_000);

  // The prechecks as deploy.yml runs them, with the settings they read given directly.
  async function prechecks(o: { memory: number; disk: number; strict: boolean; mountRoot?: string }) {
    const oms = {
      mount_root: o.mountRoot ?? '/data/oms', warn_memory_gb: o.memory, warn_disk_gb: o.disk, strict_prechecks: o.strict,
      container_name: 'oms', config: { tsdb_enabled: false },
    };
    const play = [{ name: 'prechecks', hosts: 'all', vars: { oms, oms_node_state: 'running' }, tasks: [{ include_tasks: PRECHECKS }] }];
    writeFileSync(path.join(work, 'site.yml'), stringify(play));
    return omsrun(['site.yml', '-i', 'hosts.yml'], { cwd: work });
  }

  it('warns about little memory and disk, from ansible_memtotal_mb and the mount holding the mount root', async () => {
    const r = await prechecks({ memory: 100000, disk: 100000, strict: false });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`WARNING: h1 has ${memoryGb} GB of memory (OMS wants 100000 GB)`);
    expect(r.stdout).toMatch(/WARNING: h1 has \d+(\.\d)? GB free under \/data\/oms \(OMS wants 100000 GB\)/);
  });

  it('stops with both numbers when strict, and says nothing when there is enough', async () => {
    const strict = await prechecks({ memory: 100000, disk: 100000, strict: true });
    expect(strict.code, strict.stdout).toBe(2);
    expect(strict.stdout).toMatch(new RegExp(`h1 has ${memoryGb.replace('.', '\\.')} GB of memory \\(OMS wants 100000 GB\\) and \\d+(\\.\\d)? GB free under /data/oms \\(OMS wants 100000 GB\\)`));
    const enough = await prechecks({ memory: 1, disk: 1, strict: true });
    expect(enough.code, enough.stdout).toBe(0);
    expect(enough.stdout).not.toContain('WARNING: h1');
    expect(enough.stdout).toMatch(/h1 +: ok=3 +changed=0 +failed=0 +skipped=9/);
  });

  it('reads the free space of a mount root that does not exist yet from the mount above it', async () => {
    // /data is its own mount on a lab host (a bind mount of the host's folder).
    const avail = Number((await runOnHost(lab.hosts[0]!, 'df -P -B1 /data | awk \'NR==2 {print $4}\'')).stdout.trim());
    const gb = Math.round((avail / 1073741824) * 10) / 10;
    const r = await prechecks({ memory: 1, disk: Math.ceil(gb) + 1000, strict: false, mountRoot: '/data/not/there/yet' });
    const seen = /has (\d+(?:\.\d)?) GB free under \/data\/not\/there\/yet/.exec(r.stdout);
    expect(seen, r.stdout).not.toBeNull();
    // Others write to this disk meanwhile: the two readings are seconds apart.
    expect(Math.abs(Number(seen![1]) - gb)).toBeLessThan(2);
  });
});
