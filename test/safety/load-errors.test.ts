// A value the loader rejects is quoted in the error, unless it came out of the vault or sits under a secret-looking key.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, omsrun, workdir } from '../cli/cli-helper.js';

const VAULT_PW = 'load-errors-vault-pw';
const SECRET = 'Vlt-l0ad-Secret-77';

// `name: !vault |` plus the encrypted block, indented to sit under a task.
function vaulted(name: string, indent: string): string {
  const block = execFileSync(process.execPath, [BIN, 'vault', 'encrypt-string', '--name', name, SECRET], { env: { ...process.env, OMSRUN_VAULT_PASSWORD: VAULT_PW } }).toString();
  return block.trimEnd().split('\n').map((l, i) => (i === 0 ? l : `${indent}${l}`)).join('\n');
}

describe('load errors and secrets', () => {
  it('masks a vault value in a loader error (a task keyword and a module argument of the wrong kind), exit 4', async () => {
    const inventory = 'all:\n  hosts:\n    l1: { ansible_connection: local }\n';
    const play = (task: string) => `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: t\n${task}\n`;
    const dir = workdir({
      'inventories/default.yml': inventory,
      'retries.yml': play(`      debug: { msg: hi }\n      until: "true"\n      ${vaulted('retries', '      ')}`),
      'mode.yml': play(`      file:\n        path: /tmp/x\n        ${vaulted('mode', '        ')}`),
      'pw': `${VAULT_PW}\n`,
    });
    const retries = await omsrun(['retries.yml', '--vault-password-file', 'pw'], { cwd: dir });
    expect(retries.code).toBe(4);
    expect(retries.stderr).toBe('omsrun: error: retries.yml:7:23 [0].tasks[0].retries: expected a number, got "********"\n');
    const mode = await omsrun(['mode.yml', '--vault-password-file', 'pw'], { cwd: dir });
    expect(mode.code).toBe(4);
    expect(mode.stderr).toContain("[0].tasks[0].file.mode: expected an octal mode such as '0644', got \"********\"\n");
    expect(retries.stderr + retries.stdout + mode.stderr + mode.stdout).not.toContain(SECRET);
  });

  it('masks a vault value in a run-time argument error (a templated value of the wrong kind), exit 2', async () => {
    const inventory = 'all:\n  hosts:\n    l1: { ansible_connection: local }\n';
    const dir = workdir({
      'inventories/default.yml': inventory,
      'site.yml': `- hosts: all\n  gather_facts: false\n  vars:\n    ${vaulted('wait_secs', '    ')}\n  tasks:\n    - name: t\n      wait_for: { path: /tmp, timeout: "{{ wait_secs }}" }\n`,
      'pw': `${VAULT_PW}\n`,
    });
    const r = await omsrun(['site.yml', '--vault-password-file', 'pw'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('task "t": args.timeout: expected a number, got "********"');
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });
});
