import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_HOSTS, runYaml } from '../helpers/run-playbook.js';

describe('executor: conditions, loops, registers', () => {
  it('runs loops with a loop_var, skips by when per item, and registers per-item results', async () => {
    const r = await runYaml(`
- hosts: localhost
  tasks:
    - name: loop
      command: { argv: [echo, "{{ n }}"] }
      loop: [1, 2, 3]
      loop_control: { loop_var: n }
      when: n != 2
      register: out
    - name: count
      assert:
        that:
          - out.results | length == 3
          - out.results[0].stdout == '1'
          - out.results[1].skipped
          - out.results[2].item == 3
`);
    expect(r.results('loop').localhost!.results!.map((x) => x.status)).toEqual(['changed', 'skipped', 'changed']);
    expect(r.results('count').localhost!.status).toBe('ok');
    expect(r.summary.stats.localhost).toMatchObject({ ok: 2, changed: 1, failed: 0 });
  });

  it('applies changed_when and failed_when with the registered result', async () => {
    const r = await runYaml(`
- hosts: localhost
  tasks:
    - name: never changed
      command: echo hi
      register: a
      changed_when: false
    - name: fails on output
      command: echo ERROR found
      register: b
      failed_when: "'ERROR' in b.stdout"
`);
    expect(r.results('never changed').localhost!.status).toBe('ok');
    expect(r.results('fails on output').localhost).toMatchObject({ status: 'failed', msg: "failed_when condition matched: 'ERROR' in b.stdout" });
  });

  it('retries until the condition holds, and fails after the last attempt', async () => {
    const r = await runYaml(`
- hosts: localhost
  tasks:
    - name: count up
      shell: "echo x >> @DIR@/n; wc -l < @DIR@/n"
      register: c
      until: c.stdout | int >= 3
      retries: 5
      delay: 0
    - name: never
      command: echo no
      register: d
      until: d.stdout == 'yes'
      retries: 2
      delay: 0
`);
    expect(r.results('count up').localhost).toMatchObject({ status: 'changed', attempts: 3 });
    expect(r.results('never').localhost).toMatchObject({ status: 'failed', attempts: 3 });
    expect(r.results('never').localhost!.msg).toMatch(/^until condition not met after 3 attempts/);
  });

  it('reports an undefined variable as a task failure naming the variable, task and file', async () => {
    const r = await runYaml(`
- hosts: localhost
  tasks:
    - name: uses a missing var
      debug: { msg: "port {{ app_port }}" }
    - name: not reached
      debug: { msg: x }
`);
    const msg = r.results('uses a missing var').localhost!.msg!;
    expect(msg).toContain('undefined variable "app_port"');
    expect(msg).toContain('site.yml:4:7');
    expect(msg).toContain('uses a missing var');
    expect(r.ran('localhost')).toEqual(['uses a missing var']);
  });

  it('keeps set_fact and register results across plays, and exposes other hosts through hostvars', async () => {
    const r = await runYaml(
      `
- hosts: h1
  tasks:
    - set_fact: { token_seen: 42 }
- hosts: all
  tasks:
    - name: read
      assert:
        that:
          - hostvars.h1.token_seen == 42
          - hostvars.h3.role == 'db'
`,
      { inventory: LOCAL_HOSTS.replace('        h3:\n', '        h3:\n          role: db\n') },
    );
    expect(Object.values(r.results('read')).map((x) => x.status)).toEqual(['ok', 'ok', 'ok']);
  });
});

describe('executor: failures, blocks and handlers', () => {
  it('drops a failed host from the rest of the play; ignore_errors does not', async () => {
    const r = await runYaml(
      `
- hosts: all
  tasks:
    - name: fail on h2
      fail: { msg: boom }
      when: inventory_hostname == 'h2'
    - name: ignored
      command: "false"
      ignore_errors: true
    - name: after
      debug: { msg: ok }
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(r.ran('h2')).toEqual(['fail on h2']);
    expect(r.ran('h1')).toEqual(['fail on h2', 'ignored', 'after']);
    expect(r.summary.stats.h1).toMatchObject({ ok: 1, skipped: 1, failed: 0, ignored: 1 });
    expect(r.summary.stats.h2).toMatchObject({ ok: 0, failed: 1 });
  });

  it('rescues a failed block, always runs, and counts rescued instead of failed', async () => {
    const r = await runYaml(`
- hosts: localhost
  tasks:
    - block:
        - name: boom
          fail: { msg: boom }
        - name: skipped by failure
          debug: { msg: no }
      rescue:
        - name: fix
          debug: { msg: fixed }
      always:
        - name: tidy
          debug: { msg: tidy }
    - name: after
      debug: { msg: still here }
    - block:
        - name: boom again
          fail: { msg: boom }
      always:
        - name: tidy again
          debug: { msg: tidy }
    - name: unreachable after unrescued failure
      debug: { msg: no }
`);
    expect(r.ran('localhost')).toEqual(['boom', 'fix', 'tidy', 'after', 'boom again', 'tidy again']);
    expect(r.summary.stats.localhost).toMatchObject({ rescued: 1, failed: 1 });
  });

  it('runs a notified handler once at the end of the play, only when something changed', async () => {
    const play = `
- hosts: localhost
  handlers:
    - name: restart
      command: { argv: [sh, -c, "echo restarted >> @DIR@/restarts"] }
  tasks:
    - name: write a
      copy: { content: a, dest: "@DIR@/a" }
      notify: restart
    - name: write b
      copy: { content: b, dest: "@DIR@/b" }
      notify: [restart]
    - name: last
      debug: { msg: last }
`;
    const r = await runYaml(play);
    expect(r.ran('localhost')).toEqual(['write a', 'write b', 'last', 'restart']);
    expect(readFileSync(`${r.dir}/restarts`, 'utf8')).toBe('restarted\n');
  });

  it('skips handlers when nothing changed', async () => {
    const r = await runYaml(`
- hosts: localhost
  handlers:
    - name: restart
      debug: { msg: restarted }
  tasks:
    - name: nothing changes
      command: "true"
      changed_when: false
      notify: restart
`);
    expect(r.ran('localhost')).toEqual(['nothing changes']);
  });

  it('stops every host after a failure with any_errors_fatal', async () => {
    const r = await runYaml(
      `
- hosts: all
  any_errors_fatal: true
  tasks:
    - name: one fails
      fail: { msg: boom }
      when: inventory_hostname == 'h3'
    - name: next
      debug: { msg: next }
`,
      { inventory: LOCAL_HOSTS },
    );
    for (const h of ['h1', 'h2', 'h3']) expect(r.ran(h)).toEqual(['one fails']);
    expect(r.events.some((e) => e.kind === 'warning' && e.msg.includes('any_errors_fatal'))).toBe(true);
  });

  it('stops the play when max_fail_percentage is exceeded', async () => {
    const r = await runYaml(
      `
- hosts: all
  max_fail_percentage: 50
  tasks:
    - name: two fail
      fail: { msg: boom }
      when: inventory_hostname != 'h1'
    - name: next
      debug: { msg: next }
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(r.ran('h1')).toEqual(['two fail']);
    expect(r.events.some((e) => e.kind === 'warning' && e.msg.includes('max_fail_percentage 50% exceeded: 2 of 3 hosts failed'))).toBe(true);
  });
});
