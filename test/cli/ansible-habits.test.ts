// Ansible habits through the built CLI: -e strings converted, collection names, their mistakes without stacks.
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { omsrun, workdir } from './cli-helper.js';

describe('CLI: Ansible habits', () => {
  it('converts -e values for module arguments and reads an unquoted mode as octal', async () => {
    const dir = workdir({
      'site.yml': `- hosts: localhost
  tasks:
    - ansible.builtin.wait_for: { path: site.yml, timeout: "{{ timeout }}" }
    - ansible.builtin.file: { path: out, state: directory, mode: 0750 }
    - ansible.builtin.stat: { path: out, get_checksum: "{{ sums }}" }
`,
    });
    const r = await omsrun(['site.yml', '-e', 'timeout=3', '-e', 'sums=no'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statSync(path.join(dir, 'out')).mode & 0o7777).toBe(0o750);
  });

  it('names a collection module omsrun lacks and the nearest one, exit 4, no stack', async () => {
    const dir = workdir({ 'site.yml': '- hosts: localhost\n  tasks:\n    - ansible.builtin.coppy: { src: a, dest: b }\n    - community.general.timezone: { name: UTC }\n' });
    const r = await omsrun(['site.yml', '--syntax-check'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('site.yml:3:7 [0].tasks[0]["ansible.builtin.coppy"]: unknown module "ansible.builtin.coppy": omsrun has no module "coppy"\n  hint: did you mean "copy"?');
    expect(r.stderr).toContain('site.yml:4:7 [0].tasks[1]["community.general.timezone"]: unknown module "community.general.timezone": omsrun has no module "timezone"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
