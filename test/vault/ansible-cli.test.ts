import { chmodSync, copyFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { registerVaultCommand, type VaultIo } from '../../src/cli/vault-command.js';
import { VAULT_HEADER, decryptText, vaultCustomTags, vaultLabel, vaultPasswordSource } from '../../src/vault/index.js';
import { ANSIBLE_PW, FIXTURES, INLINE_PLAIN, OTHER_PW, fixture } from './ansible-fixtures.js';
import { errorOf, tree } from './tmp.js';

const NEW_PW = 'the-new-omsrun-pw';

// Runs `omsrun vault ...` in-process with no password in the environment; returns what it printed.
async function vault(args: string[], io: Omit<VaultIo, 'stdout'> = {}): Promise<string> {
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (c: Buffer) => (printed += c.toString()));
  const program = new Command('omsrun').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerVaultCommand(program, { env: {}, terminal: { input: new PassThrough(), output: new PassThrough() }, ...io, stdout });
  await program.parseAsync(['vault', ...args], { from: 'user' });
  return printed;
}

// The fixtures copied into a temp folder (the test runs inside it), with the modes given.
function copies(modes: Record<string, number>): void {
  tree({ 'pw.txt': `${ANSIBLE_PW}\n`, 'new-pw.txt': `${NEW_PW}\n`, 'plain.yml': 'a: 1\n' });
  for (const [name, mode] of Object.entries(modes)) {
    copyFileSync(path.join(FIXTURES, name), name);
    chmodSync(name, mode);
  }
}

const mode = (f: string) => statSync(f).mode & 0o777;
const PW_FILE = ['--vault-password-file', 'pw.txt'];

