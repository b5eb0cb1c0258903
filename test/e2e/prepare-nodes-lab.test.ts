// playbooks/examples/prepare-nodes.yml on two whole Debian systems of the lab: run twice, the second run changes nothing.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostStats } from '../../src/core/result.js';
import { omsrun } from '../cli/cli-helper.js';
import { labConnection, shellOn, useSystemLab } from '../lab/lab-connection.js';
import { labEnabled, type Lab, type LabHost } from '../lab/lab-helper.js';

const NAME = 'saprep';
const PLAYBOOK = resolve(import.meta.dirname, '../../playbooks/examples/prepare-nodes.yml');
const PUBKEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDzhOqVpZbjKyDrGMo+4M2J/9tCV4E6cXG6S3TrSCQGl ops@example.com';
// The lab's hosts have the lab's packages only, and a container may set net.* keys, not vm.max_map_count.
const LAB_VARS = ['-e', 'docker_packages=omsrun-hello', '-e', 'docker_service=omsrun-hello', '-e', 'sysctl_name=net.core.somaxconn', '-e', 'sysctl_value=1024'];

describe.skipIf(!labEnabled())('the prepare-nodes example on two whole-system lab hosts', () => {
  let lab: Lab;
  let work = '';

  const side = useSystemLab(NAME, 2);
  beforeAll(() => {
    ({ lab, work } = side);
    const hosts = Object.fromEntries(lab.hosts.map((h) => [h.name, { ansible_host: h.ip }]));
    const vars = { ansible_user: 'root', ansible_ssh_private_key_file: lab.keyFile, ansible_ssh_known_hosts_file: lab.knownHosts, admin_pubkey: PUBKEY };
    writeFileSync(join(work, 'hosts.yml'), stringify({ all: { vars, children: { oms: { hosts } } } }));
  });

  const run = async (...extra: string[]): Promise<Record<string, HostStats>> => {
    const out = await omsrun([PLAYBOOK, '-i', 'hosts.yml', ...LAB_VARS, '--json', ...extra], { cwd: work, isolate: false });
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const events = out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; stats?: Record<string, HostStats> });
    return events.find((e) => e.kind === 'recap')!.stats!;
  };
  // What a host says to a shell command, over a connection of the test's own.
  const on = async (h: LabHost, script: string): Promise<string> => {
    const conn = labConnection(lab, h);
    await conn.connect();
    try {
      return await shellOn(conn, script);
    } finally {
      await conn.close();
    }
  };

  it('passes the syntax check with its own inventory', async () => {
    const out = await omsrun([PLAYBOOK, '-i', resolve(import.meta.dirname, '../../playbooks/examples/inventory.yml'), '--syntax-check'], { cwd: work, isolate: false });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('syntax OK (1 play)');
  });

  it('prepares both nodes, then a second run changes nothing', async () => {
    const first = await run();
    for (const h of lab.hosts) expect(first[h.name], h.name).toMatchObject({ ok: 7, changed: 7, failed: 0, unreachable: 0 });
    const second = await run();
    for (const h of lab.hosts) expect(second[h.name], h.name).toMatchObject({ ok: 7, changed: 0, failed: 0, unreachable: 0 });
    const [h1, h2] = lab.hosts as [LabHost, LabHost];
    for (const h of lab.hosts) {
      expect(await on(h, 'id -nG omsadmin; getent passwd omsadmin | cut -d: -f7'), h.name).toBe('omsadmin sudo docker\n/bin/bash');
      expect(await on(h, 'cat ~omsadmin/.ssh/authorized_keys; stat -c %U:%a ~omsadmin/.ssh/authorized_keys'), h.name).toBe(`${PUBKEY}\nomsadmin:600`);
      expect(await on(h, 'sysctl -n net.core.somaxconn; cat /etc/sysctl.d/90-oms.conf'), h.name).toBe('1024\nnet.core.somaxconn=1024');
      expect(await on(h, `grep -E ' (${h1.name}|${h2.name})$' /etc/hosts | sort -k2`), h.name).toBe(`${h1.ip} ${h1.name}\n${h2.ip} ${h2.name}`);
      expect(await on(h, 'systemctl is-active omsrun-hello; systemctl is-enabled omsrun-hello'), h.name).toBe('active\nenabled');
    }
  }, 300_000);
});
