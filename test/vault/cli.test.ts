import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { parseDocument } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { registerVaultCommand, type VaultIo } from '../../src/cli/vault-command.js';
import { VAULT_HEADER, VaultError, decryptText, encryptText, vaultCustomTags, vaultLabel, writeFileAtomic } from '../../src/vault/index.js';
import { errorOf, tree } from './tmp.js';

const PW = 'cli-tests-pw';
const PLAIN = 'db_user: app\ndb_password: hunter22\n';
const savedTmp = process.env.TMPDIR;

afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

// Runs `omsrun vault ...` in-process; returns what it printed.
async function vault(args: string[], io: Omit<VaultIo, 'stdout'> = {}): Promise<string> {
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (c: Buffer) => (printed += c.toString()));
  const program = new Command('omsrun').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerVaultCommand(program, { env: { OMSRUN_VAULT_PASSWORD: PW }, ...io, stdout });
  await program.parseAsync(['vault', ...args], { from: 'user' });
  return printed;
}

const mode = (f: string) => statSync(f).mode & 0o777;

describe('omsrun vault', () => {
  it('encrypts files in place, keeping their mode, and decrypts them back', async () => {
    tree({ 'vars/secrets.yml': [PLAIN, 0o640], 'other.yml': 'a: 1\n' });
    expect(await vault(['encrypt', 'vars/secrets.yml', 'other.yml', '--label', 'prod'])).toBe('encrypted: vars/secrets.yml\nencrypted: other.yml\n');
    const text = readFileSync('vars/secrets.yml', 'utf8');
    expect(text.startsWith(`${VAULT_HEADER};prod\n`)).toBe(true);
    expect(text).not.toContain('hunter22');
    expect(mode('vars/secrets.yml')).toBe(0o640);
    expect(decryptText(text, PW)).toBe(PLAIN);
    expect(readdirSync('vars')).toEqual(['secrets.yml']);

    expect(await vault(['decrypt', 'vars/secrets.yml'])).toBe('decrypted: vars/secrets.yml\n');
    expect(readFileSync('vars/secrets.yml', 'utf8')).toBe(PLAIN);
    expect(mode('vars/secrets.yml')).toBe(0o640);
  });

  it('refuses to encrypt an encrypted file or decrypt a plain one, changing nothing', async () => {
    tree({ 'enc.yml': encryptText(PLAIN, PW), 'plain.yml': PLAIN });
    const before = readFileSync('enc.yml', 'utf8');
    const e1 = await errorOf(() => vault(['encrypt', 'plain.yml', 'enc.yml']));
    expect(e1).toBeInstanceOf(VaultError);
    expect(e1.message).toBe('vault: enc.yml is already encrypted');
    expect(readFileSync('plain.yml', 'utf8')).toBe(PLAIN);
    expect((await errorOf(() => vault(['decrypt', 'plain.yml']))).message).toBe('vault: plain.yml is not encrypted');
    expect((await errorOf(() => vault(['view', 'missing.yml']))).message).toBe('vault: missing.yml: file not found');
    expect(readFileSync('enc.yml', 'utf8')).toBe(before);
  });

  it('reports a wrong password without touching the file', async () => {
    tree({ 'enc.yml': encryptText(PLAIN, PW) });
    const before = readFileSync('enc.yml', 'utf8');
    const err = await errorOf(() => vault(['decrypt', 'enc.yml'], { env: { OMSRUN_VAULT_PASSWORD: 'nope' } }));
    expect(err.message).toBe('vault: cannot decrypt enc.yml: wrong password or the file was modified');
    expect(readFileSync('enc.yml', 'utf8')).toBe(before);
  });

  it('views with a password file (plain or executable)', async () => {
    tree({ 'enc.yml': encryptText(PLAIN, 'file-pw'), 'pw.txt': 'file-pw\n', 'pw.sh': ['#!/bin/sh\necho file-pw\n', 0o700] });
    expect(await vault(['view', 'enc.yml', '--vault-password-file', 'pw.txt'], { env: {} })).toBe(PLAIN);
    expect(await vault(['view', '--vault-password-file', 'pw.sh', 'enc.yml'], { env: {} })).toBe(PLAIN);
  });

  it('edits in a private 0600 temp file, re-encrypts on save and removes the temp file', async () => {
    const dir = tree({
      'enc.yml': [encryptText(PLAIN, PW, { label: 'prod' }), 0o600],
      'editor.sh': ['#!/bin/sh\nstat -c "%a $(stat -c %a "$(dirname "$1")")" "$1" > "$LOG"\necho "$1" >> "$LOG"\necho "api_key: k-123" >> "$1"\n', 0o755],
    });
    mkdirSync('tmp');
    process.env.TMPDIR = path.join(dir, 'tmp');
    const env = { OMSRUN_VAULT_PASSWORD: PW, EDITOR: `LOG=${dir}/log ${dir}/editor.sh` };
    expect(await vault(['edit', 'enc.yml'], { env })).toBe('saved: enc.yml\n');
    const text = readFileSync('enc.yml', 'utf8');
    expect(decryptText(text, PW)).toBe(`${PLAIN}api_key: k-123\n`);
    expect(vaultLabel(text)).toBe('prod');
    expect(mode('enc.yml')).toBe(0o600);
    const [modes, tmpFile] = readFileSync('log', 'utf8').trim().split('\n');
    expect(modes).toBe('600 700');
    expect(tmpFile!.startsWith(path.join(dir, 'tmp', 'omsrun-vault-'))).toBe(true);
    expect(path.basename(tmpFile!)).toBe('enc.yml');
    expect(existsSync(tmpFile!)).toBe(false);
    expect(readdirSync('tmp')).toEqual([]);
  });

  it('leaves the file alone when the editor saves nothing or fails, and still cleans up', async () => {
    const dir = tree({ 'enc.yml': encryptText(PLAIN, PW) });
    mkdirSync('tmp');
    process.env.TMPDIR = path.join(dir, 'tmp');
    const before = readFileSync('enc.yml', 'utf8');
    expect(await vault(['edit', 'enc.yml'], { env: { OMSRUN_VAULT_PASSWORD: PW, EDITOR: 'true' } })).toBe('unchanged: enc.yml\n');
    const err = await errorOf(() => vault(['edit', 'enc.yml'], { env: { OMSRUN_VAULT_PASSWORD: PW, EDITOR: 'echo x >> "$1"; exit 5; :' } }));
    expect(err.message).toBe('vault: the editor "echo x >> \\"$1\\"; exit 5; :" exited with code 5; nothing was saved');
    expect(readFileSync('enc.yml', 'utf8')).toBe(before);
    expect(readdirSync('tmp')).toEqual([]);
  });

  it('encrypts a string from the command line or stdin as a block to paste into YAML', async () => {
    tree({});
    const printed = await vault(['encrypt-string', '--name', 'db_password', 's3cret value']);
    expect(printed).toMatch(/^db_password: !vault \|\n {2}\$OMSRUN_VAULT;1\.0;AES256GCM\n( {2}[A-Za-z0-9+/=]{1,80}\n)+$/);
    expect(parseDocument(printed, { customTags: vaultCustomTags(() => PW) }).toJS()).toEqual({ db_password: 's3cret value' });

    const stdin = new PassThrough();
    stdin.end('from stdin\n');
    const piped = await vault(['encrypt-string', '-n', 'my key'], { stdin });
    expect(piped.startsWith('"my key": !vault |\n')).toBe(true);
    expect(parseDocument(piped, { customTags: vaultCustomTags(() => PW) }).toJS()).toEqual({ 'my key': 'from stdin' });

    const bare = await vault(['encrypt-string', 'v']);
    expect(bare.startsWith('!vault |\n  $OMSRUN_VAULT')).toBe(true);
    const empty = new PassThrough();
    empty.end('');
    expect((await errorOf(() => vault(['encrypt-string'], { stdin: empty }))).message).toBe('vault: nothing to encrypt: the value is empty');
  });

  it('says how to give a password when none is available', async () => {
    tree({ 'plain.yml': PLAIN });
    const terminal = { input: new PassThrough(), output: new PassThrough() };
    expect((await errorOf(() => vault(['encrypt', 'plain.yml'], { env: {}, terminal }))).message).toBe(
      'vault: encrypted data needs the vault password and none was given: use --vault-password-file FILE or set OMSRUN_VAULT_PASSWORD (or run from a terminal to be asked)',
    );
    expect(readFileSync('plain.yml', 'utf8')).toBe(PLAIN);
    await vault(['encrypt', 'plain.yml']);
    expect((await errorOf(() => vault(['view', 'plain.yml'], { env: {}, terminal }))).message).toBe(
      'vault: plain.yml needs the vault password and none was given: use --vault-password-file FILE or set OMSRUN_VAULT_PASSWORD (or run from a terminal to be asked)',
    );
  });

  it('rejects a missing argument as a usage error', async () => {
    const err = await errorOf(() => vault(['view']));
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).code).toBe('commander.missingArgument');
  });
});

