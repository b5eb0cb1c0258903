// Whole-system lab hosts: Debian booted by systemd as PID 1 in the host's namespace, reached over SSH like any host.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRootfs } from '../../scripts/lab/lab-rootfs.js';
import { isAlive } from '../../scripts/lab/proc.js';
import { freeSideSubnet, labDown, labEnabled, labUp, runOnHost, sshRun, type Lab, type LabHost } from './lab-helper.js';

const NAME = 'syslab';

describe.skipIf(!labEnabled())('whole-system lab hosts', () => {
  let lab: Lab;
  let work = '';
  let dir = '';

  beforeAll(async () => {
    // A fixed folder per lab name: an earlier run killed midway left its overlays here, and labUp clears them.
    work = `/var/tmp/omsrun-${NAME}`;
    mkdirSync(work, { recursive: true });
    dir = join(work, 'lab');
    lab = await labUp({ hosts: 3, system: 2, name: NAME, dir, subnet: await freeSideSubnet() });
  }, 900_000);

  afterAll(async () => {
    if (!work) return;
    await labDown(dir, NAME);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  const systems = (): LabHost[] => lab.hosts.filter((h) => h.system);

  it('boots systemd as PID 1 and reports the system running over SSH', async () => {
    expect(systems().map((h) => h.name)).toEqual(['h2', 'h3']);
    for (const host of systems()) {
      const r = await sshRun(lab, host, 'root', 'systemctl is-system-running; ps -o comm= -p 1; systemctl is-active ssh; hostname');
      const [state, pid1, ssh, name] = r.stdout.trim().split('\n');
      expect(['running', 'degraded'], `${host.name}: ${r.stdout}${r.stderr}`).toContain(state);
      expect(pid1).toBe('systemd');
      expect(ssh).toBe('active');
      expect(name).toBe(host.name);
    }
  });

  it('keeps the plain host as it was (sshd in namespaces, no systemd of its own)', async () => {
    const plain = lab.hosts.find((h) => !h.system)!;
    const r = await sshRun(lab, plain, 'root', 'cat /proc/1/comm');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).not.toBe('systemd');
  });

  it('gives each host its own copy of the cached root: a write stays on that host', async () => {
    const [a, b] = systems() as [LabHost, LabHost];
    expect((await sshRun(lab, a, 'root', 'echo only-here > /etc/omsrun-syslab')).code).toBe(0);
    expect((await sshRun(lab, a, 'root', 'cat /etc/omsrun-syslab')).stdout).toBe('only-here\n');
    expect((await sshRun(lab, b, 'root', 'test -e /etc/omsrun-syslab')).code).toBe(1);
    expect(existsSync(join(await ensureRootfs(), 'etc/omsrun-syslab'))).toBe(false);
  });

  it('serves the lab package repository to apt, both versions of omsrun-hello', async () => {
    const host = systems()[0]!;
    const r = await sshRun(lab, host, 'root', 'apt-get update -q >/dev/null && apt-cache madison omsrun-hello');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/omsrun-hello \| +1\.1 \| file:\/srv\/omsrun-repo/);
    expect(r.stdout).toMatch(/omsrun-hello \| +1\.0 \|/);
  });

  it('lets the tester user log in with the lab key and become root with its password', async () => {
    const host = systems()[1]!;
    const r = await sshRun(lab, host, 'tester', `echo ${lab.tester.password} | sudo -S -p '' id -un`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('root');
  });

  it('runs commands in the host without SSH (runOnHost joins its namespaces)', async () => {
    const r = await runOnHost(systems()[0]!, 'systemctl show -p Virtualization --value');
    expect(r.stdout.trim()).toBe('systemd-nspawn');
  });

  it('tears down twice in a row and leaves no mount, namespace, cgroup or process', async () => {
    const hosts = systems();
    await labDown(dir, NAME);
    await labDown(dir, NAME);
    const mounts = readFileSync('/proc/mounts', 'utf8');
    expect(mounts).not.toContain(dir);
    const netns = (await $({ quiet: true })`ip netns list`).stdout;
    expect(netns).not.toContain(`${NAME}-h`);
    for (const h of hosts) {
      expect(isAlive(h.pids.nspawn) || isAlive(h.pids.keeper)).toBe(false);
      expect(existsSync(`/sys/fs/cgroup/systemd/${h.cgroupParent}`)).toBe(false);
    }
  }, 120_000);
});
