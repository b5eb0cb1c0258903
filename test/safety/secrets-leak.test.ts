import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, omsrun, type CliRun } from '../cli/cli-helper.js';
import { filesIn, inventoryOf, labEnabled, onHost, readTree, useSideLab } from './safety-lab.js';

const VAULT_PW = 'vault-Pw-for-safety';
const VAULTED = 'Vlt-S3cr3t"q\\b-9';
const DB_PW = "db-P@ss'w0rd-77";
const NOLOG = 'nolog-pl41n-value';
const WRONG_PW = 'Wr0ng-conn-Secret';

const PLAY = `- name: secrets everywhere
  hosts: all
  become: true
  vars_files: [secrets.yml]
  vars:
    motd_text: ${NOLOG}
  tasks:
    - name: lock holder
      shell: cat /run/omsrun.lock/holder > /data/holder-copy; cat /run/omsrun.lock/holder
    - name: vaulted config
      copy: { content: "vault={{ vault_secret }}\\n", dest: /data/app.conf, mode: "0600" }
    - name: templated config
      template: { src: app.conf.hbs, dest: /data/t.conf, mode: "0600" }
    - name: echo through sudo
      command: { argv: [echo, "{{ db_password }}", "{{ vault_secret }}"] }
      register: echoed
    - name: show it
      debug: { msg: "pw {{ db_password }} / {{ echoed.stdout }}" }
    - name: derived fact
      set_fact: { copy_of: "{{ vault_secret }}" }
    - name: show the fact
      debug: { var: copy_of }
    - name: connection password
      command: { argv: [echo, "{{default ansible_password 'none'}}", "{{default ansible_become_password 'none'}}"] }
    - name: quiet
      shell: "echo {{ motd_text }}; echo {{ motd_text }} >&2"
      no_log: true
    - name: quiet failure
      shell: "echo {{ motd_text }} >&2; exit 5"
      no_log: true
      ignore_errors: true
    - name: split error quoting the secret
      command: "echo {{ db_password }}"
      ignore_errors: true
    - name: stderr with secrets
      shell: "printf 'cannot use %s\\n' {{ shell_quote vault_secret }} >&2; ls /nonexistent-{{ shell_quote db_password }}"
      ignore_errors: true
    - name: final failure
      fail: { msg: "giving up with {{ db_password }} and {{ vault_secret }}" }
      when: inventory_hostname == 'h2'
`;
const TEMPLATE = 'db_password={{ db_password }}\nvault={{ vault_secret }}\nconn={{default ansible_password "none"}}\n';

// The forms a secret leaks in: as it is, JSON-escaped, base64, and every run of 6+ characters between its quotes
// (which also catches shell-quoted and doubly escaped copies).
function forms(secret: string): string[] {
  const pieces = secret.split(/['"\\]/).filter((p) => p.length >= 6);
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64'), ...pieces])];
}

function leaks(texts: Record<string, string>, secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const [name, secret] of Object.entries(secrets)) {
      for (const f of forms(secret)) if (text.includes(f)) found.push(`${name} (${JSON.stringify(f)}) in ${where}`);
    }
  }
  return found;
}

