// package_facts, apt_repository, yum_repository, mount, wait_for_connection, reboot and modprobe on a whole-system lab host.
import { beforeAll, describe, expect, it } from 'vitest';
import { aptModule } from '../../src/modules/apt.js';
import { aptRepositoryModule } from '../../src/modules/apt-repository.js';
import { modprobeModule } from '../../src/modules/modprobe.js';
import { mountModule } from '../../src/modules/mount.js';
import { packageFactsModule } from '../../src/modules/package-facts.js';
import { rebootModule } from '../../src/modules/reboot.js';
import { waitForConnectionModule } from '../../src/modules/wait-for-connection.js';
import { yumRepositoryModule } from '../../src/modules/yum-repository.js';
import { omsrun } from '../cli/cli-helper.js';
import { labEnabled, type Lab, type LabHost } from '../lab/lab-helper.js';
import { hostRunner, useSystemHostLab } from '../lab/lab-connection.js';
import { labInventory, writeFiles } from '../lab/side-lab.js';

const NAME = 'sosys';

describe.skipIf(!labEnabled())('system administration modules on a whole-system lab host', () => {
  let lab: Lab;
  let host: LabHost;
  let work = '';

  const side = useSystemHostLab(NAME);
  beforeAll(() => {
    ({ lab, host, work } = side);
  });

  const { run, sh } = hostRunner(side);
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

  describe('apt_repository', () => {
    // A second repository on the host: one package built there, its index written by hand (no dpkg-dev on the host).
    const SECOND = [
      'set -e; rm -rf /srv/second-repo /tmp/pkg; mkdir -p /srv/second-repo /tmp/pkg/DEBIAN /tmp/pkg/usr/share/omsrun-second',
      'printf "Package: omsrun-second\nVersion: 2.0\nArchitecture: all\nMaintainer: lab <lab@example.org>\nDescription: from the second source\n" > /tmp/pkg/DEBIAN/control',
      'echo second > /tmp/pkg/usr/share/omsrun-second/README',
      'dpkg-deb --build /tmp/pkg /srv/second-repo/omsrun-second_2.0_all.deb >/dev/null',
      'cd /srv/second-repo; size=$(stat -c %s omsrun-second_2.0_all.deb); sum=$(sha256sum omsrun-second_2.0_all.deb | cut -d" " -f1)',
      'sed "s/^Description/Filename: .\\/omsrun-second_2.0_all.deb\\nSize: $size\\nSHA256: $sum\\nDescription/" /tmp/pkg/DEBIAN/control > Packages',
    ].join('\n');
    const REPO = 'deb [trusted=yes] file:/srv/second-repo ./';
    const LIST = '/etc/apt/sources.list.d/file_srv_second_repo.list';

    it('adds a second source (check mode first), updates the lists, and apt installs from it', async () => {
      expect(await sh(SECOND)).toBe('');
      const checked = await run(aptRepositoryModule, { repo: REPO }, { checkMode: true, diffMode: true });
      expect(checked).toMatchObject({ changed: true, diff: [{ path: LIST, before: '', after: `${REPO}\n` }] });
      expect(await sh(`test -e ${LIST} && echo there || echo none`)).toBe('none');
      const added = await run(aptRepositoryModule, { repo: REPO });
      expect(added, added.msg).toMatchObject({ changed: true, msg: `added ${REPO} in ${LIST}`, data: { sources_added: [LIST], sources_removed: [] } });
      expect(await sh(`cat ${LIST}; stat -c %a ${LIST}`)).toBe(`${REPO}\n644`);
      expect(await sh("apt-cache policy omsrun-second | sed -n 's/ *Candidate: //p'")).toBe('2.0');
      expect(await run(aptRepositoryModule, { repo: `deb   [trusted=yes]  file:/srv/second-repo  ./` })).toMatchObject({ changed: false });
      const installed = await run(aptModule, { name: 'omsrun-second' });
      expect(installed, installed.msg).toMatchObject({ changed: true, msg: 'installed omsrun-second 2.0' });
      expect(await run(aptModule, { name: 'omsrun-second', state: 'absent' })).toMatchObject({ changed: true });
    });

    it('finds a line already in sources.list, and enables a commented-out copy instead of adding one', async () => {
      expect(await run(aptRepositoryModule, { repo: 'deb [trusted=yes] file:/srv/omsrun-repo ./', filename: 'lab' })).toMatchObject({ changed: false });
      await sh(`echo '# ${REPO} # kept' > ${LIST}`);
      const enabled = await run(aptRepositoryModule, { repo: REPO, update_cache: false });
      expect(enabled, enabled.msg).toMatchObject({ changed: true });
      expect(await sh(`cat ${LIST}`)).toBe(`${REPO} # kept`);
    });

    it('removes the line and its file once empty, then changes nothing', async () => {
      const removed = await run(aptRepositoryModule, { repo: REPO, state: 'absent' });
      expect(removed, removed.msg).toMatchObject({ changed: true, msg: `removed ${REPO} in ${LIST} (removed)`, data: { sources_removed: [LIST] } });
      expect(await sh(`test -e ${LIST} && echo there || echo none`)).toBe('none');
      expect(await sh('apt-cache show omsrun-second >/dev/null 2>&1 && echo known || echo unknown')).toBe('unknown');
      expect(await run(aptRepositoryModule, { repo: REPO, state: 'absent' })).toMatchObject({ changed: false });
    });

    it('puts the files back when apt-get update fails on the new line', async () => {
      const bad = 'deb [trusted=yes] file:/srv/no-such-repo ./';
      const out = await run(aptRepositoryModule, { repo: bad, filename: 'broken', mode: '0600' });
      expect(out.failed, out.msg).toBe(true);
      expect(out.msg).toContain('apt-get update failed');
      expect(out.msg).toContain(`the source files were put back as they were; check the line "${bad}"`);
      expect(await sh('ls /etc/apt/sources.list.d/')).toBe('');
      expect(await run(aptModule, { update_cache: true })).toMatchObject({ changed: true });
    });
  });
  describe('yum_repository', () => {
    const EPEL = { name: 'epel', description: 'EPEL $releasever', baseurl: ['https://mirror.example.org/epel/$releasever/', 'https://backup.example.org/epel/'], gpgcheck: true, gpgkey: 'https://mirror.example.org/RPM-GPG-KEY-EPEL', file: 'external' };
    const FILE = '/etc/yum.repos.d/external.repo';

    it('writes the section (its folder too), then changes nothing; check mode writes nothing', async () => {
      const checked = await run(yumRepositoryModule, EPEL, { checkMode: true });
      expect(checked).toMatchObject({ changed: true });
      expect(await sh('test -e /etc/yum.repos.d && echo there || echo none')).toBe('none');
      const first = await run(yumRepositoryModule, EPEL);
      expect(first, first.msg).toMatchObject({ changed: true, msg: 'repository epel added' });
      expect(await sh(`cat ${FILE}`)).toBe([
        '[epel]',
        'baseurl = https://mirror.example.org/epel/$releasever/',
        '\thttps://backup.example.org/epel/',
        'gpgcheck = 1',
        'gpgkey = https://mirror.example.org/RPM-GPG-KEY-EPEL',
        'name = EPEL $releasever',
      ].join('\n'));
      expect(await run(yumRepositoryModule, EPEL)).toMatchObject({ changed: false });
    });

    it('adds a second section to the same file, replaces options, masks the password in the diff', async () => {
      const local = { name: 'local', description: 'Local', baseurl: 'file:///srv/rpms', enabled: false, file: 'external', username: 'ops', password: 'hunter22-secret' };
      const added = await run(yumRepositoryModule, local, { diffMode: true });
      expect(added, added.msg).toMatchObject({ changed: true, msg: 'repository local added' });
      expect(JSON.stringify(added.diff)).not.toContain('hunter22-secret');
      expect(JSON.stringify(added.diff)).toContain('password = ********');
      expect(await sh(`grep -c . ${FILE}; grep '^password' ${FILE}`)).toBe('12\npassword = hunter22-secret');
      expect(await run(yumRepositoryModule, local)).toMatchObject({ changed: false });
      const changed = await run(yumRepositoryModule, { ...EPEL, gpgcheck: false, baseurl: 'https://mirror.example.org/epel/$releasever/' });
      expect(changed, changed.msg).toMatchObject({ changed: true, msg: 'repository epel changed' });
      expect(await sh(`sed -n '/^\\[epel\\]/,/^name/p' ${FILE}`)).toBe('[epel]\nbaseurl = https://mirror.example.org/epel/$releasever/\ngpgcheck = 0\ngpgkey = https://mirror.example.org/RPM-GPG-KEY-EPEL\nname = EPEL $releasever');
    });

    it('removes one section, then the file with the last one', async () => {
      expect(await run(yumRepositoryModule, { name: 'local', file: 'external', state: 'absent' })).toMatchObject({ changed: true, msg: 'repository local removed' });
      expect(await sh(`grep -c '^\\[' ${FILE}`)).toBe('1');
      expect(await run(yumRepositoryModule, { name: 'local', file: 'external', state: 'absent' })).toMatchObject({ changed: false });
      const last = await run(yumRepositoryModule, { name: 'epel', file: 'external', state: 'absent' });
      expect(last).toMatchObject({ changed: true, msg: `repository epel removed, and ${FILE} with it` });
      expect(await sh(`test -e ${FILE} && echo there || echo none`)).toBe('none');
    });
  });
  describe('mount', () => {
    const TMP = { path: '/mnt/so scratch', src: 'tmpfs', fstype: 'tmpfs', opts: 'size=8m,mode=0755' };
    const LINE = 'tmpfs /mnt/so\\040scratch tmpfs size=8m,mode=0755 0 0';
    const fstab = () => sh('grep -v "^#" /etc/fstab; true');
    const mounted = (path: string) => sh(`findmnt -rn -o FSTYPE,OPTIONS --mountpoint '${path}' | cut -d, -f1-3; true`);

    it('present writes the fstab line only, once', async () => {
      const before = await fstab();
      const first = await run(mountModule, { ...TMP, state: 'present' });
      expect(first, first.msg).toMatchObject({ changed: true, msg: '/etc/fstab line set' });
      expect(await fstab()).toBe([before, LINE].filter(Boolean).join('\n'));
      expect(await mounted(TMP.path)).toBe('');
      expect(await run(mountModule, { ...TMP, state: 'present' })).toMatchObject({ changed: false });
    });

    it('mounted makes the folder and mounts (check mode first), then changes nothing', async () => {
      const checked = await run(mountModule, { ...TMP, state: 'mounted' }, { checkMode: true });
      expect(checked).toMatchObject({ changed: true, msg: 'make the mount point /mnt/so scratch, mount /mnt/so scratch' });
      expect(await sh("test -d '/mnt/so scratch' && echo dir || echo none")).toBe('none');
      const first = await run(mountModule, { ...TMP, state: 'mounted' });
      expect(first, first.msg).toMatchObject({ changed: true, msg: 'made the mount point /mnt/so scratch, mounted /mnt/so scratch', data: { name: TMP.path, opts: TMP.opts } });
      expect(await mounted(TMP.path)).toBe('tmpfs rw,relatime,size=8192k');
      expect(await run(mountModule, { ...TMP, state: 'mounted' })).toMatchObject({ changed: false });
    });

    it('a changed line is written and remounted; remounted always remounts', async () => {
      const changed = await run(mountModule, { ...TMP, opts: 'size=16m,mode=0755', state: 'mounted' });
      expect(changed, changed.msg).toMatchObject({ changed: true, msg: '/etc/fstab line set, remounted /mnt/so scratch' });
      expect(await mounted(TMP.path)).toBe('tmpfs rw,relatime,size=16384k');
      expect(await sh("grep -c 'so.040scratch' /etc/fstab")).toBe('1');
      expect(await run(mountModule, { path: TMP.path, state: 'remounted' })).toMatchObject({ changed: true, msg: 'remounted /mnt/so scratch' });
    });

    it('unmounted leaves fstab alone; absent removes the line and the folder', async () => {
      expect(await run(mountModule, { path: TMP.path, state: 'unmounted' })).toMatchObject({ changed: true, msg: 'unmounted /mnt/so scratch' });
      expect(await mounted(TMP.path)).toBe('');
      expect(await sh("grep -c 'so.040scratch' /etc/fstab")).toBe('1');
      expect(await run(mountModule, { path: TMP.path, state: 'unmounted' })).toMatchObject({ changed: false });
      const gone = await run(mountModule, { path: TMP.path, state: 'absent' });
      expect(gone, gone.msg).toMatchObject({ changed: true, msg: '/etc/fstab line removed, removed the mount point /mnt/so scratch' });
      expect(await sh("grep -c 'so.040scratch' /etc/fstab; test -e '/mnt/so scratch' && echo there || echo none")).toBe('0\nnone');
      expect(await run(mountModule, { path: TMP.path, state: 'absent' })).toMatchObject({ changed: false });
    });

    it('bind-mounts a folder, and unmounts it with absent', async () => {
      await sh('mkdir -p /srv/so-data && echo hello > /srv/so-data/file');
      const bind = { path: '/mnt/so-bind', src: '/srv/so-data', fstype: 'none', opts: 'bind', state: 'mounted' };
      expect(await run(mountModule, bind)).toMatchObject({ changed: true });
      expect(await sh('cat /mnt/so-bind/file')).toBe('hello');
      expect(await run(mountModule, bind)).toMatchObject({ changed: false });
      const gone = await run(mountModule, { path: '/mnt/so-bind', state: 'absent' });
      expect(gone, gone.msg).toMatchObject({ changed: true, msg: '/etc/fstab line removed, unmounted /mnt/so-bind, removed the mount point /mnt/so-bind' });
      expect(await sh('cat /srv/so-data/file; test -e /mnt/so-bind && echo there || echo none')).toBe('hello\nnone');
    });

    it('a mount that fails puts fstab back and says why', async () => {
      const before = await sh('cat /etc/fstab');
      const out = await run(mountModule, { path: '/mnt/so-bad', src: 'nothing', fstype: 'nosuchfs', state: 'mounted' });
      expect(out.failed, out.msg).toBe(true);
      expect(out.msg).toMatch(/^mount \/mnt\/so-bad failed \(rc 32\): .*unknown filesystem type 'nosuchfs'.*; \/etc\/fstab was put back as it was$/s);
      expect(await sh('cat /etc/fstab')).toBe(before);
    });
  });
  describe('wait_for_connection and reboot', () => {
    const bootId = () => sh('cat /proc/sys/kernel/random/boot_id');

    it('wait_for_connection waits while sshd is stopped, and reconnects once it is back', async () => {
      expect(await sh('systemctl stop ssh.service && systemd-run --quiet --on-active=2 systemctl start ssh.service && echo stopped')).toBe('stopped');
      const out = await run(waitForConnectionModule, { timeout: 120, sleep: 0.5, connect_timeout: 3 });
      expect(out, out.msg).toMatchObject({ changed: false, data: { elapsed: expect.any(Number) } });
      expect(out.msg).toMatch(/^h1 answered after [\d.]+ s$/);
      expect(await sh('systemctl is-active ssh.service')).toBe('active');
    }, 180_000);

    it('wait_for_connection fails with the last reason when the host never answers', async () => {
      expect(await sh('systemctl stop ssh.service && systemd-run --quiet --on-active=8 systemctl start ssh.service && echo stopped')).toBe('stopped');
      const out = await run(waitForConnectionModule, { timeout: 1, sleep: 0.5, connect_timeout: 2 });
      expect(out.failed, out.msg).toBe(true);
      expect(out.msg).toMatch(/^timed out waiting for connection to h1 after 1 s; last try: .*(refused|ECONNREFUSED)/);
      expect(await run(waitForConnectionModule, { timeout: 120, sleep: 0.5 })).toMatchObject({ changed: false });
    }, 180_000);

    it('reboot reboots the host (check mode does not) and reconnects to the new boot', async () => {
      const before = await bootId();
      expect(await run(rebootModule, {}, { checkMode: true })).toMatchObject({ changed: true });
      expect(await bootId()).toBe(before);
      const out = await run(rebootModule, { reboot_timeout: 300, test_command: 'systemctl is-system-running --wait' });
      expect(out, out.msg).toMatchObject({ changed: true, data: { rebooted: true, elapsed: expect.any(Number) } });
      const after = await bootId();
      expect(after).toMatch(/^[0-9a-f-]{36}$/);
      expect(after).not.toBe(before);
      expect(await sh('systemctl is-active ssh.service')).toBe('active');
    }, 400_000);

    it('a playbook task after reboot runs on the new boot', async () => {
      const site = [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - command: cat /proc/sys/kernel/random/boot_id',
        '      register: before',
        '    - reboot: { msg: "kernel update", reboot_timeout: 300 }',
        '      register: rebooted',
        '    - command: cat /proc/sys/kernel/random/boot_id',
        '      register: after',
        '    - assert:',
        '        that:',
        '          - rebooted.rebooted',
        '          - before.stdout != after.stdout',
        '',
      ].join('\n');
      const r = await playbook({ 'site.yml': site });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/h1 +: ok=4 +changed=3 +failed=0/);
    }, 400_000);
  });
  describe('modprobe', () => {
    // This machine's kernel lists no loadable modules (/proc/modules is absent): the module counted as loaded is one
    // the running kernel's modules.builtin names, which modprobe and Ansible treat as loaded too.
    it('a built-in module is loaded already: ok, nothing run', async () => {
      await sh('mkdir -p /lib/modules/$(uname -r) && echo kernel/drivers/net/dummy.ko > /lib/modules/$(uname -r)/modules.builtin');
      const out = await run(modprobeModule, { name: 'dummy' });
      expect(out, out.msg).toMatchObject({ changed: false, data: { name: 'dummy', state: 'present' } });
    });

    it('writes the boot files once, rewrites the options when params change, comments them out with persistent absent', async () => {
      const files = () => sh('cat /etc/modules-load.d/dummy.conf /etc/modprobe.d/dummy.conf 2>&1');
      const first = await run(modprobeModule, { name: 'dummy', params: 'numdummies=2', persistent: 'present' }, { diffMode: true });
      expect(first, first.msg).toMatchObject({ changed: true, msg: '/etc/modules-load.d/dummy.conf written, /etc/modprobe.d/dummy.conf written' });
      expect(await files()).toBe('dummy\noptions dummy numdummies=2');
      expect(await run(modprobeModule, { name: 'dummy', params: 'numdummies=2', persistent: 'present' })).toMatchObject({ changed: false });
      const other = await run(modprobeModule, { name: 'dummy', params: 'numdummies=3', persistent: 'present' });
      expect(other, other.msg).toMatchObject({ changed: true, msg: '/etc/modprobe.d/dummy.conf written' });
      expect(await files()).toBe('dummy\noptions dummy numdummies=3');
      const off = await run(modprobeModule, { name: 'dummy', persistent: 'absent' });
      expect(off, off.msg).toMatchObject({ changed: true });
      expect(await files()).toBe('#dummy\n#options dummy numdummies=3');
      expect(await run(modprobeModule, { name: 'dummy', persistent: 'absent' })).toMatchObject({ changed: false });
    });

    it('says what happened when a module cannot be loaded; unloading one that is not loaded changes nothing', async () => {
      const out = await run(modprobeModule, { name: 'omsrun_nosuch', params: 'debug=1' });
      expect(out.failed, out.msg).toBe(true);
      expect(out.msg).toMatch(/^modprobe omsrun_nosuch debug=1 failed \(rc 1\): modprobe: FATAL: Module omsrun_nosuch not found in directory \/lib\/modules\/\S+; the module is not installed for the running kernel/);
      expect(await run(modprobeModule, { name: 'omsrun_nosuch', state: 'absent' })).toMatchObject({ changed: false });
    });
  });
});
