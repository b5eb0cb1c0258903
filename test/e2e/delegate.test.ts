// delegate_to other inventory hosts over real SSH: the task runs there with the task host's variables.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labEnabled } from '../lab/lab-helper.js';
import { dataPath, fileInfo, labInventory, run, useSideLab, writeFiles } from './e2e-lab.js';

const SITE = `- name: from h1
  hosts: h1
  tasks:
    - name: on h2
      ansible.builtin.copy: { content: "written for {{ inventory_hostname }}\\n", dest: /data/delegated.txt, mode: 0640 }
      delegate_to: h2
    - name: where am i
      ansible.builtin.command: hostname
      delegate_to: "{{ groups.all.[2] }}"
      register: where
      changed_when: false
    - name: fact for h3
      ansible.builtin.set_fact: { told_by: "{{ inventory_hostname }}" }
      delegate_to: h3
      delegate_facts: true
    - name: report
      ansible.builtin.debug: { msg: "ran on {{ where.stdout }}" }
- name: on h3
  hosts: h3
  tasks:
    - name: check fact
      ansible.builtin.assert: { that: ["told_by == 'h1'"] }
`;

describe.skipIf(!labEnabled())('e2e: delegate_to', () => {
  const side = useSideLab('akwdel', 3);

  it('runs a task on another inventory host, even one outside the play, and delegate_facts gives it the facts', async () => {
    const dir = writeFiles(side, { 'inventory.yml': labInventory(side.lab), 'site.yml': SITE });
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [h1, h2] = side.lab.hosts;
    expect(readFileSync(dataPath(h2!, 'delegated.txt'), 'utf8')).toBe('written for h1\n');
    expect(fileInfo(h2!, 'delegated.txt').mode).toBe('0640');
    expect(existsSync(dataPath(h1!, 'delegated.txt'))).toBe(false);
    expect(r.stdout).toContain('ok: [h1] => ran on h3');
    expect(r.stdout).toMatch(/h3 +: ok=1 +changed=0 +failed=0/);
    const again = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/h1 +: ok=4 +changed=0 +failed=0/);
  });
});
