// Task keywords written as templates, rendered per host when the task runs; literal ones are still checked at load time.
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
