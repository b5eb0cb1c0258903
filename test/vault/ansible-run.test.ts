import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { omsrun, workdir } from '../cli/cli-helper.js';
import { runYaml } from '../helpers/run-playbook.js';
import { VaultSession, setVaultSession } from '../../src/vault/index.js';
import { ANSIBLE_PW, fixture } from './ansible-fixtures.js';

afterEach(() => setVaultSession(undefined));

// Values under names that do not look secret: only their coming out of the vault gets them masked.
const PLAY = `- hosts: localhost
  gather_facts: false
  vars_files: [inline.yml, whole.yml]
  tasks:
    - name: show
      debug: { msg: "block={{ block16 }} unicode={{ unicode }} user={{ db_user }}x" }
    - name: echo
      command: { argv: [echo, "{{ block16 }}", "{{ multiline }}", "{{ api.port }}"] }
    - name: write
      copy: { content: "{{ block16 }} {{ multiline }}\\n", dest: "@DIR@/out.txt" }
    - name: fail
      fail: { msg: "giving up with {{ block16 }}" }
`;
const PLAINS = ['sixteen-bytes-16', 'pässwörd ✓ 🔑', 'line one', 'line two', 'hunter22', 'tok-ä✓-123', '8443'];

describe('a playbook run with Ansible Vault values', () => {
  it('decrypts them and masks them in every event', async () => {
    setVaultSession(new VaultSession({ environ: { OMSRUN_VAULT_PASSWORD: ANSIBLE_PW }, prompt: false }));
    const r = await runYaml(PLAY, { files: { 'inline.yml': fixture('inline.yml'), 'whole.yml': fixture('whole-1.2.yml') } });
    expect(r.results('show').localhost).toMatchObject({ status: 'ok', msg: 'block=******** unicode=******** user=appx' });
    expect(r.results('echo').localhost).toMatchObject({ status: 'changed', stdout: '******** ******** ********' });
    expect(r.results('fail').localhost).toMatchObject({ status: 'failed', msg: 'giving up with ********' });
    expect(readFileSync(path.join(r.dir, 'out.txt'), 'utf8')).toBe('sixteen-bytes-16 line one\nline two\n');
    const events = JSON.stringify(r.events);
    for (const p of PLAINS) expect(events).not.toContain(p);
  });
});

describe('omsrun with Ansible Vault values', () => {
  const files = () =>
    workdir({ 'site.yml': PLAY, 'inline.yml': fixture('inline.yml'), 'whole.yml': fixture('whole-1.2.yml'), 'pw.txt': `${ANSIBLE_PW}\n` });

  it('runs with --vault-password-file or --vault-id and leaks nothing into the output, diffs, JSON events or run logs', async () => {
    const dir = files();
    for (const args of [['--vault-password-file', 'pw.txt'], ['--vault-id', 'prod@pw.txt'], ['--json', '--vault-id', 'pw.txt']]) {
      const run = await omsrun(['site.yml', '-vvv', '--diff', ...args], { cwd: dir, env: { OMSRUN_VAULT_PASSWORD: '' } });
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('giving up with ********');
      for (const p of [...PLAINS, ANSIBLE_PW]) expect(run.stdout + run.stderr).not.toContain(p);
    }
    expect(readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('sixteen-bytes-16 line one\nline two\n');
    const logs = readdirSync(path.join(dir, '.omsrun/runs')).map((f) => readFileSync(path.join(dir, '.omsrun/runs', f), 'utf8'));
    expect(logs.length).toBeGreaterThan(1);
    for (const p of PLAINS) expect(logs.join('')).not.toContain(p);
  });

  it('stops on a wrong password with one clear line and exit 4', async () => {
    const dir = files();
    const run = await omsrun(['site.yml'], { cwd: dir, env: { OMSRUN_VAULT_PASSWORD: 'wrong-pw' } });
    expect(run.code).toBe(4);
    expect(run.stderr).toBe('omsrun: error: vault: cannot decrypt inline.yml:3:14 (Ansible Vault 1.1): wrong password or the file was modified\n');
    expect(run.stdout).toBe('');
  });

  it('refuses two --vault-id options as a command-line error', async () => {
    const run = await omsrun(['site.yml', '--vault-id', 'a@pw.txt', '--vault-id', 'b@pw.txt'], { cwd: files() });
    expect(run.code).toBe(4);
    expect(run.stderr).toBe('omsrun: error: vault: --vault-id was given 2 times: omsrun opens every vault value with one password, so give it once\n');
  });
});