describe.skipIf(!labEnabled())('secrets never leak (SSH, vault, become, no_log, --diff, -vvv, --json)', () => {
  const side = useSideLab('sfsec', 2);

  it('no secret (nor a wrong connection password) in stdout, stderr, the JSON stream, run logs, the retry file, host audit logs or the lock holder', async () => {
    const { lab } = side;
    const [h1, h2] = lab.hosts;
    const CONN_PW = lab.tester.password;
    const inventory = inventoryOf(lab, {
      h1: { ansible_user: 'tester', ansible_password: CONN_PW, ansible_become_password: CONN_PW, ansible_ssh_private_key_file: null },
    }, { omsrun_audit_log: '/data/audit.log', db_password: DB_PW }).replace(
      /\n  hosts:\n/,
      `\n  hosts:\n    wrongpw: { ansible_host: ${h2!.ip}, ansible_user: tester, ansible_password: ${JSON.stringify(WRONG_PW)}, ansible_ssh_private_key_file: null }\n`,
    );
    const dir = filesIn(side, { 'inventory.yml': inventory, 'site.yml': PLAY, 'app.conf.hbs': TEMPLATE, 'vault-pass': `${VAULT_PW}\n` });
    const vaulted = execFileSync(process.execPath, [BIN, 'vault', 'encrypt-string', '--name', 'vault_secret', VAULTED], { env: { ...process.env, OMSRUN_VAULT_PASSWORD: VAULT_PW } }).toString();
    writeFileSync(path.join(dir, 'secrets.yml'), vaulted);
    const secrets = { vault: VAULTED, db_password: DB_PW, no_log: NOLOG, ansible_password: CONN_PW, wrong_password: WRONG_PW, vault_password: VAULT_PW };

    const runs: Record<string, CliRun> = {};
    for (const [name, extra] of [['plain', []], ['json', ['--json']]] as const) {
      for (const h of [h1!, h2!]) {
        mkdirSync(path.join(h.dir, 'data'), { recursive: true });
        writeFileSync(path.join(h.dir, 'data', 't.conf'), `old ${name}\n`);
        writeFileSync(path.join(h.dir, 'data', 'app.conf'), `old ${name}\n`);
      }
      runs[name] = await omsrun(['site.yml', '-i', 'inventory.yml', '-vvv', '--diff', '--vault-password-file', 'vault-pass', ...extra], { cwd: dir, isolate: false });
    }
    const { plain, json } = runs as { plain: CliRun; json: CliRun };
    expect(plain.code).toBe(2);
    expect(json.code).toBe(2);
    // The run really used every secret: the hosts hold them, and the masked output shows where they went.
    expect(readFileSync(path.join(h1!.dir, 'data', 't.conf'), 'utf8')).toBe(`db_password=${DB_PW}\nvault=${VAULTED}\nconn=${CONN_PW}\n`);
    expect(readFileSync(path.join(h2!.dir, 'data', 'app.conf'), 'utf8')).toBe(`vault=${VAULTED}\n`);
    expect(plain.stdout).toMatch(/ok: \[h1\] \d+ms => pw \*{8} \/ \*{8} \*{8}\n/);
    expect(plain.stdout).toMatch(/\[h1\] cannot use \*{8}\n/);
    expect(plain.stdout).toMatch(/\+db_password=\*{8}/);
    expect(plain.stdout).toContain('the output has been hidden due to no_log: true');
    expect(plain.stdout).toContain(`unreachable: [wrongpw] => authentication failed for tester@${h2!.ip}:22 (tried password, keyboard-interactive)`);
    expect(json.stdout.split('\n').filter(Boolean).every((l) => JSON.parse(l) !== undefined)).toBe(true);
    const holder = readFileSync(path.join(h1!.dir, 'data', 'holder-copy'), 'utf8');
    expect(JSON.parse(holder)).toMatchObject({ playbook: 'site.yml' });

    const texts: Record<string, string> = {
      'plain stdout': plain.stdout, 'plain stderr': plain.stderr, 'json stdout': json.stdout, 'json stderr': json.stderr,
      ...readTree(path.join(dir, '.omsrun')),
      'site.retry': readFileSync(path.join(dir, 'site.retry'), 'utf8'),
    };
    for (const h of [h1!, h2!]) {
      texts[`${h.name}:/data/audit.log`] = readFileSync(path.join(h.dir, 'data', 'audit.log'), 'utf8');
      texts[`${h.name}:/data/holder-copy`] = readFileSync(path.join(h.dir, 'data', 'holder-copy'), 'utf8');
      expect(existsSync(onHost(h, '/run/omsrun.lock'))).toBe(false);
    }
    const logs = Object.keys(texts).filter((k) => k.endsWith('.jsonl'));
    expect(logs.length).toBeGreaterThanOrEqual(3);
    expect((statSync(path.join(dir, '.omsrun', 'runs')).mode & 0o777).toString(8)).toBe('700');
    for (const f of logs) expect((statSync(f).mode & 0o777).toString(8)).toBe('600');
    expect(leaks(texts, secrets)).toEqual([]);
  }, 120_000);
});
