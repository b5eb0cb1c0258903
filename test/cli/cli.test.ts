import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { omsrun, simulatedBug, workdir } from './cli-helper.js';

const HOSTS = `all:
  vars:
    ansible_connection: local
  children:
    web:
      hosts:
        h1:
        h2:
`;

const PLAY = `- name: demo
  hosts: web
  vars:
    greeting: hello
  tasks:
    - name: greet
      debug:
        msg: "{{ greeting }} from {{ inventory_hostname }}"
      tags: [talk]
    - name: write
      copy:
        content: "{{ greeting }}"
        dest: "@DIR@/out-{{ inventory_hostname }}"
`;

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('omsrun CLI', () => {
  it('prints its version and help', async () => {
    const dir = workdir({});
    const v = await omsrun(['--version'], { cwd: dir });
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await omsrun(['--help'], { cwd: dir });
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--limit <pattern>');
  });

  it('runs a playbook, reports a recap and exits 0; the second run changes nothing', async () => {
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': PLAY });
    const first = await omsrun(['site.yml'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('ok: [h1] => hello from h1');
    expect(first.stdout).toMatch(/h1 +: ok=2 +changed=1 +failed=0/);
    expect(first.stdout).toContain('OK: 2 hosts, 2 changes in');
    expect(readFileSync(path.join(dir, 'out-h2'), 'utf8')).toBe('hello');
    const second = await omsrun(['site.yml', '-e', 'greeting=hello'], { cwd: dir });
    expect(second.stdout).toContain('OK: 2 hosts, 0 changes in');
  });

  it('runs many hosts at once without a listener-leak warning on stderr', async () => {
    const many = Array.from({ length: 24 }, (_, i) => `    m${i}:`).join('\n');
    const dir = workdir({ 'inventories/default.yml': `all:\n  vars:\n    ansible_connection: local\n  hosts:\n${many}\n`, 'site.yml': PLAY.replace('hosts: web', 'hosts: all') });
    const r = await omsrun(['site.yml', '-f', '24'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK: 24 hosts, 24 changes in');
    expect(r.stderr).not.toContain('MaxListenersExceededWarning');
    expect(r.stderr).toBe('');
  });

  it('passes environment: from play, block and task to commands, inner levels winning; rejects a bad name', async () => {
    const play = `- hosts: h1
  vars: { greeting: hello }
  environment: { A: play, B: play }
  tasks:
    - block:
        - name: env
          shell: 'echo "$A $B $C"'
          environment: { C: "{{ greeting }}" }
          register: e
        - debug: { msg: "env={{ e.stdout }}" }
      environment: { B: block }
`;
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': play, 'bad.yml': '- hosts: h1\n  tasks:\n    - command: env\n      environment: { 1X: a }\n' });
    const r = await omsrun(['site.yml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: [h1] => env=play block hello');
    const bad = await omsrun(['bad.yml'], { cwd: dir });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toBe('omsrun: error: bad.yml:4:22 [0].tasks[0].environment["1X"]: expected an environment variable name, got "1X"\n');
  });

  it('takes extra vars over play vars, and --tags, --limit', async () => {
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': PLAY });
    const r = await omsrun(['site.yml', '-e', 'greeting=hi', '-t', 'talk', '-l', 'h2'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: [h2] => hi from h2');
    expect(r.stdout).not.toContain('[h1]');
    expect(r.stdout).not.toContain('TASK [write]');
  });

  it('lists hosts and tasks, and checks syntax, without running anything', async () => {
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': PLAY });
    const hosts = await omsrun(['site.yml', '--list-hosts'], { cwd: dir });
    expect(hosts.stdout).toContain('play "demo" (2 hosts):\n    h1\n    h2');
    const tasks = await omsrun(['site.yml', '--list-tasks'], { cwd: dir });
    expect(tasks.stdout).toContain('    greet  TAGS: [talk]\n    write');
    const syntax = await omsrun(['site.yml', '--syntax-check'], { cwd: dir });
    expect(syntax.code).toBe(0);
    expect(syntax.stdout).toBe('playbook: site.yml: syntax OK (1 play)\n');
    expect(existsSync(path.join(dir, 'out-h1'))).toBe(false);
  });

  it('exits 4 with a positioned message and no stack trace on a bad playbook', async () => {
    const dir = workdir({
      'inventories/default.yml': HOSTS,
      'site.yml': '- hosts: web\n  tasks:\n    - name: wait\n      wait_for:\n        port: 80a\n    - name: typo\n      debugg: { msg: x }\n',
    });
    const r = await omsrun(['site.yml', '--syntax-check'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('site.yml:5:15 [0].tasks[0].wait_for.port: expected a number, got "80a"');
    expect(r.stderr).toContain('site.yml:7:7 [0].tasks[1].debugg: unknown module "debugg"\n  hint: did you mean "debug"?');
    noStack(r.stderr);
  });

  it('exits 4 on an unknown inventory, listing what exists', async () => {
    const dir = workdir({ 'inventories/prod.yml': HOSTS, 'inventories/staging.yml': HOSTS, 'site.yml': PLAY });
    const r = await omsrun(['site.yml', '-i', 'prdo'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('inventory "prdo" not found');
    expect(r.stderr).toContain('found: prod, staging');
    const none = await omsrun(['site.yml'], { cwd: dir });
    expect(none.stderr).toContain('no inventory given and inventories/default.yml does not exist; found: prod, staging');
    noStack(r.stderr + none.stderr);
  });

  it('exits 4 on a bad option value', async () => {
    const r = await omsrun(['site.yml', '--forks', 'many'], { cwd: workdir({}) });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('expected a whole number of at least 1, got "many"');
  });

  it('exits 2 when a task fails, writes a retry file, and --limit @retry reruns only those hosts', async () => {
    const play = "- hosts: web\n  tasks:\n    - name: picky\n      command: { argv: [test, -e, '@DIR@/ok-{{ inventory_hostname }}'] }\n";
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': play, 'ok-h1': '' });
    const r = await omsrun(['site.yml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('FAILED: 1 failed (h2) of 2 hosts');
    expect(readFileSync(path.join(dir, 'site.retry'), 'utf8')).toBe('h2\n');
    const again = await omsrun(['site.yml', '-l', '@site.retry'], { cwd: dir });
    expect(again.stdout).toContain('failed: [h2]');
    expect(again.stdout).not.toContain('[h1]');
  });

  it('exits 3 when a host is unreachable and the others finish', async () => {
    const hosts = `all:\n  hosts:\n    good:\n      ansible_connection: local\n    gone:\n      ansible_host: 127.0.0.1\n      ansible_port: 1\n`;
    const dir = workdir({ 'inventories/default.yml': hosts, 'site.yml': '- hosts: all\n  tasks:\n    - name: t\n      debug: { msg: hi }\n' });
    const r = await omsrun(['site.yml'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('unreachable: [gone]');
    expect(r.stdout).toContain('ok: [good]');
    expect(r.stdout).toMatch(/gone +: ok=0 +changed=0 +failed=0 +skipped=0 +unreachable=1/);
  });

  it('exits 70 with the stack when a module hits a bug (not a failed task); OMSRUN_DEBUG=1 maps it to src/', async () => {
    const bug = simulatedBug();
    const dir = workdir(bug.files);
    const r = await omsrun(['bug.yml'], { cwd: dir, env: bug.env(dir) });
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(
      /^omsrun: internal error \(please report it \(OMSRUN_DEBUG=1 maps the stack to the source\)\): TypeError: Cannot read properties of undefined \(reading 'length'\)\n {4}at /,
    );
    expect(r.stdout).not.toContain('failed:');
    const mapped = await omsrun(['bug.yml'], { cwd: dir, env: { ...bug.env(dir), OMSRUN_DEBUG: '1' } });
    expect(mapped.code).toBe(70);
    expect(mapped.stderr).toMatch(/^omsrun: internal error \(please report it\): TypeError: /);
    expect(mapped.stderr).toMatch(/\n {4}at show \(\S*src\/modules\/debug\.ts:\d+:\d+\)\n/);
  });

  it('writes one JSON event per line with --json', async () => {
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': PLAY });
    const r = await omsrun(['site.yml', '--json'], { cwd: dir });
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(events[0]!.kind).toBe('run_start');
    expect(events.at(-1)).toMatchObject({ kind: 'recap', interrupted: false });
    expect(events.filter((e) => e.kind === 'host_task_result'), r.stdout).toHaveLength(4);
  });

  it('exits 130 on SIGINT after printing the recap so far', async () => {
    const play = "- hosts: localhost\n  tasks:\n    - name: long\n      command: { argv: [sleep, '60'] }\n    - name: after\n      debug: { msg: x }\n";
    const dir = workdir({ 'site.yml': play });
    let sent = false;
    const r = await omsrun(['site.yml'], {
      cwd: dir,
      onStdout: (out, kill) => {
        if (!sent && out.includes('TASK [long]')) {
          sent = true;
          setTimeout(() => kill('SIGINT'), 200);
        }
      },
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toContain('INTERRUPTED after');
    expect(r.stdout).not.toContain('TASK [after]');
  });
  it('reads INI inventories, several -i and host lists; a play on an empty group warns and is skipped', async () => {
    const ini = '[web]\nh1 greeting=hello\nh2 greeting="good day"\n[empty]\n[all:vars]\nansible_connection=local\n';
    const play = '- hosts: web\n  tasks:\n    - name: greet\n      debug: { msg: "{{ greeting }} from {{ inventory_hostname }}" }\n- hosts: empty\n  tasks:\n    - debug: { msg: never }\n';
    const dir = workdir({ 'hosts.ini': ini, 'site.yml': play });
    const listed = await omsrun(['site.yml', '-i', 'hosts.ini', '-i', 'solo1,solo2,', '--list-hosts'], { cwd: dir });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('play "web" (2 hosts):\n    h1\n    h2');
    const r = await omsrun(['site.yml', '-i', 'hosts.ini'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: [h2] => good day from h2');
    expect(r.stdout + r.stderr).toContain('no hosts matched "empty"');
    const bad = await omsrun(['site.yml', '-i', 'hosts.ini', '-i', 'broken.ini'], { cwd: workdir({ 'hosts.ini': ini, 'broken.ini': '[web:vars]\nport\n', 'site.yml': play }) });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('broken.ini:2:1 [web:vars]: INI inventory: expected key=value, got "port"');
    noStack(bad.stderr);
  });
});
