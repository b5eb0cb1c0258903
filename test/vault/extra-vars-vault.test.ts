// `-e @file` reads vault files and `!vault` values like every other vars file, through the built CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/ansible-vault');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'omsrun-evault-'));
  writeFileSync(path.join(dir, 'site.yml'), `- hosts: localhost
  tasks:
    - name: write
      copy: { content: "{{ db_password }} {{ api.token }} {{ db_host }}\\n", dest: "${dir}/out.txt" }
    - name: show
      debug: { msg: "{{ db_password }}" }
`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function omsrun(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/omsrun.js'), 'site.yml', '--no-color', '--no-lock', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', OMSRUN_VAULT_PASSWORD: readFileSync(path.join(FIXTURES, 'password.txt'), 'utf8').trim() },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('-e @file with vault text', () => {
  it('decrypts a whole Ansible Vault file and inline !vault values, and masks them', () => {
    const r = omsrun('-e', `@${FIXTURES}/whole-1.1.yml`, '-e', `@${FIXTURES}/inline.yml`, '-v');
    expect(r.code, r.out).toBe(0);
    const written = readFileSync(path.join(dir, 'out.txt'), 'utf8');
    expect(written).toMatch(/^\S+ tok-ä✓-123 db1\.example\.com\n$/);
    const password = written.split(' ')[0]!;
    expect(password).not.toMatch(/ANSIBLE_VAULT/);
    expect(r.out).not.toContain(password);
    expect(r.out).toContain('********');
  });

  it('a wrong password is a clear error, exit 4', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/omsrun.js'), 'site.yml', '--no-color', '--no-lock', '-e', `@${FIXTURES}/whole-1.1.yml`], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', OMSRUN_VAULT_PASSWORD: 'not the password' },
    });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^omsrun: error: vault: cannot decrypt .*whole-1\.1\.yml.*wrong password/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
