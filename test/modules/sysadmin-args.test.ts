// Mistakes in user, group, sysctl, cron and getent tasks are refused before anything runs, naming the place and the fix.
import { describe, expect, it } from 'vitest';
import { omsrun, workdir } from '../cli/cli-helper.js';

const PLAYBOOK = `- hosts: localhost
  tasks:
    - user: { name: bob, generate_ssh_key: true }
    - sysctl: { name: vm.max_map_count }
    - cron: { name: x, job: y, cron_file: z }
    - user: { name: "bad:name", passwrd: x }
    - cron: { name: x, job: y, special_time: daily, hour: 3 }
    - group: { name: ops, gid: -1 }
    - getent: { database: passwd, key: root, spilt: ":" }
    - ansible.posix.sysctl: { key: net.core.somaxconn, val: 1024 }
    - community.general.cron: { name: x, job: y, insertafter: A }
`;

describe('sysadmin module arguments', () => {
  it('are checked at load time, each mistake with its place, key path and fix', async () => {
    const dir = workdir({ 'site.yml': PLAYBOOK });
    const out = await omsrun(['site.yml', '-i', 'localhost,', '--syntax-check'], { cwd: dir });
    expect(out.code).toBe(4);
    expect(out.stderr.split('\n').slice(0, 9).join('\n')).toBe([
      'omsrun: error: site.yml:3:44 [0].tasks[0].user.generate_ssh_key: omsrun does not generate SSH keys; use `command: { cmd: ssh-keygen -q -N "" -t ed25519 -f /home/NAME/.ssh/id_ed25519, creates: /home/NAME/.ssh/id_ed25519 }` (become_user: NAME), or authorized_key for a key you have',
      'site.yml:4:15 [0].tasks[1].sysctl.value: value is required with state present',
      'site.yml:5:13 [0].tasks[2].cron.user: user is required with cron_file (the user the job runs as)',
      'site.yml:6:21 [0].tasks[3].user.name: expected a user name without \':\', \',\', spaces or a leading \'-\', got "bad:name"',
      'site.yml:6:33 [0].tasks[3].user.passwrd: unknown key "passwrd"',
      '  hint: did you mean "password"?',
      'site.yml:7:46 [0].tasks[4].cron.special_time: expected special_time or the time fields, not both',
      'site.yml:8:32 [0].tasks[5].group.gid: expected a number >= 0, got -1',
      'site.yml:9:46 [0].tasks[6].getent.spilt: unknown key "spilt"',
    ].join('\n'));
    expect(out.stderr).toContain('[0].tasks[8]["community.general.cron"].insertafter: insertafter and insertbefore need env: true');
    expect(out.stderr).not.toContain('tasks[7]');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
