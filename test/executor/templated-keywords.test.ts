// Task keywords written as templates, rendered per host when the task runs; literal ones are still checked at load time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_HOSTS, runYaml } from '../helpers/run-playbook.js';

describe('templated task keywords', () => {
  it('no_log, ignore_errors, environment, run_once, become, check_mode and diff take templates, per host', async () => {
    const r = await runYaml(
      `
- hosts: web
  vars:
    hide: "{{ inventory_hostname == 'h1' }}"
    proxy_env: { HTTP_PROXY: "http://proxy:3128", NO_PROXY: "{{ inventory_hostname }}" }
    once: "yes"
  tasks:
    - name: secret
      command: echo s3cret
      no_log: "{{ hide }}"
    - name: env
      command: sh -c 'echo $HTTP_PROXY $NO_PROXY'
      environment: "{{ proxy_env }}"
    - name: may fail
      command: /bin/false
      ignore_errors: "{{ inventory_hostname == 'h2' }}"
    - name: once
      command: hostname
      run_once: "{{ once }}"
    - name: become nobody
      command: id -un
      become: "{{ false }}"
      check_mode: "{{ 'no' }}"
      diff: "{{ true }}"
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(r.results('secret').h1!.stdout).toBeUndefined();
    expect(r.results('secret').h2!.stdout).toBe('s3cret');
    expect(r.results('env').h2!.stdout).toBe('http://proxy:3128 h2');
    expect(r.results('may fail').h1!.status).toBe('failed');
    expect(r.results('may fail').h2!).toMatchObject({ status: 'failed', ignored: true });
    expect(Object.keys(r.results('once'))).toEqual(['h2']);
    expect(r.summary.stats.h2).toMatchObject({ failed: 0, ignored: 1 });
    expect(r.summary.stats.h1).toMatchObject({ failed: 1 });
  });

  it('a template that yields no boolean or mapping fails the task naming the keyword', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  vars: { maybe: perhaps, env_list: [a, b] }
  tasks:
    - name: flag
      command: echo hi
      no_log: "{{ maybe }}"
      ignore_errors: true
    - name: env
      command: echo hi
      environment: "{{ env_list }}"
`,
    );
    expect(r.results('flag').localhost!).toMatchObject({
      status: 'failed',
      ignored: true,
      msg: `${r.dir}/site.yml:5:7 task "flag": no_log: expected true or false, got "perhaps" from "{{ maybe }}"`,
    });
    expect(r.results('env').localhost!.msg).toBe(
      `${r.dir}/site.yml:9:7 task "env": environment: expected a mapping of variable names to values, got a list from "{{ env_list }}"`,
    );
  });

  it('literal values are still checked when the playbook loads, and so is the template syntax', async () => {
    await expect(runYaml('- hosts: localhost\n  tasks:\n    - command: echo\n      no_log: perhaps\n')).rejects.toThrow(
      /site.yml:4:15 \[0\]\.tasks\[0\]\.no_log: expected true or false, or a template such as "\{\{ var \}\}"/,
    );
    await expect(runYaml('- hosts: localhost\n  tasks:\n    - command: echo\n      become: "{{ x | nope }}"\n')).rejects.toThrow(/become.*unknown filter "nope"/);
  });
});

describe('throttle', () => {
  it('runs the task on at most N hosts at once (on a task, and inherited from a block)', async () => {
    const r = await runYaml(
      `
- hosts: all
  tasks:
    - name: one at a time
      shell: echo "start {{ inventory_hostname }}" >> @DIR@/log; sleep 0.2; echo "end {{ inventory_hostname }}" >> @DIR@/log
      throttle: 1
    - block:
        - name: block one at a time
          shell: echo "start" >> @DIR@/log2; sleep 0.2; echo "end" >> @DIR@/log2
      throttle: 1
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(r.summary.stats.h3).toMatchObject({ failed: 0 });
    for (const file of ['log', 'log2']) {
      const lines = readFileSync(`${r.dir}/${file}`, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(6);
      // Never two starts in a row: each host ended before the next began.
      lines.forEach((l, i) => expect(l.split(' ')[0], `${file} line ${i}`).toBe(i % 2 === 0 ? 'start' : 'end'));
    }
  });

  it('refuses a throttle that is no positive whole number', async () => {
    await expect(runYaml('- hosts: localhost\n  tasks:\n    - command: echo\n      throttle: 0\n')).rejects.toThrow(/site.yml:4:17 \[0\]\.tasks\[0\]\.throttle: /);
  });
});
