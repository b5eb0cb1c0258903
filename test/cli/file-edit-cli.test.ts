// The file-editing modules through the CLI: --diff shows unified diffs with secrets masked, a rerun changes nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { omsrun, workdir } from './cli-helper.js';

const PLAYBOOK = `- hosts: localhost
  vars:
    db_password: "pw-s3cr3t-9"
  tasks:
    - name: password line
      lineinfile: { path: "@DIR@/app.conf", regexp: "^password=", line: "password={{ db_password }}", create: true, mode: "0600" }
    - name: nodes block
      blockinfile: { path: "@DIR@/app.conf", block: "node=a\\nnode=b" }
    - name: port option
      ini_file: { path: "@DIR@/app.ini", section: server, option: port, value: "8088" }
    - name: current release
      file: { path: "@DIR@/current", src: app.conf, state: link }
`;

describe('file editing through the CLI', () => {
  it('--diff masks the secret in diffs and the JSON events; the second run changes nothing', async () => {
    const cwd = workdir({ 'site.yml': PLAYBOOK });
    const first = await omsrun(['site.yml', '-D', '--no-color'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('+password=********');
    expect(first.stdout).toContain('+# BEGIN ANSIBLE MANAGED BLOCK');
    expect(first.stdout + first.stderr).not.toContain('pw-s3cr3t-9');
    expect(readFileSync(path.join(cwd, 'app.conf'), 'utf8')).toBe('password=pw-s3cr3t-9\n# BEGIN ANSIBLE MANAGED BLOCK\nnode=a\nnode=b\n# END ANSIBLE MANAGED BLOCK\n');
    const json = await omsrun(['site.yml', '-D', '--json', '-C'], { cwd });
    expect(json.stdout).not.toContain('pw-s3cr3t-9');
    const second = await omsrun(['site.yml', '-D', '--no-color'], { cwd });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('changed=0');
  });
});
