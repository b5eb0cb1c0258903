// apt, package, systemd and service on a whole Debian system of the lab (systemd as PID 1, the lab's own packages).
import { beforeAll, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { aptModule } from '../../src/modules/apt.js';
import { packageModule } from '../../src/modules/package.js';
import { serviceModule } from '../../src/modules/service.js';
import { systemdModule } from '../../src/modules/systemd.js';
import { omsrun } from '../cli/cli-helper.js';
import { labEnabled, type Lab, type LabHost } from '../lab/lab-helper.js';
import { hostRunner, useSystemHostLab } from '../lab/lab-connection.js';
import { labInventory, writeFiles } from '../lab/side-lab.js';

const NAME = 'sysmod';

describe.skipIf(!labEnabled())('system modules on a whole-system lab host', () => {
  let lab: Lab;
  let host: LabHost;
  let tester: SshConnection;
  let work = '';

  const side = useSystemHostLab(NAME);
  beforeAll(() => {
    ({ lab, host, tester, work } = side);
  });

  const { run, sh } = hostRunner(side);

  describe('apt', () => {
    it('updates the lists once, then finds them fresh (cache_valid_time)', async () => {
      const first = await run(aptModule, { update_cache: true, cache_valid_time: 3600 });
      expect(first, first.msg).toMatchObject({ changed: true });
      const again = await run(aptModule, { update_cache: true, cache_valid_time: 3600 });
      expect(again).toMatchObject({ changed: false });
    });

    it('installs a pinned version, then changes nothing the second time', async () => {
      const first = await run(aptModule, { name: 'omsrun-hello=1.0' });
      expect(first, first.msg).toMatchObject({ changed: true, msg: 'installed omsrun-hello 1.0' });
      expect(await sh('omsrun-hello')).toBe('omsrun-hello 1.0');
      expect(await run(aptModule, { name: 'omsrun-hello=1.0' })).toMatchObject({ changed: false });
      expect(await run(aptModule, { name: 'omsrun-hello' })).toMatchObject({ changed: false });
    });

    it('upgrades with latest (check mode first changes nothing), then latest is a no-op', async () => {
      const checked = await run(aptModule, { name: 'omsrun-hello', state: 'latest' }, { checkMode: true });
      expect(checked).toMatchObject({ changed: true, msg: 'upgrade omsrun-hello 1.0 -> 1.1' });
      expect(await sh("dpkg-query -W -f='${Version}' omsrun-hello")).toBe('1.0');
      const up = await run(aptModule, { name: 'omsrun-hello', state: 'latest' });
      expect(up, up.msg).toMatchObject({ changed: true, msg: 'upgraded omsrun-hello 1.1' });
      expect(await sh('omsrun-hello')).toBe('omsrun-hello 1.1');
      expect(await run(aptModule, { name: 'omsrun-hello', state: 'latest' })).toMatchObject({ changed: false });
    });

    it('installs only what is missing from a list, and removes', async () => {
      const list = await run(aptModule, { name: ['omsrun-hello', 'omsrun-extra'] });
      expect(list).toMatchObject({ changed: true, msg: 'installed omsrun-extra 1.0' });
      const gone = await run(aptModule, { name: 'omsrun-extra', state: 'absent' });
      expect(gone).toMatchObject({ changed: true, msg: 'removed omsrun-extra' });
      expect(await sh('test -e /usr/share/omsrun-extra/README && echo there || echo gone')).toBe('gone');
      expect(await run(aptModule, { name: 'omsrun-extra', state: 'absent' })).toMatchObject({ changed: false });
    });

    it('installs a .deb file from the host (deb:), once', async () => {
      const deb = '/srv/omsrun-repo/omsrun-extra_1.0_all.deb';
      expect(await run(aptModule, { deb })).toMatchObject({ changed: true, msg: 'installed omsrun-extra 1.0' });
      expect(await run(aptModule, { deb })).toMatchObject({ changed: false });
      expect(await run(aptModule, { name: 'omsrun-extra', state: 'absent' })).toMatchObject({ changed: true });
    });

    it('fails a package its scripts leave half-configured, and a rerun does not call it ok', async () => {
      const first = await run(aptModule, { name: 'omsrun-broken' });
      expect(first.failed, first.msg).toBe(true);
      expect(first.msg).toContain('omsrun-broken is left half-configured (1.0)');
      expect(first.msg).toContain('configuration failed on purpose');
      const again = await run(aptModule, { name: 'omsrun-broken' });
      expect(again.failed, again.msg).toBe(true);
      expect(again.msg).toContain('half-configured');
      expect(await run(aptModule, { name: 'omsrun-broken', state: 'absent' })).toMatchObject({ changed: true });
    });

    it("waits for apt's lock held by another dpkg, and says so when lock_timeout is up", async () => {
      await sh('rm -f /run/omsrun-slow.started; (setsid dpkg -i /srv/omsrun-repo/omsrun-slow_1.0_all.deb >/tmp/slow.log 2>&1 &)');
      await sh('i=0; while [ ! -e /run/omsrun-slow.started ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done');
      const impatient = await run(aptModule, { name: 'omsrun-extra', lock_timeout: 0 });
      expect(impatient.failed, impatient.msg).toBe(true);
      expect(impatient.msg).toMatch(/lock/);
      expect(impatient.msg).toContain('raise lock_timeout');
      const patient = await run(aptModule, { name: 'omsrun-extra', lock_timeout: 60 });
      expect(patient, patient.msg).toMatchObject({ changed: true, msg: 'installed omsrun-extra 1.0' });
      expect(await sh("dpkg-query -W -f='${db:Status-Abbrev}' omsrun-slow")).toBe('ii');
      await run(aptModule, { name: ['omsrun-extra', 'omsrun-slow'], state: 'absent' });
    });

    it('package picks apt on this host', async () => {
      expect(await run(packageModule, { name: 'omsrun-extra' })).toMatchObject({ changed: true, msg: 'installed omsrun-extra 1.0' });
      expect(await run(packageModule, { name: 'omsrun-extra' })).toMatchObject({ changed: false });
      expect(await run(packageModule, { name: 'omsrun-extra', state: 'absent' })).toMatchObject({ changed: true });
    });

    it('works through sudo for a user with a password (become)', async () => {
      const become = { user: 'root', password: lab.tester.password };
      const out = await run(aptModule, { name: 'omsrun-extra', update_cache: true, lock_timeout: 5 }, { conn: tester, become });
      expect(out, out.msg).toMatchObject({ changed: true });
      expect(await run(aptModule, { name: 'omsrun-extra', state: 'absent' }, { conn: tester, become })).toMatchObject({ changed: true });
      const denied = await run(aptModule, { name: 'omsrun-extra' }, { conn: tester });
      expect(denied.failed).toBe(true);
      expect(denied.msg).toContain('apt needs root: run the task with become: true');
    });
  });

  describe('systemd and service', () => {
    const active = (): Promise<string> => sh('systemctl is-active omsrun-hello; true');
    const enabled = (): Promise<string> => sh('systemctl is-enabled omsrun-hello; true');

    it('enables and starts the service, then changes nothing', async () => {
      const checked = await run(systemdModule, { name: 'omsrun-hello', state: 'started', enabled: true }, { checkMode: true });
      expect(checked).toMatchObject({ changed: true, msg: 'enable, start omsrun-hello' });
      expect(await active()).toBe('inactive');
      const first = await run(systemdModule, { name: 'omsrun-hello', state: 'started', enabled: true });
      expect(first, first.msg).toMatchObject({ changed: true, data: { state: 'started', enabled: true } });
      expect(await active()).toBe('active');
      expect(await enabled()).toBe('enabled');
      expect(await run(systemdModule, { name: 'omsrun-hello', state: 'started', enabled: true })).toMatchObject({ changed: false });
      expect(await run(serviceModule, { name: 'omsrun-hello', state: 'started' })).toMatchObject({ changed: false, data: { manager: 'systemd' } });
    });

    it('reloads and restarts (always a change), stops once', async () => {
      const pid = await sh('systemctl show -p MainPID --value omsrun-hello');
      expect(await run(systemdModule, { name: 'omsrun-hello', state: 'reloaded' })).toMatchObject({ changed: true, msg: 'reload omsrun-hello' });
      // The count is written by the service's signal handler, a moment after systemctl returns.
      expect(await sh('i=0; while [ "$(cat /run/omsrun-hello.reloads)" = 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; cat /run/omsrun-hello.reloads')).toBe('1');
      expect(await run(serviceModule, { name: 'omsrun-hello', state: 'restarted' })).toMatchObject({ changed: true, msg: 'restart omsrun-hello' });
      expect(await sh('systemctl show -p MainPID --value omsrun-hello')).not.toBe(pid);
      expect(await run(systemdModule, { name: 'omsrun-hello', state: 'stopped' })).toMatchObject({ changed: true, msg: 'stop omsrun-hello' });
      expect(await active()).toBe('inactive');
      expect(await run(systemdModule, { name: 'omsrun-hello', state: 'stopped' })).toMatchObject({ changed: false });
    });

    it('reloads unit files only when the unit changed on disk', async () => {
      await sh("sed -i 's/^Description=.*/Description=changed/' /lib/systemd/system/omsrun-hello.service");
      const first = await run(systemdModule, { name: 'omsrun-hello', daemon_reload: true });
      expect(first).toMatchObject({ changed: true, msg: 'daemon-reload omsrun-hello' });
      expect(await sh('systemctl show -p Description --value omsrun-hello')).toBe('changed');
      expect(await run(systemdModule, { name: 'omsrun-hello', daemon_reload: true })).toMatchObject({ changed: false });
    });

    it('masks: a masked unit does not start, and the failure shows its status', async () => {
      expect(await run(systemdModule, { name: 'omsrun-hello', masked: true })).toMatchObject({ changed: true, msg: 'mask omsrun-hello' });
      expect(await enabled()).toBe('masked');
      expect(await run(systemdModule, { name: 'omsrun-hello', masked: true })).toMatchObject({ changed: false });
      const start = await run(systemdModule, { name: 'omsrun-hello', state: 'started' });
      expect(start.failed).toBe(true);
      expect(start.msg).toContain('systemctl start -- omsrun-hello failed (rc 1)');
      expect(start.msg).toContain('status of omsrun-hello:');
      expect(start.msg).toContain('masked');
      expect(await run(systemdModule, { name: 'omsrun-hello', masked: false, state: 'started' })).toMatchObject({ changed: true, msg: 'unmask, start omsrun-hello' });
      expect(await active()).toBe('active');
    });

    it('names an unknown service in its failure', async () => {
      const out = await run(serviceModule, { name: 'no-such-thing', state: 'started' });
      expect(out).toMatchObject({ failed: true, msg: `${host.name} has no service no-such-thing (systemd does not know it); install its package first or check the name` });
    });

    it('works through sudo (become) and disables', async () => {
      const become = { user: 'root', password: lab.tester.password };
      const out = await run(systemdModule, { name: 'omsrun-hello', state: 'stopped', enabled: false }, { conn: tester, become });
      expect(out, out.msg).toMatchObject({ changed: true, msg: 'disable, stop omsrun-hello' });
      expect(await enabled()).toBe('disabled');
      expect(await active()).toBe('inactive');
    });
  });

  describe('a playbook written as for Ansible', () => {
    const PLAYBOOK = `- name: hello service
  hosts: all
  become: true
  tasks:
    - name: package lists
      apt:
        update_cache: true
        cache_valid_time: 3600
    - name: hello and extra at their newest
      apt:
        name: [omsrun-hello, omsrun-extra]
        state: latest
    - name: extra through the generic module
      package:
        name: omsrun-extra
        state: present
    - name: unit files read again
      systemd:
        daemon_reload: true
    - name: hello enabled and running
      service:
        name: omsrun-hello
        state: started
        enabled: true
    - name: hello seen by systemd
      systemd:
        name: omsrun-hello.service
        state: started
`;

    it('converges (check mode first changes nothing), then a second run changes nothing', async () => {
      await sh('systemctl stop omsrun-hello; systemctl disable omsrun-hello; apt-get remove -y -q omsrun-extra >/dev/null 2>&1; true');
      const dir = writeFiles({ lab, work }, { 'site.yml': PLAYBOOK, 'hosts.yml': labInventory(lab, {}, { ansible_user: lab.tester.user, ansible_become_password: lab.tester.password }) });
      const checked = await omsrun(['site.yml', '-i', 'hosts.yml', '--check'], { cwd: dir });
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
      expect(checked.stdout).toMatch(/h1 +: ok=6 +changed=4 +failed=0/);
      expect(await sh('systemctl is-active omsrun-hello; dpkg-query -W omsrun-extra >/dev/null 2>&1 && echo extra || echo no-extra')).toBe('inactive\nno-extra');
      const first = await omsrun(['site.yml', '-i', 'hosts.yml'], { cwd: dir });
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toMatch(/h1 +: ok=6 +changed=2 +failed=0/);
      expect(await sh('systemctl is-active omsrun-hello; systemctl is-enabled omsrun-hello')).toBe('active\nenabled');
      const second = await omsrun(['site.yml', '-i', 'hosts.yml'], { cwd: dir });
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(second.stdout).toMatch(/h1 +: ok=6 +changed=0 +failed=0/);
      expect(`${first.stdout}${second.stdout}${first.stderr}`).not.toContain(lab.tester.password);
    }, 120_000);
  });
});
