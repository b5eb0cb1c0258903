// add_host and group_by change the run's inventory: later plays select the new hosts and groups, which are connected
// (and locked) when their play starts. Local connections, as the other engine tests.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addHostData } from '../../src/modules/add-host.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { tree } from '../inventory/tmp-tree.js';
import { LOCAL_HOSTS, runYaml } from '../helpers/run-playbook.js';

const msgs = (r: Awaited<ReturnType<typeof runYaml>>, task: string) =>
  Object.fromEntries(Object.entries(r.results(task)).map(([host, res]) => [host, (res.results ?? [res]).map((x) => x.msg)]));

describe('add_host and group_by', () => {
  it('adds hosts with variables and groups (once per task, each loop item), groups hosts by a key; later plays run on them', async () => {
    const lock = path.join(tmpdir(), `omsrun-addhost-${process.pid}.lock`);
    const r = await runYaml(
      `
- hosts: all
  tasks:
    - name: new hosts
      add_host: { name: "n{{ item }}", groups: [extra, "made_{{ item }}"], ansible_connection: local, role_of: "r{{ item }}" }
      loop: [1, 2]
    - name: known host joins a group
      add_host: { hostname: h3, groups: extra, note: from-add-host }
    - name: by key
      group_by: { key: "kind_{{ 'web' if inventory_hostname in groups['web'] else 'other' }}", parents: [sorted] }
- hosts: extra
  tasks:
    - name: on added
      debug: { msg: "{{ role_of | default('-') }} {{ note | default('-') }} {{ group_names | join(',') }} {{ groups['extra'] | join(',') }}" }
- hosts: kind_web:&sorted
  tasks:
    - name: grouped
      debug: { msg: "{{ groups['kind_web'] | join(',') }} / {{ groups['kind_other'] | join(',') }}" }
- hosts: never_made
  tasks:
    - name: nowhere
      debug: { msg: nothing }
`,
      { inventory: LOCAL_HOSTS, lock: true, extraVars: { omsrun_lock_path: lock } },
    );
    expect(r.events.filter((e) => e.kind === 'warning' && e.msg.includes('lock'))).toEqual([]);
    expect(existsSync(lock)).toBe(false);
    expect(Object.keys(r.results('new hosts'))).toEqual(['h1']);
    expect(msgs(r, 'on added')).toEqual({
      h3: ['- from-add-host db,extra,sorted,kind_other h3,n1,n2'],
      n1: ['r1 - extra,made_1 h3,n1,n2'],
      n2: ['r2 - extra,made_2 h3,n1,n2'],
    });
    expect(msgs(r, 'grouped')).toEqual({ h1: ['h1,h2 / h3'], h2: ['h1,h2 / h3'] });
    expect(r.results('nowhere')).toEqual({});
    expect(r.events).toContainEqual(expect.objectContaining({ kind: 'warning', msg: expect.stringContaining('no hosts matched "never_made"') }));
    for (const host of ['h1', 'h2', 'h3', 'n1', 'n2']) expect(r.summary.stats[host]).toMatchObject({ failed: 0, unreachable: 0 });
  });

  it('refuses a host pattern that matches nothing in a playbook without add_host or group_by, as before', async () => {
    await expect(runYaml('- hosts: nothere\n  tasks:\n    - debug: { msg: x }\n', { inventory: LOCAL_HOSTS })).rejects.toThrow(
      'host pattern "nothere" matches no host or group',
    );
  });

  it('splits host:port as the inventory does: [v6]:port, name:port; a bare IPv6 address or an alias stays whole', async () => {
    const split = (name: string) => {
      const d = addHostData({ name, note: 1 });
      return [d.host_name, d.host_vars];
    };
    expect(split('[fe80::1]:2222')).toEqual(['fe80::1', { ansible_port: 2222, note: 1 }]);
    expect(split('db-1.example.com:2200')).toEqual(['db-1.example.com', { ansible_port: 2200, note: 1 }]);
    expect(split('2001:db8::1:22')).toEqual(['2001:db8::1:22', { note: 1 }]);
    expect(split('web alias')).toEqual(['web alias', { note: 1 }]);
    const r = await runYaml(
      `
- hosts: h1
  vars: { v4: 127.0.0.2 }
  tasks:
    - add_host: { name: "[::1]:{{ 2000 + 22 }}", groups: added, ansible_connection: local }
    - add_host: { name: "{{ v4 }}:2200", groups: added, ansible_connection: local }
- hosts: added
  tasks:
    - name: on added
      debug: { msg: "{{ inventory_hostname }} {{ ansible_port }}" }
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(msgs(r, 'on added')).toEqual({ '::1': ['::1 2022'], '127.0.0.2': ['127.0.0.2 2200'] });
  });

  it('refuses a name with a port whose host is no valid name or address, naming the place and key', async () => {
    await expect(runYaml('- hosts: h1\n  tasks:\n    - add_host: { name: "bad host:22", groups: x }\n', { inventory: LOCAL_HOSTS })).rejects.toThrow(
      /site.yml:3:25 \[0\]\.tasks\[0\]\.add_host\.name: expected host:port with a valid host name or address .*got "bad host:22"; a name that is no address takes no port/,
    );
    const r = await runYaml('- hosts: h1\n  vars: { p: 70000 }\n  tasks:\n    - name: templated\n      add_host: { name: "web1:{{ p }}" }\n', { inventory: LOCAL_HOSTS });
    expect(r.results('templated').h1).toMatchObject({ status: 'failed', msg: expect.stringContaining('site.yml:4:7 task "templated": args.name: expected host:port with a valid host name or address and a port from 1 to 65535') });
  });

  it('knows when the play is loaded which tasks run once for all hosts by nature (add_host, pause), whatever run_once says', async () => {
    tree({ 'once.yml': '- hosts: all\n  tasks:\n    - add_host: { name: n1 }\n    - ansible.builtin.pause: { seconds: 0 }\n      run_once: false\n    - debug: { msg: x }\n      run_once: true\n' });
    const tasks = (await loadPlaybook('once.yml')).plays[0]!.tasks;
    expect(tasks.map((t) => (t.kind === 'task' ? [t.module, t.moduleRunsOnce ?? false] : []))).toEqual([
      ['add_host', true],
      ['pause', true],
      ['debug', false],
    ]);
  });
});
