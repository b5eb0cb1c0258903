// The CLI over SSH on three lab hosts: a real playbook, password and sudo logins, serial batches, task timeouts.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labEnabled } from '../lab/lab-helper.js';
import { dataPath, fileInfo, hostProcesses, labInventory, run, runOnHost, useSideLab, writeFiles } from './e2e-lab.js';

const SITE = `- name: site
  hosts: all
  vars:
    app_port: 8080
    root: /data/site
  tasks:
    - name: app dir
      file: { path: "{{ root }}/conf", state: directory, mode: "0750" }
    - name: static file
      copy: { src: files/static.txt, dest: "{{ root }}/static.txt", mode: "0644" }
    - name: greeting
      copy: { content: "hello {{ inventory_hostname }}\\n", dest: "{{ root }}/hello.txt" }
    - name: config
      template: { src: templates/app.conf.hbs, dest: "{{ root }}/conf/app.conf", mode: "0600" }
    - name: marker
      command: touch {{ root }}/marker
      args: { creates: "{{ root }}/marker" }
    - name: count ports
      shell: grep -c port {{ root }}/conf/app.conf | tr -d ' '
      register: ports
      changed_when: false
    - name: stat greeting
      stat: { path: "{{ root }}/hello.txt" }
      register: st
    - name: check
      assert:
        that: ["st.stat.exists", "ports.stdout == '1'"]
    - name: sshd listens
      wait_for: { host: "{{ ansible_host }}", port: 22, timeout: 5 }
    - name: marker exists
      wait_for: { path: "{{ root }}/marker", timeout: 5 }
`;

