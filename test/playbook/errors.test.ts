import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../src/playbook/load.js';
import { errorOf, tree } from '../inventory/tmp-tree.js';
import { testModules } from './test-modules.js';

const fail = (files: Record<string, string>, main = 'p.yml') => {
  tree(files);
  return errorOf(() => loadPlaybook(main, { modules: testModules }));
};
const play = (tasks: string) => `- hosts: all\n  tasks:\n${tasks}`;
const lines = (...l: string[]) => l.join('\n');

// One row per mistake: the files, and the exact text a user reads (a pattern where zod or yaml word the tail).
const ERRORS: { name: string; files: Record<string, string>; message: string | RegExp }[] = [
  {
    name: 'YAML syntax error',
    files: { 'p.yml': '- hosts: all\n  tasks: [\n' },
    message: 'p.yml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  },
  {
    name: 'YAML syntax error: a sequence item without -',
    files: { 'p.yml': '- hosts: all\n  tasks:\n  - command: ls\n   name: x\n' },
    message: 'p.yml:4:1: YAML syntax error: Sequence item without - indicator',
  },
  {
    name: 'duplicate key',
    files: { 'p.yml': play('    - command: ls\n      name: a\n      name: b\n') },
    message: 'p.yml:5:7: duplicate key "name"\n  hint: each key may appear once per mapping',
  },
  {
    name: 'unknown module with did-you-mean',
    files: { 'p.yml': play('    - name: x\n      comand: ls\n') },
    message: 'p.yml:4:7 [0].tasks[0].comand: unknown module "comand"\n  hint: did you mean "command"?',
  },
  {
    name: 'an Ansible module omsrun has no twin of names what to use',
    files: { 'p.yml': play('    - name: x\n      synchronize: { src: a, dest: /tmp/a }\n') },
    message: 'p.yml:4:7 [0].tasks[0].synchronize: unknown module "synchronize"\n  hint: omsrun has no synchronize module; use copy',
  },
  {
    name: 'a collection prefix on a misspelt module',
    files: { 'p.yml': play('    - name: x\n      community.general.shel: ls\n') },
    message: 'p.yml:4:7 [0].tasks[0]["community.general.shel"]: unknown module "community.general.shel": omsrun has no module "shel"\n  hint: did you mean "shell"?',
  },
  {
    name: 'unknown task key with did-you-mean',
    files: { 'p.yml': play('    - command: ls\n      whenn: x\n') },
    message: 'p.yml:4:7 [0].tasks[0].whenn: unknown task key "whenn"\n  hint: did you mean "when"?',
  },
  {
    name: 'missing module and several modules',
    files: { 'p.yml': play('    - name: nothing\n    - command: ls\n      copy: {src: a, dest: b}\n') },
    message: lines(
      'p.yml:3:7 [0].tasks[0]: a task needs exactly one module, got none\n  hint: e.g. `command: ls -l` or `copy: {src: a, dest: /tmp/a}`',
      'p.yml:4:7 [0].tasks[1]: several modules in one task: command, copy\n  hint: split it into one task per module',
    ),
  },
  {
    name: 'wrong types for module args, all errors of the file at once',
    files: { 'p.yml': play('    - wait_for:\n        port: 80a\n        state: up\n        bogus: 1\n    - copy: {src: a}\n    - copy: src=a dest=b\n') },
    message: lines(
      'p.yml:4:15 [0].tasks[0].wait_for.port: expected a number, got "80a"',
      'p.yml:5:16 [0].tasks[0].wait_for.state: expected one of started, stopped, got "up"',
      'p.yml:6:9 [0].tasks[0].wait_for.bogus: unknown key "bogus"',
      'p.yml:7:13 [0].tasks[1].copy: missing required key "dest"',
      'p.yml:8:13 [0].tasks[2].copy: expected a mapping of arguments, got "src=a dest=b"\n  hint: copy takes its arguments as a mapping, e.g. `copy: {name: value}`',
    ),
  },
  {
    name: 'errors from args: and free-form values point at their source',
    files: { 'p.yml': play('    - command: ls\n      args: {chdir: [5]}\n    - command:\n') },
    message: lines('p.yml:4:21 [0].tasks[0].args.chdir: expected a string, got a list', 'p.yml:5:7 [0].tasks[1].command: missing required key "cmd"'),
  },
  {
    name: 'bad task keywords',
    files: { 'p.yml': play('    - command: ls\n      retries: many\n      delegate_to: db1\n    - command: ls\n      loop_control: {loop_varr: x}\n') },
    message: lines(
      'p.yml:4:16 [0].tasks[0].retries: expected a number, got "many"',
      'p.yml:7:22 [0].tasks[1].loop_control.loop_varr: unknown key "loop_varr"\n  hint: did you mean "loop_var"?',
    ),
  },
  {
    name: 'collection names of modules omsrun lacks',
    files: { 'p.yml': play('    - ansible.builtin.comand: ls\n    - kubernetes.core.k8s: {}\n    - ansible.builtin.copy: {src: a, dest: b}\n      ansible.builtin.shell: ls\n') },
    message: lines(
      'p.yml:3:7 [0].tasks[0]["ansible.builtin.comand"]: unknown module "ansible.builtin.comand": omsrun has no module "comand"\n  hint: did you mean "command"?',
      'p.yml:4:7 [0].tasks[1]["kubernetes.core.k8s"]: unknown module "kubernetes.core.k8s": omsrun does not map the collection kubernetes.core, and has no module "k8s"',
      'p.yml:5:7 [0].tasks[2]: several modules in one task: ansible.builtin.copy, ansible.builtin.shell\n  hint: split it into one task per module',
    ),
  },
  {
    name: 'Ansible keywords and actions omsrun does not support say what to do instead',
    files: { 'p.yml': play('    - ansible.builtin.local_action: command ls\n    - command: sleep 5\n      async: 10\n      poll: 0\n') },
    message: lines(
      'p.yml:3:7 [0].tasks[0]["ansible.builtin.local_action"]: "ansible.builtin.local_action" is an Ansible action omsrun does not support\n  hint: name the module as the key and add delegate_to: localhost',
      'p.yml:5:7 [0].tasks[1].async: "async" is an Ansible keyword omsrun does not support\n  hint: omsrun runs each task to its end; use timeout: SECONDS to bound it',
      'p.yml:6:7 [0].tasks[1].poll: "poll" is an Ansible keyword omsrun does not support\n  hint: omsrun runs each task to its end; use timeout: SECONDS to bound it',
    ),
  },
  {
    name: 'loops: several at once, bad loop_control, a with_ lookup on an include',
    files: {
      'p.yml': play('    - command: ls\n      loop: [1]\n      with_dict: {a: 1}\n    - command: ls\n      loop_control: {pause: soon, extended: maybe}\n    - include_tasks: t.yml\n      with_nested: [[1]]\n'),
      't.yml': '- command: ls\n',
    },
    message: lines(
      'p.yml:5:7 [0].tasks[0].with_dict: use one of loop, with_dict, not several',
      'p.yml:7:29 [0].tasks[1].loop_control.pause: expected a number, got "soon"',
      'p.yml:7:45 [0].tasks[1].loop_control.extended: expected true or false, got "maybe"',
      'p.yml:9:7 [0].tasks[2].with_nested: "with_nested" is not allowed on include_tasks\n  hint: looping over an include is not supported',
    ),
  },
  {
    name: 'missing hosts, bad serial, bad strategy, unknown play key',
    files: { 'p.yml': '- name: a\n  tasks: []\n- hosts: all\n  serial: fast\n  strategy: fats\n  handler: []\n' },
    message: lines(
      'p.yml:1:3 [0]: missing required key "hosts"',
      'p.yml:4:11 [1].serial: expected a number, a percentage such as "30%" or a list of them, got "fast"',
      'p.yml:5:13 [1].strategy: expected one of linear, free, got "fats"',
      'p.yml:6:3 [1].handler: unknown key "handler"\n  hint: did you mean "handlers"?',
    ),
  },
  {
    name: 'include cycle',
    files: { 'p.yml': play('    - include_tasks: t/a.yml\n'), 't/a.yml': '- import_tasks: b.yml\n', 't/b.yml': '- include_tasks: a.yml\n' },
    message: 't/b.yml:1:18 [0].include_tasks: include cycle: a.yml → b.yml → a.yml',
  },
  {
    name: 'missing include file',
    files: { 'p.yml': play('    - include_tasks: tasks/missing.yml\n') },
    message: 'p.yml:3:22 [0].tasks[0].include_tasks: file not found: tasks/missing.yml',
  },
  {
    name: 'templated include path',
    files: { 'p.yml': play('    - include_tasks: "{{ f }}.yml"\n') },
    message: 'p.yml:3:22 [0].tasks[0].include_tasks: templated include paths are not supported, got "{{ f }}.yml"\n  hint: use a static path relative to this file',
  },
  {
    name: 'import_playbook cycle',
    files: { 'p.yml': '- import_playbook: q.yml\n', 'q.yml': '- import_playbook: p.yml\n' },
    message: 'q.yml:1:20 [0].import_playbook: import cycle: p.yml → q.yml → p.yml',
  },
  {
    name: 'missing vars file',
    files: { 'p.yml': '- hosts: all\n  vars_files:\n    - vars/nope.yml\n' },
    message: 'p.yml:3:7 [0].vars_files[0]: file not found: vars/nope.yml',
  },
  {
    name: 'template syntax error in args',
    files: { 'p.yml': play('    - debug: {msg: "hello {{ name }"}\n') },
    message: /^p\.yml:3:20 \[0\]\.tasks\[0\]\.debug\.msg: template syntax error: line 1 near "hello \{\{ name \}"/,
  },
  {
    name: 'not a list of plays',
    files: { 'p.yml': 'hosts: all\n' },
    message: 'p.yml:1:1: expected a list of plays, got a mapping\n  hint: a playbook starts with `- hosts: ...`',
  },
  {
    name: 'condition syntax, with the position of the list item',
    files: { 'p.yml': play('    - command: ls\n      when:\n        - x == 1\n        - x ==\n') },
    message: /^p\.yml:6:11 \[0\]\.tasks\[0\]\.when\[1\]: expression syntax error: /,
  },
  {
    // found by the fuzz test: Object.prototype's names were taken for schema fields and crashed the loader
    name: 'module arguments named like Object.prototype members are unknown arguments',
    files: { 'p.yml': play('    - copy: { src: a, dest: /tmp/a, valueOf: false, constructor: 1, __proto__: x }\n') },
    message: lines(
      'p.yml:3:37 [0].tasks[0].copy.valueOf: unknown key "valueOf"',
      'p.yml:3:53 [0].tasks[0].copy.constructor: unknown key "constructor"',
      'p.yml:3:69 [0].tasks[0].copy.__proto__: unknown key "__proto__"',
    ),
  },
  {
    name: 'task-only keys on blocks, blocks in handlers, listen outside handlers, loop and with_items together',
    files: {
      'p.yml':
        '- hosts: all\n  tasks:\n    - block:\n        - command: ls\n      register: r\n      whn: x\n    - command: ls\n      listen: x\n      loop: [1]\n      with_items: [2]\n  handlers:\n    - block: []\n    - command: ls\n',
    },
    message: lines(
      'p.yml:5:7 [0].tasks[0].register: "register" is not allowed on a block\n  hint: put it on the tasks inside the block',
      'p.yml:6:7 [0].tasks[0].whn: unknown block key "whn"\n  hint: did you mean "when"?',
      'p.yml:8:7 [0].tasks[1].listen: listen is only allowed on handlers',
      'p.yml:10:7 [0].tasks[1].with_items: use one of loop, with_items, not several',
      'p.yml:12:7 [0].handlers[0]: blocks and includes are not supported in handlers\n  hint: list handlers as plain tasks',
      'p.yml:13:7 [0].handlers[1]: a handler needs a name or listen\n  hint: notify refers to handlers by name',
    ),
  },
];

describe('loadPlaybook: errors', () => {
  it.each(ERRORS)('$name', async ({ files, message }) => {
    const got = await fail(files);
    if (typeof message === 'string') expect(got).toBe(message);
    else expect(got).toMatch(message);
  });
});

describe('loadPlaybook: keyword rules', () => {
  it('accepts gather_facts, with_items as loop, yes/no flags and block rescue/always', async () => {
    tree({
      'p.yml': '- hosts: all\n  gather_facts: no\n  max_fail_percentage: 20\n  tasks:\n    - block:\n        - command: ls\n      rescue:\n        - command: echo r\n      always:\n        - command: echo a\n      become: yes\n    - command: echo {{ item }}\n      with_items: [1, 2]\n      ignore_errors: true\n',
    });
    const pb = await loadPlaybook('p.yml', { modules: testModules });
    const [block, task] = pb.plays[0]!.tasks;
    expect(pb.plays[0]!.maxFailPercentage).toBe(20);
    expect(block).toMatchObject({ kind: 'block', become: true, block: [{ args: { cmd: 'ls' } }], rescue: [{ args: { cmd: 'echo r' } }], always: [{ args: { cmd: 'echo a' } }] });
    expect(task).toMatchObject({ loop: [1, 2], ignoreErrors: true, args: { cmd: 'echo {{ item }}' } });
  });

  it.each([
    { text: '- wait_for: {port: 80a}\n', message: 'p.yml:4:24 [0].tasks[1].wait_for.port: expected a number, got "80a"' },
    { text: '- file: {path: /etc/app, mode: 99999}\n', message: "p.yml:4:36 [0].tasks[1].file.mode: expected an octal mode such as '0644', got 99999" },
    { text: '- wait_for: {port: 22, timeout: 1.5s}\n', message: 'p.yml:4:37 [0].tasks[1].wait_for.timeout: expected a number, got "1.5s"' },
  ])('validates against the real module registry by default: $text', async ({ text, message }) => {
    tree({ 'p.yml': `- hosts: all\n  tasks:\n    - command: ls -l\n    ${text}` });
    expect(await errorOf(() => loadPlaybook('p.yml'))).toBe(message);
  });
});
