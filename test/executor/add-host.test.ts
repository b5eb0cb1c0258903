// add_host and group_by change the run's inventory: later plays select the new hosts and groups, which are connected
// (and locked) when their play starts. Local connections, as the other engine tests.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