describe.skipIf(!labEnabled())('e2e: playbooks over SSH', () => {
  const side = useSideLab('eplay', 3);

  it('runs a ten-task playbook on three hosts with key auth, then changes nothing on the second run', async () => {
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(side.lab),
      'site.yml': SITE,
      'files/static.txt': 'static content\n',
      'templates/app.conf.hbs': 'host={{ inventory_hostname }}\nport={{ app_port }}\n',
    });
    const t0 = Date.now();
    const first = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    const wall = Date.now() - t0;
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const h of ['h1', 'h2', 'h3']) {
      expect(first.stdout).toMatch(new RegExp(`${h} +: ok=10 +changed=5 +failed=0 +skipped=0 +unreachable=0`));
    }
    expect(first.stdout).toContain('OK: 3 hosts, 15 changes in');
    for (const h of side.lab.hosts) {
      expect(readFileSync(dataPath(h, 'site/hello.txt'), 'utf8')).toBe(`hello ${h.name}\n`);
      expect(readFileSync(dataPath(h, 'site/static.txt'), 'utf8')).toBe('static content\n');
      expect(readFileSync(dataPath(h, 'site/conf/app.conf'), 'utf8')).toBe(`host=${h.name}\nport=8080\n`);
      expect(fileInfo(h, 'site/conf/app.conf')).toMatchObject({ mode: '0600', uid: 0 });
      expect(fileInfo(h, 'site/conf')).toMatchObject({ mode: '0750' });
      expect((await runOnHost(h, 'test -f /data/site/marker && hostname')).stdout).toBe(`${h.name}\n`);
    }
    const second = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('OK: 3 hosts, 0 changes in');
    expect(second.stdout).toMatch(/h2 +: ok=10 +changed=0 +failed=0/);
    console.log(`e2e: 3-host 10-task playbook: first run ${wall} ms wall`);
  });

  it('logs root in with a password and writes a root-owned 0600 file through sudo as tester; a wrong sudo password fails only its host and never shows', async () => {
    const [h1, h2, h3] = side.lab.hosts as [typeof side.lab.hosts[0], typeof side.lab.hosts[0], typeof side.lab.hosts[0]];
    const rootPw = 'root-Pw-e2e-7781';
    const wrong = 'wrong-Sudo-5531';
    const hash = execFileSync('openssl', ['passwd', '-6', rootPw], { encoding: 'utf8' }).trim();
    const shadow = path.join(h1.dir, 'etc/shadow');
    writeFileSync(shadow, readFileSync(shadow, 'utf8').replace(/^root:[^:]*:/m, `root:${hash}:`));
    await runOnHost(h2, "printf 'old\\n' > /data/secret.conf && chown tester /data/secret.conf && chmod 0644 /data/secret.conf");
    const before = fileInfo(h2, 'secret.conf').ino;
    const tester = { ansible_user: 'tester', ansible_password: '{{ tester_pw }}', ansible_become: true };
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(side.lab, {
        h1: { ansible_password: rootPw },
        h2: { ...tester, ansible_become_password: '{{ sudo_pw }}' },
        h3: { ...tester, ansible_become_password: wrong },
      }, { ansible_ssh_private_key_file: undefined }),
      'site.yml': `- hosts: all
  environment: { OMS_ENV: "play-{{ inventory_hostname }}", TASK_ENV: unset }
  tasks:
    - name: who
      command: id -un
      register: who
    - name: secret
      copy: { content: "api_key=abc\\n", dest: /data/secret.conf, mode: "0600", owner: root, group: root }
    - name: environment through sudo
      shell: 'echo "$OMS_ENV/$TASK_ENV"'
      environment: { TASK_ENV: "t-{{ inventory_hostname }}" }
      register: envs
      changed_when: false
    - name: report
      debug: { msg: "{{ inventory_hostname }} runs as {{ who.stdout }} with {{ envs.stdout }}" }
`,
    });
    const pw = side.lab.tester.password;
    const args = ['site.yml', '-i', 'inventory.yml', '-e', `tester_pw=${pw}`, '-e', `sudo_pw=${pw}`];
    const t0 = Date.now();
    const r = await run(dir, args);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('ok: [h1] => h1 runs as root with play-h1/t-h1');
    expect(r.stdout).toContain('ok: [h2] => h2 runs as root with play-h2/t-h2');
    expect(r.stdout).toContain('failed: [h3] => sudo: incorrect password for become user on h3');
    expect(r.stdout).toMatch(/h1 +: ok=4 +changed=2 +failed=0/);
    expect(r.stdout).toMatch(/h2 +: ok=4 +changed=2 +failed=0/);
    expect(r.stdout).toMatch(/h3 +: ok=0 +changed=0 +failed=1/);
    expect(readFileSync(dataPath(h2, 'secret.conf'), 'utf8')).toBe('api_key=abc\n');
    const after = fileInfo(h2, 'secret.conf');
    expect(after).toMatchObject({ mode: '0600', uid: 0 });
    expect(after.ino).not.toBe(before);
    expect((await runOnHost(h2, 'ls -A /data')).stdout.split('\n').filter((f) => f.startsWith('.') || f.includes('omsrun'))).toEqual([]);
    expect(fileInfo(h1, 'secret.conf')).toMatchObject({ mode: '0600', uid: 0 });
    expect((await runOnHost(h3, 'test -e /data/secret.conf; echo $?')).stdout).toBe('1\n');
    const json = await run(dir, [...args, '--json']);
    expect(json.code).toBe(2);
    for (const text of [r.stdout, r.stderr, json.stdout, json.stderr]) {
      for (const secret of [pw, rootPw, wrong]) expect(text).not.toContain(secret);
    }
    expect(json.stdout).toContain('sudo: incorrect password for become user on h3');
  });

  it('logs in as the play\'s remote_user where the inventory names no user; ansible_user wins; a later play cannot switch users', async () => {
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(side.lab, { h2: { ansible_user: 'root' } }, { ansible_user: undefined, ansible_password: '{{ tester_pw }}', ansible_become_password: '{{ tester_pw }}' }),
      'site.yml': `- hosts: all
  remote_user: tester
  tasks:
    - name: who
      command: id -un
      register: who
    - name: report
      debug: { msg: "{{ inventory_hostname }} is {{ who.stdout }}" }
- name: switch
  hosts: h1
  remote_user: app
  tasks:
    - command: id -un
`,
    });
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml', '-e', `tester_pw=${side.lab.tester.password}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('ok: [h1] => h1 is tester');
    expect(r.stdout).toContain('ok: [h2] => h2 is root');
    expect(r.stdout).toContain('ok: [h3] => h3 is tester');
    expect(r.stdout).toContain('[WARNING]: [h1] play "switch" asks for remote_user app, but the host stays logged in as tester');
  });

  it('rolls serial: 1 over three hosts: every task of a host starts before the next host begins', async () => {
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(side.lab),
      'site.yml': `- hosts: all
  serial: 1
  tasks:
    - name: stamp
      shell: date +%s%N >> /data/serial-stamps
    - name: again
      shell: date +%s%N >> /data/serial-stamps
`,
    });
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml', '--json']);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; host?: string; task?: { name: string } });
    const starts = events.filter((e) => e.kind === 'host_task_start').map((e) => `${e.host}:${e.task!.name}`);
    expect(starts).toEqual(['h1:stamp', 'h1:again', 'h2:stamp', 'h2:again', 'h3:stamp', 'h3:again']);
    const last = (h: number) => Number(readFileSync(dataPath(side.lab.hosts[h]!, 'serial-stamps'), 'utf8').trim().split('\n')[1]);
    const first = (h: number) => Number(readFileSync(dataPath(side.lab.hosts[h]!, 'serial-stamps'), 'utf8').trim().split('\n')[0]);
    expect(last(0)).toBeLessThan(first(1));
    expect(last(1)).toBeLessThan(first(2));
  });

  it('kills a remote command at its task timeout and leaves no process behind', async () => {
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(side.lab),
      'site.yml': `- hosts: h1,h2
  tasks:
    - name: slow
      command: sleep 377
      timeout: 2
    - name: never
      command: "true"
`,
    });
    const t0 = Date.now();
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    const took = Date.now() - t0;
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('failed: [h1] => task timed out after 2 s');
    expect(r.stdout).toContain('failed: [h2] => task timed out after 2 s');
    expect(r.stdout).not.toContain('TASK [never]');
    expect(took).toBeLessThan(15_000);
    for (const h of side.lab.hosts.slice(0, 2)) expect(await hostProcesses(h, 'sleep 377')).toEqual([]);
  });
});
