import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_HOSTS, runYaml } from '../helpers/run-playbook.js';

const TAGGED = `
- hosts: localhost
  tasks:
    - name: setup
      debug: { msg: setup }
      tags: [setup]
    - name: deploy
      debug: { msg: deploy }
      tags: [deploy]
    - name: untagged
      debug: { msg: untagged }
    - name: always
      debug: { msg: always }
      tags: [always]
    - name: never
      debug: { msg: never }
      tags: [never, debug]
    - block:
        - name: inside
          debug: { msg: inside }
      tags: [deploy]
`;

describe('executor: task selection', () => {
  it('runs everything but never-tagged tasks by default', async () => {
    expect((await runYaml(TAGGED)).ran('localhost')).toEqual(['setup', 'deploy', 'untagged', 'always', 'inside']);
  });

  it('--tags selects tagged tasks (block tags flow down), always runs, never runs only when named', async () => {
    expect((await runYaml(TAGGED, { tags: ['deploy'] })).ran('localhost')).toEqual(['deploy', 'always', 'inside']);
    expect((await runYaml(TAGGED, { tags: ['debug'] })).ran('localhost')).toEqual(['always', 'never']);
  });

  it('--skip-tags removes tasks, blocks included', async () => {
    expect((await runYaml(TAGGED, { skipTags: ['deploy', 'always'] })).ran('localhost')).toEqual(['setup', 'untagged']);
  });

  it('--start-at-task skips everything before the named task', async () => {
    expect((await runYaml(TAGGED, { startAtTask: 'untagged' })).ran('localhost')).toEqual(['untagged', 'always', 'inside']);
  });

  it('--limit narrows the play hosts', async () => {
    const r = await runYaml('- hosts: all\n  tasks:\n    - name: t\n      debug: { msg: hi }\n', { inventory: LOCAL_HOSTS, limit: 'web:!h2' });
    expect(Object.keys(r.results('t'))).toEqual(['h1']);
  });
});

