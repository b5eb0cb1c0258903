// package_facts, apt_repository, yum_repository, mount, wait_for_connection, reboot and modprobe on a whole-system lab host.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { packageFactsModule } from '../../src/modules/package-facts.js';
import type { Module, ModuleContext, ModuleOutcome } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { omsrun } from '../cli/cli-helper.js';
import { makeContext } from '../helpers/module-context.js';
import { freeSideSubnet, labDown, labEnabled, labUp, type Lab, type LabHost } from '../lab/lab-helper.js';
import { labInventory, writeFiles } from '../lab/side-lab.js';

const NAME = 'sosys';

describe.skipIf(!labEnabled())('system administration modules on a whole-system lab host', () => {
  let lab: Lab;
  let host: LabHost;
  let root: SshConnection;
  let work = '';

  const connect = (user: string): SshConnection => new SshConnection({
    host: host.name, address: host.ip, port: 22, user, privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict',
    knownHostsFile: lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000,
  });

  beforeAll(async () => {
    work = `/var/tmp/omsrun-${NAME}`;
    mkdirSync(work, { recursive: true });
    lab = await labUp({ hosts: 1, system: 1, name: NAME, dir: join(work, 'lab'), subnet: await freeSideSubnet() });
    host = lab.hosts[0]!;
    root = connect('root');
    await root.connect();
  }, 900_000);

  afterAll(async () => {
    await root?.close();
    if (!work) return;
    await labDown(join(work, 'lab'), NAME);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  const ctx = (over: Partial<ModuleContext> = {}): ModuleContext => makeContext({ conn: root, host: host.name, timeoutMs: 45_000, ...over });
  const run = (m: Module, args: unknown, over: Partial<ModuleContext> = {}): Promise<ModuleOutcome> => runModule(m, args, ctx(over));
  const sh = async (script: string): Promise<string> => {
    const r = await root.exec(['sh', '-c', script]);
    return `${r.stdout}${r.stderr}`.trim();
  };
  const playbook = async (files: Record<string, string>, args: string[] = []) => {
    const dir = writeFiles({ lab, work }, { ...files, 'hosts.yml': labInventory(lab) });
    return omsrun(['site.yml', '-i', 'hosts.yml', ...args], { cwd: dir });
  };

  describe('package_facts', () => {
    it('lists what dpkg has installed, as Ansible does', async () => {
      const out = await run(packageFactsModule, {});
      expect(out, out.msg).toMatchObject({ changed: false, data: { managers: ['apt'] } });
      const packages = (out.data?.['ansible_facts'] as { packages: Record<string, unknown[]> }).packages;
      const version = await sh("dpkg-query -W -f='${Version}' openssh-server");
      const arch = await sh("dpkg-query -W -f='${Architecture}' openssh-server");
      expect(packages['openssh-server']).toEqual([{ name: 'openssh-server', version, arch, source: 'apt' }]);
      expect(packages['omsrun-hello']).toBeUndefined();
      const none = await run(packageFactsModule, { manager: 'rpm' });
      expect(none).toMatchObject({ failed: true, msg: `none of the package managers asked for (rpm) is on ${host.name}: it has no rpm` });
    });

    it('sets ansible_facts.packages for later tasks of a playbook', async () => {
      const site = [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - package_facts: { manager: auto }',
        '    - assert:',
        '        that:',
        "          - ansible_facts.packages['openssh-server'][0].source == 'apt'",
        "          - \"'omsrun-hello' not in ansible_facts.packages\"",
        '    - debug: { msg: "sshd {{ ansible_facts.packages[\'openssh-server\'][0].arch }}" }',
        '- hosts: all',
        '  tasks:',
        '    - debug: { msg: "os {{ ansible_facts.os_family }} packages {{ ansible_facts.packages | length > 50 }}" }',
        '',
      ].join('\n');
      const r = await playbook({ 'site.yml': site });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/sshd (amd64|arm64)/);
      expect(r.stdout).toContain('os Debian packages true');
    }, 60_000);
  });
});
