// Ansible habits in playbooks, run over local connections: collection names, argument conversion, task keywords.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_HOSTS, runYaml } from '../helpers/run-playbook.js';

const msgs = (r: Awaited<ReturnType<typeof runYaml>>, task: string, host = 'localhost') => {
  const res = r.results(task)[host]!;
  return (res.results ?? [res]).map((x) => x.msg);
};

describe('collection names (FQCN)', () => {
  it('run omsrun modules and keywords under ansible.builtin, ansible.legacy and community names', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  tasks:
    - name: fact
      ansible.builtin.set_fact: { greeting: hello }
    - name: cmd
      ansible.legacy.command: echo {{ greeting }}
      register: out
    - name: show
      ansible.builtin.debug: { msg: "{{ out.stdout }}" }
    - ansible.builtin.include_tasks: more.yml
    - ansible.builtin.import_tasks: more.yml
    - name: dir
      ansible.builtin.file: { path: "@DIR@/d", state: directory }
`,
      { files: { 'more.yml': '- name: more\n  ansible.builtin.debug: { msg: included }\n' } },
    );
    expect(r.summary.stats.localhost).toMatchObject({ failed: 0, ok: 6 });
    expect(msgs(r, 'show')).toEqual(['hello']);
    expect(r.results('more').localhost!.msg).toBe('included');
    expect(r.events.find((e) => e.kind === 'task_start' && e.task.name === 'cmd')).toMatchObject({ task: { module: 'command' } });
    expect(existsSync(`${r.dir}/d`)).toBe(true);
  });
});

describe('argument conversion', () => {
  it('turns -e strings into the numbers and booleans modules expect, and an unquoted mode into octal', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  vars:
    file_mode: 0640
  tasks:
    - name: wait
      wait_for: { path: "@DIR@/site.yml", timeout: "{{ timeout }}" }
    - name: touch
      file: { path: "@DIR@/f", state: touch, mode: 0604 }
    - name: templated mode
      file: { path: "@DIR@/g", state: touch, mode: "{{ file_mode }}" }
    - name: bool
      stat: { path: "@DIR@/f", get_checksum: "{{ sums }}" }
      register: st
    - name: no checksum
      assert: { that: ["st.stat.checksum is not defined"] }
`,
      { extraVars: { timeout: '3', sums: 'no' } },
    );
    expect(r.summary.stats.localhost).toMatchObject({ failed: 0 });
    expect(statSync(`${r.dir}/f`).mode & 0o7777).toBe(0o604);
    expect(statSync(`${r.dir}/g`).mode & 0o7777).toBe(0o640);
  });

  it('reports what cannot be converted with its key path', async () => {
    const r = await runYaml('- hosts: localhost\n  tasks:\n    - name: wait\n      wait_for: { path: /, timeout: "{{ timeout }}" }\n', { extraVars: { timeout: 'soon' } });
    expect(r.results('wait').localhost!.msg).toBe(`${r.dir}/site.yml:3:7 task "wait": args.timeout: expected a number, got "soon"`);
  });
});