describe('executor: hosts and strategies', () => {
  it('runs serial batches one after another, each finishing all tasks first', async () => {
    const r = await runYaml('- hosts: all\n  serial: [1, 2]\n  tasks:\n    - name: a\n      debug: { msg: a }\n    - name: b\n      debug: { msg: b }\n', {
      inventory: LOCAL_HOSTS,
    });
    const order = r.events.flatMap((e) => (e.kind === 'host_task_result' ? [`${e.host}:${e.task.name}`] : []));
    expect(order.slice(0, 2)).toEqual(['h1:a', 'h1:b']);
    expect(order.slice(2).sort()).toEqual(['h2:a', 'h2:b', 'h3:a', 'h3:b']);
    expect(order.indexOf('h2:b')).toBeGreaterThan(order.indexOf('h3:a'));
  });

  it('stops a rolling play when every host of a batch failed, and says which hosts were not started', async () => {
    const play = `
- name: rolling
  hosts: all
  serial: 1
  tasks:
    - name: step
      command: { argv: [sh, -c, 'test "$0" != h2', "{{ inventory_hostname }}"] }
`;
    const r = await runYaml(play, { inventory: LOCAL_HOSTS });
    expect(Object.fromEntries(Object.entries(r.results('step')).map(([h, x]) => [h, x.status]))).toEqual({ h1: 'changed', h2: 'failed' });
    expect(r.events).toContainEqual(expect.objectContaining({ kind: 'warning', msg: 'stopping play "rolling": every host of the batch failed (h2); not started on h3' }));
  });

  it('goes on past a batch whose failures were not the whole batch', async () => {
    const play = "- hosts: all\n  serial: 2\n  tasks:\n    - name: step\n      command: { argv: [sh, -c, 'test \"$0\" != h2', '{{ inventory_hostname }}'] }\n";
    const r = await runYaml(play, { inventory: LOCAL_HOSTS });
    expect(Object.keys(r.results('step')).sort()).toEqual(['h1', 'h2', 'h3']);
  });

  it('run_once runs on the first host and shares the registered result', async () => {
    const r = await runYaml(
      `
- hosts: all
  tasks:
    - name: once
      command: { argv: [echo, "{{ inventory_hostname }}"] }
      run_once: true
      register: first
    - name: everyone sees it
      assert: { that: ["first.stdout == 'h1'"] }
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(Object.keys(r.results('once'))).toEqual(['h1']);
    expect(Object.values(r.results('everyone sees it')).map((x) => x.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('pause runs once for the play, whatever the number of hosts, and every host sees what it registered', async () => {
    const r = await runYaml(
      `
- hosts: all
  tasks:
    - name: wait
      pause: { seconds: 1, prompt: "letting the cluster settle" }
      register: waited
    - name: everyone sees it
      assert: { that: ["waited.delta >= 0", "waited.user_input == ''"] }
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(Object.keys(r.results('wait'))).toEqual(['h1']);
    expect(r.results('wait')['h1']).toMatchObject({ status: 'ok', msg: 'paused for 1 s' });
    expect(Object.values(r.results('everyone sees it')).map((x) => x.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('a pause that waits for an answer fails saying why and what to write instead', async () => {
    const r = await runYaml("- hosts: all\n  tasks:\n    - name: ask\n      pause: { prompt: 'Deploy to prod?' }\n", { inventory: LOCAL_HOSTS });
    expect(Object.keys(r.results('ask'))).toEqual(['h1']);
    expect(r.results('ask')['h1']).toMatchObject({
      status: 'failed',
      msg: 'the prompt "Deploy to prod?" waits for an answer, and omsrun reads no answers during a run; give seconds or minutes to wait instead',
    });
  });

  it('strategy free lets each host run ahead on its own', async () => {
    const r = await runYaml(
      `
- hosts: all
  strategy: free
  tasks:
    - name: slow on h1
      command: { argv: [sleep, "0.5"] }
      when: inventory_hostname == 'h1'
    - name: next
      debug: { msg: next }
`,
      { inventory: LOCAL_HOSTS },
    );
    const order = r.events.flatMap((e) => (e.kind === 'host_task_result' ? [`${e.host}:${e.task.name}`] : []));
    expect(order.indexOf('h2:next')).toBeLessThan(order.indexOf('h1:slow on h1'));
    expect(order).toContain('h1:next');
  });

  it('delegate_to localhost runs on the controller', async () => {
    const r = await runYaml(
      "- hosts: h2\n  tasks:\n    - name: d\n      command: { argv: [touch, '@DIR@/delegated'] }\n      delegate_to: localhost\n",
      { inventory: LOCAL_HOSTS },
    );
    expect(r.results('d').h2!.status).toBe('changed');
    expect(existsSync(`${r.dir}/delegated`)).toBe(true);
  });
});

describe('executor: modes and safety', () => {
  it('check mode changes nothing and skips commands', async () => {
    const r = await runYaml(
      "- hosts: localhost\n  tasks:\n    - name: f\n      copy: { content: x, dest: '@DIR@/f' }\n    - name: c\n      command: { argv: [touch, '@DIR@/c'] }\n",
      { check: true },
    );
    expect(r.results('f').localhost!.status).toBe('changed');
    expect(r.results('c').localhost!.status).toBe('skipped');
    expect(existsSync(`${r.dir}/f`) || existsSync(`${r.dir}/c`)).toBe(false);
  });

  it('check_mode: false runs a task for real under --check (a probe the plan needs); the others stay planned', async () => {
    const r = await runYaml(
      "- hosts: localhost\n  tasks:\n    - name: probe\n      command: { argv: [touch, '@DIR@/probed'] }\n      check_mode: false\n"
        + "    - name: c\n      command: { argv: [touch, '@DIR@/c'] }\n",
      { check: true },
    );
    expect(r.results('probe').localhost!.status).toBe('changed');
    expect(existsSync(`${r.dir}/probed`)).toBe(true);
    expect(r.results('c').localhost!.status).toBe('skipped');
    expect(existsSync(`${r.dir}/c`)).toBe(false);
  });

  it('no_log hides output and messages, even of failures', async () => {
    const r = await runYaml('- hosts: localhost\n  tasks:\n    - name: s\n      shell: { cmd: "echo hush-123; exit 3" }\n      no_log: true\n');
    const text = JSON.stringify(r.events);
    expect(text).not.toContain('hush-123');
    expect(r.results('s').localhost).toMatchObject({ status: 'failed', msg: 'the output has been hidden due to no_log: true' });
  });

  it('masks registered secrets in every event', async () => {
    const r = await runYaml('- hosts: localhost\n  tasks:\n    - name: s\n      command: { argv: [echo, "token=S3cret-Value"] }\n', {
      secrets: ['S3cret-Value'],
    });
    expect(JSON.stringify(r.events)).not.toContain('S3cret-Value');
    expect(r.results('s').localhost!.stdout).toBe('token=********');
  });

  it('fails a task that runs past its timeout and kills the command', async () => {
    const started = Date.now();
    const r = await runYaml('- hosts: localhost\n  tasks:\n    - name: slow\n      command: { argv: [sleep, "30"] }\n      timeout: 1\n');
    expect(r.results('slow').localhost).toMatchObject({ status: 'failed', msg: 'task timed out after 1 s' });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('an interrupt stops running commands, starts nothing new and reports interrupted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await runYaml('- hosts: localhost\n  tasks:\n    - name: slow\n      command: { argv: [sleep, "30"] }\n    - name: later\n      debug: { msg: x }\n', {
      signal: ac.signal,
    });
    expect(r.summary.interrupted).toBe(true);
    expect(r.ran('localhost')).not.toContain('later');
    expect(r.events.at(-1)).toMatchObject({ kind: 'recap', interrupted: true });
  });
});
