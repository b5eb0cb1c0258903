import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { omsrun, workdir } from './cli-helper.js';

const HOSTS = `all:
  vars:
    ansible_connection: local
  hosts:
    h1: { role_name: primary, weight: "3" }
    h2: { role_name: standby, weight: "1" }
`;

const PLAY = `- name: filters
  hosts: all
  vars:
    users:
      - { name: ann, admin: true, shell: /bin/bash }
      - { name: bob, admin: false }
    base: { log: { level: info }, port: 80 }
  tasks:
    - name: compute
      set_fact:
        admins: "{{ users | selectattr('admin') | map(attribute='name') | list }}"
        conf: "{{ base | combine({'log': {'file': '/var/log/app.log'}}, recursive=true) }}"
        ports: "{{ extra_ports | default([8088, 8089]) }}"
        total_weight: "{{ groups['all'] | map('extract', hostvars, 'weight') | map('int') | sum }}"
        primary: "{{ groups['all'] | select('search', '1') | first }}"
    - name: typed values
      assert:
        that:
          - admins == ['ann']
          - ports | length == 2 and ports[0] is number
          - total_weight == 4
          - conf.log.level == 'info' and conf.log.file is search('app')
          - "'1.10.2' is version('1.9', '>=')"
          - users | rejectattr('admin') | map(attribute='shell', default='sh') | first == 'sh'
    - name: write
      template:
        src: app.conf.hbs
        dest: "@DIR@/app-{{ inventory_hostname }}.conf"
    - name: only on the primary
      copy:
        content: "{{ role_name | upper ~ ':' ~ (conf | to_json) }}"
        dest: "@DIR@/primary.txt"
      when: inventory_hostname == primary and role_name is match('prim')
`;

const TEMPLATE = `# {{ inventory_hostname }} ({{ role_name | default('none') | capitalize }})
port = {{ conf.port | int + 1 }}
admins = {{ admins | join(', ') }}
{{#each users}}
user {{ name | upper }} {{ shell | default('/bin/sh') | basename }}
{{/each}}
level = {{ conf['log']['level'] }}
`;

describe('a playbook with Ansible filters and tests', () => {
  it('runs over the local connection, keeps value types, and converges', async () => {
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': PLAY, 'app.conf.hbs': TEMPLATE });
    const first = await omsrun(['site.yml'], { cwd: dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(readFileSync(path.join(dir, 'app-h1.conf'), 'utf8')).toBe(
      '# h1 (Primary)\nport = 81\nadmins = ann\nuser ANN bash\nuser BOB sh\nlevel = info\n',
    );
    expect(readFileSync(path.join(dir, 'primary.txt'), 'utf8')).toBe(
      'PRIMARY:{"log": {"level": "info", "file": "/var/log/app.log"}, "port": 80}',
    );
    expect(first.stdout).toMatch(/h2 +: ok=\d+ +changed=1 +failed=0 +skipped=1/);
    const second = await omsrun(['site.yml'], { cwd: dir });
    expect(second.stdout).toContain('OK: 2 hosts, 0 changes in');
  });

  it('reports Jinja statements and unknown filters before anything runs, with file:line:column', async () => {
    const play = `- hosts: all
  tasks:
    - name: jinja if
      debug:
        msg: "{% if weight %}heavy{% endif %}"
    - name: typo
      debug:
        msg: "{{ weight | defualt(1) }}"
`;
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': play });
    const r = await omsrun(['site.yml'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'site.yml:5:14 [0].tasks[0].debug.msg: template syntax error: line 1 column 1: Jinja "{% if weight %}" is not supported (write {{#if cond}}...{{else}}...{{/if}} (Handlebars)',
    );
    expect(r.stderr).toContain('site.yml:8:14 [0].tasks[1].debug.msg: template syntax error: line 1 in {{ weight | defualt(1) }}: unknown filter "defualt" (did you mean "default"?)');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('names the undefined variable, the task and the place when no default covers it', async () => {
    const play = `- hosts: h1
  tasks:
    - name: show
      debug:
        msg: "{{ wieght | int * 2 }}"
`;
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'site.yml': play });
    const r = await omsrun(['site.yml'], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('undefined variable "wieght" in "{{ wieght | int * 2 }}"');
    expect(`${r.stdout}${r.stderr}`).toContain('did you mean "weight"?');
  });
});
