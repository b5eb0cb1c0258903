// user, group, sysctl, cron and getent on a whole Debian system of the lab (systemd as PID 1, real useradd, sysctl, cron).
import { beforeAll, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { cronModule } from '../../src/modules/cron.js';
import { getentModule } from '../../src/modules/getent.js';
import { groupModule } from '../../src/modules/group.js';
import { sysctlModule } from '../../src/modules/sysctl.js';
import { userModule } from '../../src/modules/user.js';
import { omsrun } from '../cli/cli-helper.js';
import { labEnabled, type Lab, type LabHost } from '../lab/lab-helper.js';
import { hostRunner, useSystemHostLab } from '../lab/lab-connection.js';
import { labInventory, writeFiles } from '../lab/side-lab.js';

const NAME = 'saacct';
// openssl passwd -6 -salt saltsalt Secret-Pw1, and -salt pepper12 Other-Pw2
const HASH1 = '$6$saltsalt$5UM9GnVVYclJ/zHdcnL2jHGMzxHa7REpuNu2.8e15yeg2tk/cnLCcNLXxvduTTaWH7zkBxXwRXXd3c4JfZfz61';
const HASH2 = '$6$pepper12$sjIoAyukALBBOKB9HddC/jzfWJJtcD4yWlbWYe3olxoFZnGiORI5nfQ8xviY/8YRMdc9TmrRjoGuRjKcaVw3m1';

describe.skipIf(!labEnabled())('user, group, sysctl, cron and getent on a whole-system lab host', () => {
  let lab: Lab;
  let host: LabHost;
  let tester: SshConnection;
  let work = '';

  const side = useSystemHostLab(NAME);
  beforeAll(() => {
    ({ lab, host, tester, work } = side);
  });

  const { run, sh } = hostRunner(side);

  describe('group', () => {
    it('creates a group with its gid (check mode first changes nothing), then changes nothing', async () => {
      const checked = await run(groupModule, { name: 'omsops', gid: 3100 }, { checkMode: true });
      expect(checked).toMatchObject({ changed: true, msg: 'create group omsops' });
      expect(await sh('getent group omsops || echo none')).toBe('none');
      const first = await run(groupModule, { name: 'omsops', gid: 3100 });
      expect(first, first.msg).toMatchObject({ changed: true, data: { name: 'omsops', gid: 3100, state: 'present' } });
      expect(await sh('getent group omsops')).toBe('omsops:x:3100:');
      expect(await run(groupModule, { name: 'omsops', gid: 3100 })).toMatchObject({ changed: false, data: { gid: 3100 } });
      expect(await run(groupModule, { name: 'omsops' })).toMatchObject({ changed: false });
    });

    it('changes the gid, creates a system group, removes once', async () => {
      expect(await run(groupModule, { name: 'omsops', gid: 3101 })).toMatchObject({ changed: true, msg: 'changed group omsops', data: { gid: 3101 } });
      expect(await sh('getent group omsops')).toBe('omsops:x:3101:');
      const sys = await run(groupModule, { name: 'omssys', system: true });
      expect(sys, sys.msg).toMatchObject({ changed: true });
      expect(Number(await sh('getent group omssys | cut -d: -f3'))).toBeLessThan(1000);
      expect(await run(groupModule, { name: 'omssys', state: 'absent' })).toMatchObject({ changed: true, msg: 'removed group omssys' });
      expect(await run(groupModule, { name: 'omssys', state: 'absent' })).toMatchObject({ changed: false });
      expect(await sh('getent group omssys || echo none')).toBe('none');
    });

    it('says what groupadd said when it refuses', async () => {
      const out = await run(groupModule, { name: 'dupgid', gid: 3101 });
      expect(out.failed).toBe(true);
      expect(out.msg).toBe("groupadd failed (rc 4): groupadd: GID '3101' already exists");
    });
  });

  describe('user', () => {
    const ADMIN = { name: 'omsadmin', uid: 3200, group: 'omsops', groups: ['sudo', 'adm'], shell: '/bin/bash', comment: 'OMS admin', password: HASH1 };

    it('creates a user with every setting (check mode first changes nothing), then changes nothing', async () => {
      const checked = await run(userModule, ADMIN, { checkMode: true });
      expect(checked).toMatchObject({ changed: true, msg: 'create user omsadmin' });
      expect(await sh('getent passwd omsadmin || echo none')).toBe('none');
      const first = await run(userModule, ADMIN);
      expect(first, first.msg).toMatchObject({
        changed: true, msg: 'created user omsadmin',
        data: { name: 'omsadmin', state: 'present', uid: 3200, group: 3101, home: '/home/omsadmin', shell: '/bin/bash', comment: 'OMS admin', groups: 'sudo,adm', password: 'NOT_LOGGING_PASSWORD' },
      });
      expect(await sh('getent passwd omsadmin')).toBe('omsadmin:x:3200:3101:OMS admin:/home/omsadmin:/bin/bash');
      expect(await sh('id -Gn omsadmin')).toBe('omsops adm sudo');
      expect(await sh('getent shadow omsadmin | cut -d: -f2')).toBe(HASH1);
      expect(await sh('stat -c %U /home/omsadmin')).toBe('omsadmin');
      const again = await run(userModule, ADMIN);
      expect(again).toMatchObject({ changed: false, data: { uid: 3200, group: 3101, home: '/home/omsadmin' } });
      expect(JSON.stringify([first, again])).not.toContain(HASH1);
    });

    it('changes only what differs, with usermod', async () => {
      const shell = await run(userModule, { name: 'omsadmin', shell: '/bin/sh' }, { checkMode: true });
      expect(shell).toMatchObject({ changed: true, msg: 'user omsadmin: shell /bin/sh' });
      const out = await run(userModule, { name: 'omsadmin', shell: '/bin/sh', comment: 'OMS', password: HASH2 });
      expect(out, out.msg).toMatchObject({ changed: true, msg: 'changed user omsadmin', data: { shell: '/bin/sh', comment: 'OMS' } });
      expect(await sh('getent passwd omsadmin')).toBe('omsadmin:x:3200:3101:OMS:/home/omsadmin:/bin/sh');
      expect(await sh('getent shadow omsadmin | cut -d: -f2')).toBe(HASH2);
      expect(await run(userModule, { name: 'omsadmin', password: HASH1, update_password: 'on_create' })).toMatchObject({ changed: false });
      expect(await run(userModule, { name: 'omsadmin', shell: '/bin/sh', password: HASH2 })).toMatchObject({ changed: false });
    });

    it('groups: append adds, without append the list is exact, [] empties it', async () => {
      expect(await run(userModule, { name: 'omsadmin', groups: ['users'], append: true })).toMatchObject({ changed: true });
      expect(await sh('id -Gn omsadmin')).toBe('omsops adm sudo users');
      expect(await run(userModule, { name: 'omsadmin', groups: 'sudo,users', append: true })).toMatchObject({ changed: false });
      expect(await run(userModule, { name: 'omsadmin', groups: ['sudo'] })).toMatchObject({ changed: true, msg: 'changed user omsadmin' });
      expect(await sh('id -Gn omsadmin')).toBe('omsops sudo');
      expect(await run(userModule, { name: 'omsadmin', groups: ['sudo'] })).toMatchObject({ changed: false });
      expect(await run(userModule, { name: 'omsadmin', groups: [] })).toMatchObject({ changed: true });
      expect(await sh('id -Gn omsadmin')).toBe('omsops');
    });

    it('expires: a date, then never', async () => {
      // 2030-01-02 00:00 UTC
      expect(await run(userModule, { name: 'omsadmin', expires: 1893542400 })).toMatchObject({ changed: true });
      expect(await sh('getent shadow omsadmin | cut -d: -f8')).toBe(String(1893542400 / 86400));
      expect(await run(userModule, { name: 'omsadmin', expires: 1893542400 + 3600 })).toMatchObject({ changed: false });
      expect(await run(userModule, { name: 'omsadmin', expires: -1 })).toMatchObject({ changed: true });
      expect(await sh('getent shadow omsadmin | cut -d: -f8')).toBe('');
      expect(await run(userModule, { name: 'omsadmin', expires: -1 })).toMatchObject({ changed: false });
    });

    it('refuses a group that does not exist before changing anything', async () => {
      const out = await run(userModule, { name: 'ghost', groups: ['nosuch', 'sudo'] });
      expect(out).toMatchObject({ failed: true, msg: 'group nosuch does not exist; create it first (group module)' });
      expect(await sh('getent passwd ghost || echo none')).toBe('none');
    });

    it('a system user without a home, then absent with remove', async () => {
      const sys = await run(userModule, { name: 'omssvc', system: true, create_home: false, shell: '/usr/sbin/nologin' });
      expect(sys, sys.msg).toMatchObject({ changed: true });
      expect(Number(await sh('id -u omssvc'))).toBeLessThan(1000);
      expect(await sh('test -e /home/omssvc && echo home || echo nohome')).toBe('nohome');
      expect(await run(userModule, { name: 'omssvc', state: 'absent' })).toMatchObject({ changed: true, msg: 'removed user omssvc', data: { state: 'absent' } });
      expect(await run(userModule, { name: 'omssvc', state: 'absent' })).toMatchObject({ changed: false });
    });

    it('works through sudo (become), and removes the home with remove: true', async () => {
      const become = { user: 'root', password: lab.tester.password };
      expect(await run(userModule, { name: 'omstmp' }, { conn: tester, become })).toMatchObject({ changed: true });
      expect(await sh('test -d /home/omstmp && echo home')).toBe('home');
      expect(await run(userModule, { name: 'omstmp' }, { conn: tester, become })).toMatchObject({ changed: false });
      const gone = await run(userModule, { name: 'omstmp', state: 'absent', remove: true }, { conn: tester, become });
      expect(gone, gone.msg).toMatchObject({ changed: true });
      expect(await sh('test -e /home/omstmp && echo home || echo gone; getent passwd omstmp || echo none')).toBe('gone\nnone');
    });

    it('never shows the password hash: not at -vv or -vvv, in --json events, in check and diff mode', async () => {
      const playbook = `- hosts: all
  tasks:
    - name: admin
      user: { name: omsjson, password: "${HASH1}" }
    - name: admin, the hash only for a new user
      user: { name: omsjson, password: "${HASH2}", update_password: on_create }
`;
      const dir = writeFiles({ lab, work }, { 'site.yml': playbook, 'hosts.yml': labInventory(lab) });
      const checked = await omsrun(['site.yml', '-i', 'hosts.yml', '-C', '-D', '-vv'], { cwd: dir });
      const first = await omsrun(['site.yml', '-i', 'hosts.yml', '--json', '-vvv'], { cwd: dir });
      expect(first.code, first.stdout + first.stderr).toBe(0);
      const second = await omsrun(['site.yml', '-i', 'hosts.yml', '-vv'], { cwd: dir });
      expect(second.stdout).toMatch(/h1 +: ok=2 +changed=0 +failed=0/);
      expect(await sh('getent shadow omsjson | cut -d: -f2')).toBe(HASH1);
      const all = [checked, first, second].map((r) => r.stdout + r.stderr).join('\n');
      expect(all).toContain('NOT_LOGGING_PASSWORD');
      expect(all).toContain('"password":"********"');
      for (const secret of [HASH1, HASH2, HASH1.slice(12), HASH2.slice(12)]) expect(all).not.toContain(secret);
    }, 120_000);
  });

  describe('sysctl', () => {
    // The lab host has its own network namespace with /proc/sys/net writable; vm.* and kernel.* are the machine's, read-only.
    const FILE = '/etc/sysctl.d/90-oms.conf';
    const live = () => sh('sysctl -n net.core.somaxconn');

    it('writes the file and sets the value (check mode first changes nothing), then changes nothing', async () => {
      const before = await live();
      const args = { name: 'net.core.somaxconn', value: 1024, sysctl_file: FILE };
      const checked = await run(sysctlModule, args, { checkMode: true, diffMode: true });
      expect(checked).toMatchObject({ changed: true, msg: `${FILE}: net.core.somaxconn=1024, net.core.somaxconn ${before} -> 1024` });
      expect(checked.diff?.[0]).toMatchObject({ path: FILE, before: '', after: 'net.core.somaxconn=1024\n' });
      expect(await sh(`cat ${FILE} 2>&1; sysctl -n net.core.somaxconn`)).toBe(`cat: ${FILE}: No such file or directory\n${before}`);
      const first = await run(sysctlModule, args);
      expect(first, first.msg).toMatchObject({ changed: true, data: { name: 'net.core.somaxconn', value: '1024', sysctl_file: FILE } });
      expect(await sh(`cat ${FILE}`)).toBe('net.core.somaxconn=1024');
      expect(await live()).toBe('1024');
      expect(await run(sysctlModule, args)).toMatchObject({ changed: false });
    });

    it('leaves a live value alone unless sysctl_set, as Ansible does', async () => {
      await sh('sysctl -w net.core.somaxconn=2048');
      expect(await run(sysctlModule, { name: 'net.core.somaxconn', value: '1024', sysctl_file: FILE })).toMatchObject({ changed: false });
      const set = await run(sysctlModule, { name: 'net.core.somaxconn', value: '1024', sysctl_file: FILE, sysctl_set: true });
      expect(set).toMatchObject({ changed: true, msg: 'net.core.somaxconn set to 1024' });
      expect(await live()).toBe('1024');
      expect(await run(sysctlModule, { name: 'net.core.somaxconn', value: '1024', sysctl_file: FILE, sysctl_set: true })).toMatchObject({ changed: false });
    });

    it('replaces the line in a file with other keys and comments, and loads the file', async () => {
      await sh(`printf '# tuned for OMS\\nnet.ipv4.tcp_fin_timeout = 30\\nnet.core.somaxconn = 1024\\nnet.core.somaxconn=999\\n' > ${FILE}`);
      const out = await run(sysctlModule, { name: 'net.core.somaxconn', value: 4000, sysctl_file: FILE });
      expect(out, out.msg).toMatchObject({ changed: true });
      expect(await sh(`cat ${FILE}`)).toBe('# tuned for OMS\nnet.ipv4.tcp_fin_timeout = 30\nnet.core.somaxconn=4000');
      expect(await sh('sysctl -n net.core.somaxconn net.ipv4.tcp_fin_timeout')).toBe('4000\n30');
      const gone = await run(sysctlModule, { name: 'net.core.somaxconn', state: 'absent', sysctl_file: FILE });
      expect(gone).toMatchObject({ changed: true });
      expect(await sh(`cat ${FILE}`)).toBe('# tuned for OMS\nnet.ipv4.tcp_fin_timeout = 30');
      expect(await run(sysctlModule, { name: 'net.core.somaxconn', state: 'absent', sysctl_file: FILE })).toMatchObject({ changed: false });
    });

    it('a key the container may not set fails, naming it, and the file stays unchanged', async () => {
      const before = await sh('cat /etc/sysctl.conf | sha256sum');
      const out = await run(sysctlModule, { name: 'vm.max_map_count', value: 262144 });
      expect(out.failed).toBe(true);
      expect(out.msg).toBe('sysctl failed (rc 1): sysctl: permission denied on key "vm.max_map_count"; /etc/sysctl.conf was left unchanged');
      expect(await sh('cat /etc/sysctl.conf | sha256sum')).toBe(before);
      expect(await run(sysctlModule, { name: 'vm.max_map_count', value: 262144 }, { checkMode: true })).toMatchObject({ changed: true });
    });

    it('an unknown key fails, unless ignoreerrors', async () => {
      const out = await run(sysctlModule, { name: 'net.core.no_such_key', value: 1, sysctl_file: FILE });
      expect(out).toMatchObject({ failed: true });
      expect(out.msg).toBe(`cannot read net.core.no_such_key on ${host.name}: sysctl: cannot stat /proc/sys/net/core/no_such_key: No such file or directory; check the key, or set ignoreerrors: true`);
      const ignored = await run(sysctlModule, { name: 'net.core.no_such_key', value: 1, sysctl_file: FILE, ignoreerrors: true });
      expect(ignored, ignored.msg).toMatchObject({ changed: true });
      expect(await sh(`tail -n 1 ${FILE}`)).toBe('net.core.no_such_key=1');
    });
  });

  describe('cron', () => {
    const tab = (user: string) => sh(`crontab -l -u ${user} 2>&1`);

    it('adds a job to a user\'s crontab under its marker (check mode first changes nothing), then changes nothing', async () => {
      const args = { name: 'backup', user: 'tester', minute: 0, hour: 2, job: '/usr/local/bin/backup >/dev/null 2>&1' };
      const checked = await run(cronModule, args, { checkMode: true, diffMode: true });
      expect(checked).toMatchObject({ changed: true, msg: 'crontab of tester: job backup added', diff: [{ before: '', after: '#Ansible: backup\n0 2 * * * /usr/local/bin/backup >/dev/null 2>&1\n' }] });
      expect(await tab('tester')).toBe('no crontab for tester');
      const first = await run(cronModule, args);
      expect(first, first.msg).toMatchObject({ changed: true, msg: 'job backup added', data: { jobs: ['backup'], envs: [] } });
      expect(await tab('tester')).toBe('#Ansible: backup\n0 2 * * * /usr/local/bin/backup >/dev/null 2>&1');
      expect(await run(cronModule, args)).toMatchObject({ changed: false, data: { jobs: ['backup'] } });
    });

    it('converges a crontab Ansible wrote: updates only its own line, disables, adds a variable on top', async () => {
      await sh("printf 'MAILTO=ops\\n# by hand\\n*/5 * * * * /bin/true\\n#Ansible: backup\\n0 3 * * * /usr/local/bin/backup\\n' | crontab -u tester -");
      const args = { name: 'backup', user: 'tester', minute: '0', hour: '2', job: '/usr/local/bin/backup' };
      expect(await run(cronModule, args)).toMatchObject({ changed: true, msg: 'job backup updated' });
      expect(await tab('tester')).toBe('MAILTO=ops\n# by hand\n*/5 * * * * /bin/true\n#Ansible: backup\n0 2 * * * /usr/local/bin/backup');
      expect(await run(cronModule, { ...args, disabled: true })).toMatchObject({ changed: true });
      expect(await run(cronModule, { ...args, disabled: true })).toMatchObject({ changed: false });
      expect(await run(cronModule, { name: 'PATH', env: true, job: '/usr/bin:/bin', user: 'tester', insertafter: 'MAILTO' })).toMatchObject({ changed: true, msg: 'variable PATH added' });
      expect(await run(cronModule, { name: 'nightly', special_time: 'daily', job: '/bin/date', user: 'tester' })).toMatchObject({ changed: true });
      expect(await tab('tester')).toBe('MAILTO=ops\nPATH="/usr/bin:/bin"\n# by hand\n*/5 * * * * /bin/true\n#Ansible: backup\n#0 2 * * * /usr/local/bin/backup\n#Ansible: nightly\n@daily /bin/date');
      expect(await run(cronModule, { name: 'backup', user: 'tester', state: 'absent' })).toMatchObject({ changed: true, msg: 'job backup removed', data: { jobs: ['nightly'], envs: ['MAILTO', 'PATH'] } });
      expect(await run(cronModule, { name: 'backup', user: 'tester', state: 'absent' })).toMatchObject({ changed: false });
    });

    it('a line crontab refuses fails the task and leaves the crontab as it was', async () => {
      const before = await tab('tester');
      const out = await run(cronModule, { name: 'bad', user: 'tester', minute: '99', job: '/bin/true' });
      expect(out.failed).toBe(true);
      expect(out.msg).toMatch(/^crontab refused the new crontab \(rc 1\), which was not installed: .*bad minute/s);
      expect(await tab('tester')).toBe(before);
      expect(await sh('ls /tmp | grep -c "^tmp\\." || true')).toBe('0');
    });

    it('names a user that does not exist', async () => {
      const out = await run(cronModule, { name: 'x', user: 'nosuch', job: '/bin/true' });
      expect(out).toMatchObject({ failed: true, msg: "cannot read the crontab of nosuch: crontab:  user `nosuch' unknown" });
    });

    it('writes a job into /etc/cron.d with its user, once; root\'s own crontab through sudo', async () => {
      const args = { name: 'cleanup', cron_file: 'omsrun-cleanup', user: 'root', minute: '*/10', job: 'find /tmp -mtime +7 -delete' };
      const first = await run(cronModule, args);
      expect(first, first.msg).toMatchObject({ changed: true, data: { jobs: ['cleanup'] } });
      expect(await sh('cat /etc/cron.d/omsrun-cleanup; stat -c %a /etc/cron.d/omsrun-cleanup')).toBe('#Ansible: cleanup\n*/10 * * * * root find /tmp -mtime +7 -delete\n644');
      expect(await run(cronModule, args)).toMatchObject({ changed: false });
      const become = { user: 'root', password: lab.tester.password };
      expect(await run(cronModule, { name: 'root job', job: '/bin/true', hour: '4', minute: '0' }, { conn: tester, become })).toMatchObject({ changed: true });
      expect(await tab('root')).toBe('#Ansible: root job\n0 4 * * * /bin/true');
      expect(await run(cronModule, { name: 'root job', job: '/bin/true', hour: '4', minute: '0' }, { conn: tester, become })).toMatchObject({ changed: false });
    });
  });

  describe('getent', () => {
    it('sets getent_<database> and ansible_facts.getent_<database> for later tasks, changing nothing', async () => {
      const playbook = `- hosts: all
  gather_facts: false
  tasks:
    - getent: { database: passwd, key: root }
    - getent: { database: group }
    - getent: { database: hosts, key: localhost }
    - getent: { database: shadow, key: nosuch, fail_key: false }
    - assert:
        that:
          - getent_passwd.root[1] == '0'
          - ansible_facts.getent_passwd.root[4] == '/root'
          - ansible_facts.getent_group.sudo[1] == '27'
          - getent_hosts['127.0.0.1'][0] == 'localhost'
          - getent_shadow.nosuch == null
`;
      const dir = writeFiles({ lab, work }, { 'site.yml': playbook, 'hosts.yml': labInventory(lab) });
      const out = await omsrun(['site.yml', '-i', 'hosts.yml'], { cwd: dir });
      expect(out.code, out.stdout + out.stderr).toBe(0);
      expect(out.stdout).toMatch(/h1 +: ok=5 +changed=0 +failed=0/);
    }, 60_000);

    it('a missing key fails, naming it; an unknown database says so', async () => {
      expect(await run(getentModule, { database: 'passwd', key: 'nosuch' })).toMatchObject({ failed: true, msg: `nosuch is not in the passwd database of ${host.name}; set fail_key: false to get null instead` });
      expect(await run(getentModule, { database: 'nodb' })).toMatchObject({ failed: true, msg: 'getent nodb failed (rc 1): missing arguments, or the database is unknown' });
      const uid = await sh('id -u tester');
      expect(await run(getentModule, { database: 'passwd', key: 'tester' })).toMatchObject({ changed: false, data: { ansible_facts: { getent_passwd: { tester: ['x', uid, uid, '', '/home/tester', '/bin/bash'] } } } });
    });
  });
});