describe('atomic writes', () => {
  it('creates new files 0600 and writes through a symlink to its target', async () => {
    tree({ 'real.yml': ['old\n', 0o644] });
    await writeFileAtomic('new.yml', 'n\n');
    expect(mode('new.yml')).toBe(0o600);
    symlinkSync('real.yml', 'link.yml');
    await writeFileAtomic('link.yml', 'new\n');
    expect(lstatSync('link.yml').isSymbolicLink()).toBe(true);
    expect(readlinkSync('link.yml')).toBe('real.yml');
    expect(readFileSync('real.yml', 'utf8')).toBe('new\n');
    expect(mode('real.yml')).toBe(0o644);
    expect(readdirSync('.').sort()).toEqual(['link.yml', 'new.yml', 'real.yml']);
  });

  it('reports a target it cannot write and leaves no temp file', async () => {
    tree({ 'file.yml': 'x\n' });
    expect((await errorOf(() => writeFileAtomic('missing-dir/x.yml', 'y\n'))).message).toBe('vault: missing-dir/x.yml: cannot write it (ENOENT)');
    expect((await errorOf(() => writeFileAtomic('file.yml/x.yml', 'y\n'))).message).toBe('vault: file.yml/x.yml: cannot write it (ENOTDIR)');
    expect(readdirSync('.')).toEqual(['file.yml']);
  });
});
