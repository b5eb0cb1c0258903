import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../src/playbook/load.js';
import { listTasks } from '../../src/playbook/list-tasks.js';
import { tree } from '../inventory/tmp-tree.js';
import { testModules } from './test-modules.js';

const load = (f: string) => loadPlaybook(f, { modules: testModules });

describe('loadPlaybook: valid playbooks', () => {
  it('builds plays with defaults, free-form args, args merge and normalized keywords', async () => {
    tree({
      'site.yml': `- name: Web
  hosts: [web, db]
  become: yes
  serial: [1, "50%"]
  strategy: free
  gather_facts: false
  vars: {app: demo}
  vars_files: [vars/common.yml, vars/extra.yml]
  pre_tasks:
    - command: echo pre
  tasks:
    - name: list
      command: ls -l
      args: {chdir: /tmp}
      when: app == "demo"
      tags: a,b
      register: out
      until: out.rc == 0
      notify: restart
      loop: "{{ items }}"
      loop_control: {loop_var: it}
    - print: {msg: hi}
      delegate_to: localhost
      retries: 5
      delay: 1
  handlers:
    - name: restart
      shell: systemctl restart demo
      listen: [web restarted]
`,
      'vars/common.yml': 'a: 1\nb: 1\n',
      'vars/extra.yml': 'b: 2\n',
    });
    const pb = await load('site.yml');
    expect(pb.file).toBe(`${process.cwd()}/site.yml`);
    const play = pb.plays[0]!;
    expect(play).toMatchObject({
      name: 'Web', hosts: 'web,db', become: true, serial: [1, '50%'], strategy: 'free', anyErrorsFatal: false,
      vars: { app: 'demo' }, varsFromFiles: { a: 1, b: 2 }, pos: { file: 'site.yml', line: 1, col: 3 },
    });
    expect(play.tasks.map((t) => t.keyPath)).toEqual(['[0].pre_tasks[0]', '[0].tasks[0]', '[0].tasks[1]']);
    expect(play.tasks[0]).toMatchObject({ kind: 'task', module: 'command', args: { cmd: 'echo pre' }, loopVar: 'item', retries: 3, delay: 5, tags: [], notify: [] });
    expect(play.tasks[1]).toEqual({
      kind: 'task', name: 'list', module: 'command', args: { cmd: 'ls -l', chdir: '/tmp' }, when: ['app == "demo"'], tags: ['a', 'b'],
      register: 'out', until: ['out.rc == 0'], retries: 3, delay: 5, notify: ['restart'], loop: '{{ items }}', loopVar: 'it',
      pos: { file: 'site.yml', line: 12, col: 7 }, keyPath: '[0].tasks[0]',
    });
    expect(play.tasks[2]).toMatchObject({ module: 'debug', args: { msg: 'hi' }, delegateTo: 'localhost', retries: 5, delay: 1 });
    expect(play.handlers[0]).toMatchObject({ name: 'restart', module: 'shell', args: { script: 'systemctl restart demo' }, listen: ['web restarted'] });
  });

  it('expands import_playbook in place and include_tasks/import_tasks into blocks', async () => {
    tree({
      'main.yml': '- import_playbook: plays/first.yml\n- hosts: all\n  tags: [deploy]\n  tasks:\n    - include_tasks: tasks/setup.yml\n      when: ok\n',
      'plays/first.yml': '- hosts: web\n  tasks:\n    - import_tasks: ../tasks/setup.yml\n',
      'tasks/setup.yml': '- name: one\n  command: echo 1\n- block:\n    - import_tasks: inner.yml\n  rescue:\n    - debug: {msg: oops}\n',
      'tasks/inner.yml': '- name: two\n  command: echo 2\n  tags: [inner]\n',
    });
    const pb = await load('main.yml');
    expect(pb.plays.map((p) => [p.hosts, p.file.slice(process.cwd().length)])).toEqual([['web', '/plays/first.yml'], ['all', '/main.yml']]);
    const inc = pb.plays[1]!.tasks[0]!;
    expect(inc).toMatchObject({ kind: 'block', name: 'include_tasks: tasks/setup.yml', when: ['ok'], tags: ['deploy'], rescue: [], always: [] });
    if (inc.kind !== 'block') throw new Error('expected a block');
    expect(inc.block[0]).toMatchObject({ name: 'one', pos: { file: 'tasks/setup.yml', line: 1, col: 3 }, keyPath: '[0]' });
    expect(listTasks(pb)).toEqual([
      { play: 'web', hosts: 'web', tasks: [{ name: 'one', tags: [] }, { name: 'two', tags: ['inner'] }, { name: 'debug', tags: [] }] },
      { play: 'all', hosts: 'all', tasks: [{ name: 'one', tags: ['deploy'] }, { name: 'two', tags: ['deploy', 'inner'] }, { name: 'debug', tags: ['deploy'] }] },
    ]);
  });

  it('accepts templated module args that do not match the schema yet', async () => {
    tree({ 'p.yml': '- hosts: all\n  tasks:\n    - wait_for: {port: "{{ app_port }}"}\n' });
    expect((await load('p.yml')).plays[0]!.tasks[0]).toMatchObject({ args: { port: '{{ app_port }}' } });
  });
});