describe('omsrun vault on Ansible Vault files', () => {
  it('views and decrypts them with a password file or an Ansible --vault-id', async () => {
    copies({ 'whole-1.1.yml': 0o644, 'whole-1.2.yml': 0o644, 'notes.txt': 0o644 });
    expect(await vault(['view', 'whole-1.1.yml', ...PW_FILE])).toBe(fixture('whole.plain.yml'));
    expect(await vault(['view', 'whole-1.2.yml', '--vault-id', 'prod@pw.txt'])).toBe(fixture('whole.plain.yml'));
    expect(await vault(['view', 'notes.txt', '--vault-id', '@pw.txt'])).toBe(fixture('notes.plain.txt'));
    expect(await vault(['view', 'notes.txt'], { env: { OMSRUN_VAULT_PASSWORD: ANSIBLE_PW } })).toBe(fixture('notes.plain.txt'));
    expect(await vault(['decrypt', 'whole-1.2.yml', 'notes.txt', '--vault-id', 'pw.txt'])).toBe('decrypted: whole-1.2.yml\ndecrypted: notes.txt\n');
    expect(readFileSync('whole-1.2.yml', 'utf8')).toBe(fixture('whole.plain.yml'));
    expect(readFileSync('notes.txt', 'utf8')).toBe(fixture('notes.plain.txt'));
  });

  it('asks on the terminal for --vault-id LABEL@prompt, even with OMSRUN_VAULT_PASSWORD set', async () => {
    copies({ 'whole-1.2.yml': 0o644 });
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const output = new PassThrough();
    output.on('data', () => setTimeout(() => input.write(`${ANSIBLE_PW}\r`), 2));
    const env = { OMSRUN_VAULT_PASSWORD: 'not-this-one' };
    expect(await vault(['view', 'whole-1.2.yml', '--vault-id', 'prod@prompt'], { env, terminal: { input, output } })).toBe(fixture('whole.plain.yml'));
  });

  it('reports a wrong password naming the file and the format, changing nothing', async () => {
    copies({ 'whole-1.2.yml': 0o644 });
    const err = await errorOf(() => vault(['decrypt', 'whole-1.2.yml'], { env: { OMSRUN_VAULT_PASSWORD: 'wrong-pw' } }));
    expect(err.message).toBe('vault: cannot decrypt whole-1.2.yml (Ansible Vault 1.2, vault id prod): wrong password or the file was modified');
    expect(readFileSync('whole-1.2.yml', 'utf8')).toBe(fixture('whole-1.2.yml'));
  });

  it('rekeys whole files and !vault values in place, keeping modes and every other line', async () => {
    copies({ 'whole-1.1.yml': 0o640, 'whole-1.2.yml': 0o600, 'inline.yml': 0o644 });
    const printed = await vault(['rekey', 'whole-1.1.yml', 'whole-1.2.yml', 'inline.yml', 'plain.yml', ...PW_FILE]);
    expect(printed).toBe('rekeyed: whole-1.1.yml\nrekeyed: whole-1.2.yml\nrekeyed: inline.yml (6 values)\nunchanged: plain.yml (no Ansible Vault text)\n');
    expect([mode('whole-1.1.yml'), mode('whole-1.2.yml'), mode('inline.yml')]).toEqual([0o640, 0o600, 0o644]);
    expect(readFileSync('whole-1.1.yml', 'utf8').startsWith(`${VAULT_HEADER}\n`)).toBe(true);
    expect(vaultLabel(readFileSync('whole-1.2.yml', 'utf8'))).toBe('prod');
    expect(await vault(['view', 'whole-1.2.yml', ...PW_FILE])).toBe(fixture('whole.plain.yml'));
    const inline = readFileSync('inline.yml', 'utf8');
    expect(inline).not.toContain('$ANSIBLE_VAULT');
    const keep = (t: string) => t.split('\n').filter((l) => !l.startsWith('   '));
    expect(keep(inline)).toEqual(keep(fixture('inline.yml')));
    expect(parseDocument(inline, { customTags: vaultCustomTags(() => ANSIBLE_PW) }).toJS()).toEqual(INLINE_PLAIN);
    expect(await vault(['decrypt', 'whole-1.1.yml', ...PW_FILE])).toBe('decrypted: whole-1.1.yml\n');
    expect(readFileSync('whole-1.1.yml', 'utf8')).toBe(fixture('whole.plain.yml'));
    expect(readdirSync('.').sort()).toEqual(['inline.yml', 'new-pw.txt', 'plain.yml', 'pw.txt', 'whole-1.1.yml', 'whole-1.2.yml']);
    expect(await vault(['rekey', 'whole-1.2.yml', 'inline.yml', ...PW_FILE])).toBe(
      'unchanged: whole-1.2.yml (no Ansible Vault text)\nunchanged: inline.yml (no Ansible Vault text)\n',
    );
  });

  it('rekeys to a new password with --new-vault-password-file', async () => {
    copies({ 'whole-1.1.yml': 0o644 });
    await vault(['rekey', 'whole-1.1.yml', ...PW_FILE, '--new-vault-password-file', 'new-pw.txt']);
    expect(decryptText(readFileSync('whole-1.1.yml', 'utf8'), NEW_PW)).toBe(fixture('whole.plain.yml'));
    expect(await vault(['rekey', 'whole-1.1.yml', '--vault-password-file', 'new-pw.txt', '--new-vault-password-file', 'pw.txt'])).toBe('rekeyed: whole-1.1.yml\n');
    expect(decryptText(readFileSync('whole-1.1.yml', 'utf8'), ANSIBLE_PW)).toBe(fixture('whole.plain.yml'));
  });

  it('writes nothing when any value of any file fails to decrypt', async () => {
    copies({ 'inline.yml': 0o644, 'other-id.yml': 0o644 });
    const err = await errorOf(() => vault(['rekey', 'inline.yml', 'other-id.yml', ...PW_FILE]));
    expect(err.message).toBe('vault: cannot decrypt other-id.yml:2:13 (Ansible Vault 1.2, vault id dev): wrong password or the file was modified');
    expect(readFileSync('inline.yml', 'utf8')).toBe(fixture('inline.yml'));
    expect(readFileSync('other-id.yml', 'utf8')).toBe(fixture('other-id.yml'));
    expect(await vault(['rekey', 'other-id.yml'], { env: { OMSRUN_VAULT_PASSWORD: OTHER_PW } })).toBe('rekeyed: other-id.yml (1 value)\n');
  });

  it('does not ask for a password when there is no Ansible Vault text', async () => {
    copies({ 'whole-1.1.yml': 0o644 });
    await vault(['rekey', 'whole-1.1.yml', ...PW_FILE]);
    expect(await vault(['rekey', 'plain.yml', 'whole-1.1.yml'])).toBe(
      'unchanged: plain.yml (no Ansible Vault text)\nunchanged: whole-1.1.yml (no Ansible Vault text)\n',
    );
  });

  it('will not edit an Ansible Vault file in place of Ansible, and says how to convert it', async () => {
    copies({ 'whole-1.2.yml': 0o644 });
    expect((await errorOf(() => vault(['edit', 'whole-1.2.yml', ...PW_FILE], { env: { EDITOR: 'true' } }))).message).toBe(
      "vault: whole-1.2.yml is Ansible Vault 1.2, vault id prod: run `omsrun vault rekey whole-1.2.yml` first to turn it into omsrun's format (Ansible cannot read it after that)",
    );
    expect(readFileSync('whole-1.2.yml', 'utf8')).toBe(fixture('whole-1.2.yml'));
  });

  it('takes the label for new vault text from --vault-id LABEL@FILE', async () => {
    copies({});
    await vault(['encrypt', 'plain.yml', '--vault-id', 'prod@pw.txt']);
    expect(vaultLabel(readFileSync('plain.yml', 'utf8'))).toBe('prod');
    expect(await vault(['encrypt-string', 'v', '--vault-id', 'x@pw.txt', '--label', 'mine'])).toContain('$OMSRUN_VAULT;1.0;AES256GCM;mine\n');
  });
});

describe('--vault-id', () => {
  it('is LABEL@FILE, LABEL@prompt, @FILE or FILE', () => {
    expect(vaultPasswordSource(undefined, ['prod@secrets/pw'])).toEqual({ label: 'prod', passwordFile: 'secrets/pw' });
    expect(vaultPasswordSource(undefined, ['@pw'])).toEqual({ passwordFile: 'pw' });
    expect(vaultPasswordSource(undefined, ['pw'])).toEqual({ passwordFile: 'pw' });
    expect(vaultPasswordSource(undefined, ['dev@prompt'])).toEqual({ label: 'dev', environ: {} });
    expect(vaultPasswordSource('pw', [])).toEqual({ passwordFile: 'pw' });
  });

  it('is refused when given twice, with --vault-password-file, or without a source', async () => {
    copies({});
    expect((await errorOf(() => vault(['view', 'plain.yml', '--vault-id', 'a@pw.txt', '--vault-id', 'b@pw.txt']))).message).toBe(
      'vault: --vault-id was given 2 times: omsrun opens every vault value with one password, so give it once',
    );
    expect((await errorOf(() => vault(['rekey', 'plain.yml', '--vault-id', 'a@pw.txt', ...PW_FILE]))).message).toBe(
      'vault: use --vault-id or --vault-password-file, not both',
    );
    expect((await errorOf(() => vault(['encrypt', 'plain.yml', '--vault-id', 'prod@']))).message).toBe(
      'vault: --vault-id "prod@": expected LABEL@FILE, LABEL@prompt or FILE',
    );
  });
});
