// Roles through the built CLI: layout, variable layers, src lookups, handlers, when/tags, load errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { omsrun, workdir } from './cli-helper.js';

const ROLE = {
  'roles/web/tasks/main.yml': `- name: config
  template: { src: web.conf.hbs, dest: "@DIR@/out/web-{{ inventory_hostname }}.conf" }
  notify: reload web
- name: static
  copy: { src: index.html, dest: "@DIR@/out/index-{{ inventory_hostname }}.html" }
- name: show
  debug: { msg: "port={{ web_port }} name={{ web_name }} user={{ web_user }} tier={{ tier }}" }
`,
  'roles/web/handlers/main.yml': '- name: reload web\n  debug: { msg: "reloaded {{ inventory_hostname }}" }\n',
  'roles/web/defaults/main.yml': 'web_port: 80\nweb_name: default-name\nweb_user: www\ntier: default\n',
  'roles/web/vars/main.yml': 'web_user: role-user\n',
  'roles/web/templates/web.conf.hbs': 'listen {{ web_port }}\n',
  'roles/web/files/index.html': '<h1>hi</h1>\n',
  'inventories/default.yml': 'all:\n  vars:\n    ansible_connection: local\n    tier: inventory\n  hosts:\n    h1: { web_port: 8080 }\n    h2:\n',
};

const PLAY = `- hosts: all
  pre_tasks:
    - file: { path: "@DIR@/out", state: directory }
  roles:
    - { role: web, web_name: from-param, tags: [web] }
    - role: web
      when: inventory_hostname == "nobody"
  tasks:
    - debug: { msg: after the roles }
`;

describe('roles', () => {
  it('run after pre_tasks with defaults under the inventory, role vars and parameters above it, their own templates/ and files/, and handlers once', async () => {
    const dir = workdir({ ...ROLE, 'site.yml': PLAY });
    const r = await omsrun(['site.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('ok: [h1] => port=8080 name=from-param user=role-user tier=inventory');
    expect(r.stdout).toContain('ok: [h2] => port=80 name=from-param user=role-user tier=inventory');
    expect(readFileSync(path.join(dir, 'out/web-h1.conf'), 'utf8')).toBe('listen 8080\n');
    expect(readFileSync(path.join(dir, 'out/index-h2.html'), 'utf8')).toBe('<h1>hi</h1>\n');
    expect(r.stdout.split('RUNNING HANDLER [reload web]').length - 1).toBe(1);
    expect(r.stdout).toContain('ok: [h1] => reloaded h1');
    expect(r.stdout.indexOf('port=8080')).toBeLessThan(r.stdout.indexOf('after the roles'));
    expect(r.stdout).toMatch(/h1 +: ok=6 +changed=3 +failed=0 +skipped=3/);
    const skipped = await omsrun(['site.yml', '--skip-tags', 'web'], { cwd: dir });
    expect(skipped.stdout).not.toContain('port=');
  });

  it('reports a missing role, a bad entry and a broken role file with positions, before anything runs', async () => {
    const dir = workdir({
      ...ROLE,
      'roles/broken/tasks/main.yml': '- name: x\n  debugg: { msg: 1 }\n',
      'site.yml': '- hosts: all\n  roles:\n    - nosuch\n    - { role: web, become: maybe }\n    - broken\n',
    });
    const r = await omsrun(['site.yml'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('site.yml:3:7 [0].roles[0]: role "nosuch" not found');
    expect(r.stderr).toContain(`hint: looked in ${path.join(dir, 'roles/nosuch')}`);
    expect(r.stderr).toContain('site.yml:4:28 [0].roles[1].become: expected true or false, got "maybe"');
    expect(r.stderr).toContain('roles/broken/tasks/main.yml:2:3 [0].debugg: unknown module "debugg"');
    expect(r.stdout).toBe('');
  });
});
