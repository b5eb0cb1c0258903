// Ansible's engine actions run over local connections: include_vars (files, folders, roles' vars/, vault) and meta.
import { describe, expect, it } from 'vitest';
import { encryptText } from '../../src/vault/index.js';
import { LOCAL_HOSTS, runYaml } from '../helpers/run-playbook.js';
import { useVaultPassword } from '../helpers/vault-password.js';

const PASSWORD = useVaultPassword();

const msgs = (r: Awaited<ReturnType<typeof runYaml>>, task: string, host = 'localhost') => {
  const res = r.results(task)[host];
  return res ? (res.results ?? [res]).map((x) => x.msg) : [];
};

describe('include_vars', () => {
  it('reads a file (free form, templated), a folder with filters and name, a vault file, and a role\'s vars/', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  vars: { family: Debian }
  tasks:
    - include_vars: "{{ family }}.yml"
    - name: free form
      debug: { msg: "{{ pkg }}" }
    - ansible.builtin.include_vars: { dir: conf, files_matching: '^app', ignore_files: ['skip.yml'], name: conf, hash_behaviour: merge }
      register: inc
    - name: folder
      debug: { msg: "{{ conf.a }} {{ conf.m.x }} {{ conf.m.y }} {{ conf.deep | default('none') }} {{ inc.ansible_included_var_files | length }}" }
    - include_vars: { file: secret.yml }
    - name: vault
      debug: { msg: "{{ token | length }}" }
    - include_role: { name: web }
`,
      {
        files: {
          'Debian.yml': 'pkg: apache2\n',
          'conf/app1.yml': 'a: 1\nm: { x: 1 }\n',
          'conf/app2.json': '{"m": {"y": 2}}',
          'conf/skip.yml': 'a: 9\n',
          'conf/other.yml': 'a: 8\n',
          'conf/sub/app3.yml': 'deep: 3\n',
          'secret.yml': encryptText('token: abcdef\n', PASSWORD),
          'roles/web/vars/os.yml': 'port: 8080\n',
          'roles/web/tasks/main.yml': '- include_vars: os.yml\n- name: role\n  debug: { msg: "{{ port }}" }\n',
        },
      },
    );
    expect(r.summary.stats.localhost).toMatchObject({ failed: 0 });
    expect(msgs(r, 'free form')).toEqual(['apache2']);
    expect(msgs(r, 'folder')).toEqual(['1 1 2 3 3']);
    expect(msgs(r, 'vault')).toEqual(['6']);
    expect(msgs(r, 'role')).toEqual(['8080']);
  });

  it('depth limits the folders read; a missing file fails the task naming where it looked; bad arguments fail at load time', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  tasks:
    - include_vars: { dir: conf, depth: 1 }
    - name: depth
      debug: { msg: "{{ deep | default('none') }}" }
    - name: missing
      include_vars: nothere.yml
      ignore_errors: true
`,
      { files: { 'conf/a.yml': 'a: 1\n', 'conf/sub/b.yml': 'deep: 1\n' } },
    );
    expect(msgs(r, 'depth')).toEqual(['none']);
    expect(msgs(r, 'missing')).toEqual([`file nothere.yml not found (looked in ${r.dir}/vars and ${r.dir})`]);
    await expect(runYaml('- hosts: localhost\n  tasks:\n    - include_vars: { file: a.yml, dir: b }\n')).rejects.toThrow(
      /site.yml:3:21 .*include_vars: expected exactly one of file \(or a free-form path\) or dir/,
    );
  });
});

describe('meta', () => {
  it('flush_handlers runs the notified handlers at that point, once', async () => {
    const r = await runYaml(
      `
- hosts: web
  tasks:
    - name: change
      command: echo hi
      notify: restart
    - meta: flush_handlers
    - name: after
      debug: { msg: after }
  handlers:
    - name: restart
      debug: { msg: restarted }
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(r.ran('h1')).toEqual(['change', 'meta', 'restart', 'after']);
    expect(r.summary.stats.h2).toMatchObject({ failed: 0 });
  });

  it('end_host ends the play on the hosts where its when holds; end_play on all; the next play runs', async () => {
    const r = await runYaml(
      `
- hosts: all
  tasks:
    - meta: end_host
      when: inventory_hostname == 'h1'
    - name: one
      debug: { msg: one }
    - ansible.builtin.meta: end_play
    - name: two
      debug: { msg: two }
- hosts: h1
  tasks:
    - name: next play
      debug: { msg: next }
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(r.ran('h1')).toEqual(['meta', 'next play']);
    expect(r.ran('h2')).toEqual(['meta', 'one', 'meta']);
    expect(r.summary.stats.h1).toMatchObject({ failed: 0, skipped: 0 });
  });

  it('end_batch ends only the batch; clear_host_errors lets failed hosts go on; noop, clear_facts and reset_connection do no harm', async () => {
    const r = await runYaml(
      `
- hosts: web
  serial: 1
  tasks:
    - name: first
      debug: { msg: first }
    - meta: end_batch
    - name: never
      debug: { msg: never }
- hosts: web
  tasks:
    - name: boom
      command: /bin/false
      when: inventory_hostname == 'h1'
    - meta: clear_host_errors
    - meta: noop
    - meta: clear_facts
    - meta: reset_connection
    - name: still here
      debug: { msg: "{{ ansible_hostname | length > 0 }}" }
`,
      { inventory: LOCAL_HOSTS },
    );
    // clear_host_errors runs where hosts are still active (h2) and brings h1 back.
    expect(r.ran('h1')).toEqual(['first', 'meta', 'boom', 'meta', 'meta', 'meta', 'still here']);
    expect(r.ran('h2')).toEqual(['first', 'meta', 'boom', 'meta', 'meta', 'meta', 'meta', 'still here']);
    expect(msgs(r, 'still here', 'h1')).toEqual(['true']);
    expect(r.summary.stats.h1).toMatchObject({ failed: 1 });
  });

  it('an unknown meta action fails at load time, listing the actions', async () => {
    await expect(runYaml('- hosts: localhost\n  tasks:\n    - meta: flush\n')).rejects.toThrow(/site.yml:3:13 .*meta: expected one of flush_handlers/);
  });
});
