// The loader reads Ansible's spellings: collection names, with_* lookups, loop_control, include_role, role dependencies.
import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../src/playbook/load.js';
import type { Block, Task } from '../../src/playbook/model.js';
import { errorOf, tree } from '../inventory/tmp-tree.js';

describe('loader: Ansible habits', () => {
  it('maps collection names to modules and keeps keywords, loops and loop_control', async () => {
    tree({
      'site.yml': `- hosts: all
  connection: local
  tasks:
    - community.docker.docker_container_exec: { container: c, argv: [ls] }
    - community.mysql.mysql_query: { host: db, user: u, query: SELECT 1 }
    - ansible.posix.command: ls
      connection: local
      check_mode: no
      diff: "yes"
      with_sequence: count=3
      loop_control: { index_var: i, label: "{{ item }}", pause: "2", extended: true }
    - name: copy
      copy: { content: x, dest: /tmp/x, mode: 0640 }
      retries: "5"
      delegate_to: "{{ groups.db.[0] }}"
      delegate_facts: on
`,
    });
    const pb = await loadPlaybook('site.yml');
    const [exec, query, cmd, copy] = pb.plays[0]!.tasks as Task[];
    expect(pb.plays[0]!.connection).toBe('local');
    expect(exec!.module).toBe('docker_exec');
    expect(query!.module).toBe('mysql_query');
    expect(cmd).toMatchObject({ module: 'command', delegateTo: 'localhost', checkMode: false, diff: true, loop: 'count=3', loopWith: 'sequence' });
    expect(cmd!.loopControl).toEqual({ indexVar: 'i', label: '{{ item }}', pause: 2, extended: true });
    expect(copy).toMatchObject({ retries: 5, delegateTo: '{{ groups.db.[0] }}', delegateFacts: true, args: { mode: 640 } });
  });

  it('loads include_role and import_role as blocks of the role, with tasks_from and the role dependencies first', async () => {
    tree({
      'roles/base/tasks/main.yml': '- name: base\n  command: echo base\n',
      'roles/web/meta/main.yml': 'galaxy_info: {author: x}\ndependencies: [base]\n',
      'roles/web/tasks/main.yml': '- name: web\n  command: echo web\n',
      'roles/web/tasks/setup.yaml': '- name: setup\n  command: echo setup\n',
      'site.yml': '- hosts: all\n  tasks:\n    - include_role: { name: web, tasks_from: setup }\n      when: x is defined\n    - ansible.builtin.import_role:\n        name: web\n',
    });
    const pb = await loadPlaybook('site.yml');
    const [inc, imp] = pb.plays[0]!.tasks as Block[];
    expect(inc).toMatchObject({ kind: 'block', name: 'include_role: web', when: ['x is defined'] });
    const names = (b: Block) => (b.block as Block[]).map((r) => (r.block as Task[]).map((t) => t.name));
    expect(names(inc!)).toEqual([['base'], ['setup']]);
    expect(names(imp!)).toEqual([['web']]);
  });

  it('finds roles with nested names in the roles folder a role sits in, as a roles_path does', async () => {
    tree({
      'roles/engine/docker/tasks/main.yml': '- name: docker\n  command: echo docker\n',
      'roles/kube/node/tasks/main.yml': '- import_role: { name: engine/docker }\n',
      'site.yml': '- hosts: all\n  roles: [kube/node]\n',
    });
    const pb = await loadPlaybook('site.yml');
    const role = pb.plays[0]!.tasks[0] as Block;
    expect(((role.block[0] as Block).block[0] as Block).block.map((t) => t.name)).toEqual(['docker']);
  });

  it('reports a keyword apply cannot take', async () => {
    tree({ 'roles/c/tasks/main.yml': '- command: ls\n', 'site.yml': '- hosts: all\n  tasks:\n    - include_role: { name: c, apply: { tagz: [x] } }\n' });
    expect(await errorOf(() => loadPlaybook('site.yml'))).toBe('site.yml:3:41 [0].tasks[0].include_role.apply.tagz: "tagz" is not allowed in apply\n  hint: did you mean "tags"?');
  });

  it('reports a missing role, a missing tasks_from, bad include_role arguments and a dependency cycle with positions', async () => {
    tree({
      'roles/a/meta/main.yml': 'dependencies: [b]\n',
      'roles/a/tasks/main.yml': '- command: ls\n',
      'roles/b/meta/main.yml': 'dependencies:\n  - role: a\n',
      'roles/b/tasks/main.yml': '- command: ls\n',
      'roles/c/tasks/main.yml': '- command: ls\n',
      'site.yml':
        '- hosts: all\n  tasks:\n    - include_role: { name: nosuch }\n    - include_role: { name: c, tasks_from: missing }\n    - include_role: { name: c, task_from: x }\n    - import_role: { name: a }\n',
    });
    const msg = await errorOf(() => loadPlaybook('site.yml'));
    expect(msg).toContain('site.yml:3:29 [0].tasks[0].include_role.name: role "nosuch" not found\n  hint: looked in ');
    expect(msg).toContain('site.yml:4:21 [0].tasks[1].include_role: role "c" has no tasks/missing(.yml)');
    expect(msg).toContain('site.yml:5:32 [0].tasks[2].include_role.task_from: unknown key "task_from"\n  hint: did you mean "tasks_from"?');
    expect(msg).toContain('roles/b/meta/main.yml:2:5 dependencies[0]: role dependency cycle: a → b → a');
  });
});