describe('check_mode, diff and check mode results', () => {
  it('check_mode: false runs a probe for real under --check; a command skipped in check mode registers a skipped result later conditions can read', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  tasks:
    - name: probe
      command: echo real
      check_mode: false
      register: probe
      changed_when: false
    - name: uses probe
      debug: { msg: "probe said {{ probe.stdout }}" }
    - name: modes seen
      debug: { msg: "{{ ansible_check_mode }} {{ omsrun_check_mode }} {{inventory_hostname}} {{shell_quote probe.stdout}}" }
      check_mode: false
    - name: would run
      command: touch @DIR@/touched
      register: out
    - name: on its rc
      debug: { msg: rc was zero }
      when: out.rc == 0
    - name: on its output
      debug: { msg: had output }
      when: out.stdout_lines | length > 0
    - name: skipped flag
      assert: { that: [out.skipped, "out.rc is defined"] }
`,
      { check: true },
    );
    expect(r.summary.stats.localhost).toMatchObject({ failed: 0 });
    expect(msgs(r, 'uses probe')).toEqual(['probe said real']);
    expect(msgs(r, 'modes seen')).toEqual(['false false localhost real']);
    expect(r.results('would run').localhost!.status).toBe('skipped');
    expect(r.results('on its rc').localhost!.status).toBe('skipped');
    expect(r.results('on its output').localhost!.status).toBe('skipped');
    expect(r.results('skipped flag').localhost!.status).toBe('ok');
    expect(existsSync(`${r.dir}/touched`)).toBe(false);
  });

  it('check_mode: true changes nothing on a normal run; diff: true shows a diff without --diff and diff: false hides it under --diff', async () => {
    const play = `
- hosts: localhost
  tasks:
    - name: dry
      copy: { content: "a\\n", dest: "@DIR@/dry" }
      check_mode: true
    - name: shown
      copy: { content: "b\\n", dest: "@DIR@/shown" }
      diff: true
    - name: hidden
      copy: { content: "c\\n", dest: "@DIR@/hidden" }
      diff: false
`;
    const r = await runYaml(play);
    expect(r.results('dry').localhost!.status).toBe('changed');
    expect(existsSync(`${r.dir}/dry`)).toBe(false);
    expect(r.results('shown').localhost!.diff?.[0]?.after).toBe('b\n');
    expect(r.results('hidden').localhost!.diff).toBeUndefined();
    const withDiff = await runYaml(play, { diff: true });
    expect(withDiff.results('hidden').localhost!.diff).toBeUndefined();
    expect(readFileSync(`${withDiff.dir}/hidden`, 'utf8')).toBe('c\n');
  });
});

describe('loops', () => {
  it('loop_control: index_var, label, extended and pause', async () => {
    const r = await runYaml(`
- hosts: localhost
  tasks:
    - name: looped
      debug: { msg: "{{ i }} {{ person.name }} {{ ansible_loop.index }}/{{ ansible_loop.length }} first={{ ansible_loop.first }} last={{ ansible_loop.last }}" }
      loop: [{ name: ann, password: s1 }, { name: bob, password: s2 }]
      loop_control: { loop_var: person, index_var: i, label: "{{ person.name }}", extended: true, pause: 0 }
`);
    const res = r.results('looped').localhost!;
    expect(res.results!.map((x) => x.msg)).toEqual(['0 ann 1/2 first=true last=false', '1 bob 2/2 first=false last=true']);
    expect(res.results!.map((x) => x.label)).toEqual(['ann', 'bob']);
  });

  it('with_dict, with_items (flattened), with_list, with_indexed_items, with_together, with_nested, with_sequence, with_subelements', async () => {
    const r = await runYaml(`
- hosts: localhost
  vars:
    users:
      - { name: ann, keys: [k1, k2] }
      - { name: bob }
  tasks:
    - name: dict
      debug: { msg: "{{ item.key }}={{ item.value }}" }
      with_dict: { a: 1, b: 2 }
    - name: items
      debug: { msg: "{{ item }}" }
      with_items: [[1, 2], 3]
    - name: list
      debug: { msg: "{{ json item }}" }
      with_list: [[1, 2], 3]
    - name: indexed
      debug: { msg: "{{ item.[0] }}:{{ item.[1] }}" }
      with_indexed_items: [x, y]
    - name: together
      debug: { msg: "{{ item.[0] }}-{{ item.[1] }}" }
      with_together: [[a, b], [1, 2, 3]]
    - name: nested
      debug: { msg: "{{ item.[0] }}{{ item.[1] }}" }
      with_nested: [[a, b], [1, 2]]
    - name: sequence
      debug: { msg: "{{ item }}" }
      with_sequence: start=1 end=7 stride=3 format=web%02d
    - name: count
      debug: { msg: "{{ item }}" }
      with_sequence: count=2
    - name: subelements
      debug: { msg: "{{ item.[0].name }}:{{ item.[1] }}" }
      with_subelements: ["{{ users }}", keys, { skip_missing: true }]
`);
    expect(r.summary.stats.localhost).toMatchObject({ failed: 0 });
    expect(msgs(r, 'dict')).toEqual(['a=1', 'b=2']);
    expect(msgs(r, 'items')).toEqual(['1', '2', '3']);
    expect(msgs(r, 'list')).toEqual(['[1,2]', '3']);
    expect(msgs(r, 'indexed')).toEqual(['0:x', '1:y']);
    expect(msgs(r, 'together')).toEqual(['a-1', 'b-2', '-3']);
    expect(msgs(r, 'nested')).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(msgs(r, 'sequence')).toEqual(['web01', 'web04', 'web07']);
    expect(msgs(r, 'count')).toEqual(['1', '2']);
    expect(msgs(r, 'subelements')).toEqual(['ann:k1', 'ann:k2']);
  });

  it('with_fileglob finds controller files in files/ next to the playbook; with_subelements without skip_missing says what to do', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  vars:
    users: [{ name: bob }]
  tasks:
    - name: glob
      debug: { msg: "{{ item }}" }
      with_fileglob: ["conf.d/*.conf"]
    - name: missing
      debug: { msg: "{{ item }}" }
      with_subelements: ["{{ users }}", keys]
`,
      { files: { 'files/conf.d/b.conf': '', 'files/conf.d/a.conf': '', 'files/conf.d/c.txt': '' } },
    );
    expect(msgs(r, 'glob')).toEqual([`${r.dir}/files/conf.d/a.conf`, `${r.dir}/files/conf.d/b.conf`]);
    expect(r.results('missing').localhost!.msg).toBe(
      `${r.dir}/site.yml:9:7 task "missing": with_subelements: an item has no key "keys"; add {skip_missing: true} to skip such items`,
    );
  });
});

describe('roles: include_role, import_role, dependencies', () => {
  const files = {
    'roles/base/tasks/main.yml': '- name: base\n  debug: { msg: "base {{ base_level }}" }\n',
    'roles/base/defaults/main.yml': 'base_level: 1\n',
    'roles/web/meta/main.yml': 'dependencies:\n  - base\n  - { role: base, base_level: 2 }\n',
    'roles/web/tasks/main.yml': '- name: web main\n  debug: { msg: "web {{ web_port }}" }\n  notify: web changed\n  changed_when: true\n',
    'roles/web/tasks/install.yml': '- name: web install\n  debug: { msg: "install {{ web_port }}" }\n',
    'roles/web/defaults/main.yml': 'web_port: 80\n',
    'roles/web/handlers/main.yml': '- name: reload\n  debug: { msg: reloaded }\n  listen: web changed\n',
    'roles/app/meta/main.yml': 'dependencies: [base]\n',
    'roles/app/tasks/main.yml': '- name: app\n  debug: { msg: app }\n',
  };

  it('load the role (tasks_from, vars as parameters), its dependencies once per play, and its handlers with listen', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  tasks:
    - ansible.builtin.include_role: { name: web }
      vars: { web_port: 8080 }
    - import_role: { name: web, tasks_from: install }
    - include_role: { name: app }
`,
      { files },
    );
    expect(r.summary.stats.localhost).toMatchObject({ failed: 0 });
    expect(r.ran('localhost')).toEqual(['base', 'base', 'web main', 'web install', 'app', 'reload']);
    expect(msgs(r, 'base')).toEqual(['base 2']);
    expect(msgs(r, 'web main')).toEqual(['web 8080']);
    expect(msgs(r, 'web install')).toEqual(['install 80']);
  });
});

describe('include_role apply', () => {
  it('puts its keywords on every task of the role: tags select them, when skips them', async () => {
    const files = { 'roles/app/tasks/main.yml': '- name: app one\n  debug: { msg: one }\n- name: app two\n  debug: { msg: two }\n' };
    const play = `
- hosts: localhost
  tasks:
    - name: other
      debug: { msg: other }
    - include_role:
        name: app
        apply: { tags: [deploy], when: "run_app | default(true)" }
`;
    const tagged = await runYaml(play, { files, tags: ['deploy'] });
    expect(tagged.ran('localhost')).toEqual(['app one', 'app two']);
    const skipped = await runYaml(play, { files, extraVars: { run_app: false } });
    expect(skipped.results('app one').localhost!.status).toBe('skipped');
    expect(skipped.results('other').localhost!.status).toBe('ok');
  });
});

describe('plays and delegation over local hosts', () => {
  it('a play on an empty group warns and is skipped; connection: local reaches a host whose address is not used', async () => {
    const r = await runYaml(
      `
- hosts: nobody_here
  tasks:
    - debug: { msg: never }
- hosts: far
  connection: local
  tasks:
    - name: here
      command: echo local
`,
      { inventory: 'all:\n  children:\n    nobody_here: {}\n  hosts:\n    far: { ansible_host: 203.0.113.9, ansible_port: 1 }\n' },
    );
    expect(r.events).toContainEqual(expect.objectContaining({ kind: 'warning', msg: 'play "nobody_here": no hosts matched "nobody_here"' }));
    expect(r.results('here').far!.stdout).toBe('local');
    expect(r.summary.stats.far).toMatchObject({ failed: 0, unreachable: 0 });
  });

  it('delegate_to another inventory host with delegate_facts; an unknown host fails the task with a hint', async () => {
    const r = await runYaml(
      `
- hosts: h1
  tasks:
    - name: on h3
      set_fact: { seen_by: "{{ inventory_hostname }}" }
      delegate_to: "{{ 'h3' }}"
      delegate_facts: true
    - name: typo
      command: echo hi
      delegate_to: h4
- hosts: h3
  tasks:
    - name: check
      assert: { that: ["seen_by == 'h1'"] }
`,
      { inventory: LOCAL_HOSTS },
    );
    expect(r.results('typo').h1!.msg).toBe('delegate_to: "h4" is not a host of the inventory');
    expect(r.results('check').h3!.status).toBe('ok');
  });
});

describe('argument aliases', () => {
  it('file takes dest or name for path, as in Ansible', async () => {
    const r = await runYaml(
      `
- hosts: far
  tasks:
    - name: by dest
      file: { dest: "@DIR@/a", state: directory }
    - name: by name
      ansible.builtin.file: { name: "@DIR@/b", state: directory }
`,
      { inventory: 'all:\n  hosts:\n    far: { ansible_host: 203.0.113.9, ansible_connection: local }\n' },
    );
    expect(r.summary.stats.far).toMatchObject({ failed: 0, changed: 2 });
    expect(statSync(`${r.dir}/a`).isDirectory() && statSync(`${r.dir}/b`).isDirectory()).toBe(true);
  });
});

describe('templated task keywords', () => {
  it('retries, delay and timeout may be templates, rendered per host; a bad value fails the task with its name', async () => {
    const r = await runYaml(
      `
- hosts: localhost
  tasks:
    - name: counted
      shell: echo x >> @DIR@/count; wc -l < @DIR@/count
      register: out
      until: out.stdout | int >= 3
      retries: "{{ tries }}"
      delay: "{{ pause }}"
      timeout: "{{ limit }}"
    - name: bad
      command: echo hi
      timeout: "{{ 'soon' }}"
`,
      { extraVars: { tries: '4', pause: 0, limit: '30' } },
    );
    expect(r.results('counted').localhost).toMatchObject({ status: 'changed', attempts: 3 });
    expect(r.results('bad').localhost!.msg).toBe(`${r.dir}/site.yml:11:7 task "bad": timeout: expected a number of at least 0, got "soon"`);
  });
});
