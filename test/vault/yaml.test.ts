import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { SourcePos } from '../../src/core/errors.js';
import { formatInlineVault } from '../../src/cli/vault-command.js';
import {
  VaultError,
  VaultSession,
  encryptText,
  maybeDecryptFile,
  needsVaultPassword,
  scalarsOf,
  vaultCustomTags,
  vaultErrorFromYaml,
} from '../../src/vault/index.js';
import { errorOf, tree } from './tmp.js';

const PW = 'yaml-tests-pw';
const FILE = 'inventories/prod/group_vars/all.yml';

function parse(text: string, password: string, onSecret?: (v: string) => void) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, customTags: vaultCustomTags(() => password, { onSecret }) });
  const at = (offset: number): SourcePos => ({ file: FILE, ...lineCounter.linePos(offset) });
  return { doc, at };
}

describe('vault in YAML', () => {
  const dbPassword = encryptText('db-s3cret', PW);
  const apiToken = encryptText('tok\nen', PW);
  const text = `db_host: db1\ndb_password: ${formatInlineVault(dbPassword).trimEnd()}\nlist:\n  - !vault |\n${apiToken.replace(/^/gm, '    ').trimEnd()}\n`;

  it('decrypts inline `!vault |` values and reports each one as a secret', () => {
    const secrets: string[] = [];
    const { doc } = parse(text, PW, (s) => secrets.push(s));
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toEqual({ db_host: 'db1', db_password: 'db-s3cret', list: ['tok\nen'] });
    expect(secrets).toEqual(['db-s3cret', 'tok\nen']);
  });

  it('turns a wrong password into a positioned VaultError', () => {
    const { doc, at } = parse(text, 'wrong', () => undefined);
    const err = vaultErrorFromYaml(doc.errors, at);
    expect(err).toBeInstanceOf(VaultError);
    expect(err?.message).toBe(`vault: cannot decrypt ${FILE}:2:14: wrong password or the file was modified`);
    expect(vaultErrorFromYaml(parse('a: 1\n', PW).doc.errors, at)).toBeUndefined();
  });

  it('positions other vault failures too (no password available)', () => {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, {
      lineCounter,
      customTags: vaultCustomTags(() => {
        throw new VaultError(`${FILE} needs the vault password and none was given`);
      }),
    });
    const err = vaultErrorFromYaml(doc.errors, (o) => ({ file: FILE, ...lineCounter.linePos(o) }));
    expect(err?.message).toBe(`vault: ${FILE}:2:14: ${FILE} needs the vault password and none was given`);
  });

  it('decrypts a whole encrypted file before parsing and reports its scalars as secrets', () => {
    const plain = 'user: admin\npass: hunter22\nport: 5432\nnested:\n  - deep-secret\n  - true\n';
    const secrets: string[] = [];
    const out = maybeDecryptFile(encryptText(plain, PW), FILE, () => PW, { onSecret: (s) => secrets.push(s) });
    expect(out).toBe(plain);
    expect(secrets).toEqual(['admin', 'hunter22', '5432', 'deep-secret']);
  });

  it('passes plain files through without asking for a password', () => {
    const ask = () => {
      throw new Error('password asked for a plain file');
    };
    expect(maybeDecryptFile('a: 1\n', FILE, ask)).toBe('a: 1\n');
  });

  it('names the file when a whole-file decryption fails', async () => {
    expect((await errorOf(() => maybeDecryptFile(encryptText('a: 1', PW), FILE, () => 'nope'))).message).toBe(
      `vault: cannot decrypt ${FILE}: wrong password or the file was modified`,
    );
  });

  it('knows when a text needs the password', () => {
    expect(needsVaultPassword(encryptText('a', PW))).toBe(true);
    expect(needsVaultPassword('x: !vault |\n  $OMSRUN_VAULT;1.0;AES256GCM\n')).toBe(true);
    expect(needsVaultPassword('- !vault |\n')).toBe(true);
    expect(needsVaultPassword('# x: !vault |\na: 1\n')).toBe(false);
    expect(needsVaultPassword('a: !vaulted\n')).toBe(false);
  });

  it('collects string and number scalars, ignoring booleans and nulls', () => {
    expect(scalarsOf('a: x\nb: [1, true, null, "y"]\n---\nc: z\n')).toEqual(['x', '1', 'y', 'z']);
    expect(scalarsOf('a: [unclosed\n')).toEqual([]);
  });
});

describe('vault session', () => {
  it('asks for the password only when something encrypted is met, then once', async () => {
    const dir = tree({ 'pw.sh': ['#!/bin/sh\necho x >> count\necho session-pw\n', 0o755] });
    const session = new VaultSession({ passwordFile: `${dir}/pw.sh`, prompt: false });
    const plain = await session.prepare('a: 1\n', 'plain.yml');
    expect(plain.text).toBe('a: 1\n');
    expect(await errorOf(() => session.passwordNow())).toBeInstanceOf(VaultError);

    const whole = await session.prepare(encryptText('b: whole-secret\n', 'session-pw'), 'whole.yml');
    expect(whole.text).toBe('b: whole-secret\n');
    const inline = await session.prepare(`c: ${formatInlineVault(encryptText('inline-secret', 'session-pw'))}`, 'inline.yml');
    expect(parseDocument(inline.text, { customTags: inline.customTags }).toJS()).toEqual({ c: 'inline-secret' });
    expect([...session.secrets]).toEqual(['whole-secret', 'inline-secret']);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync('count', 'utf8')).toBe('x\n');
  });

  it('keeps each line of a multi-line value as a secret too (output is streamed by line)', async () => {
    const session = new VaultSession({ prompt: false, environ: { OMSRUN_VAULT_PASSWORD: PW } });
    const prepared = await session.prepare(`k: ${formatInlineVault(encryptText('first line\r\n\nsecond line\n', PW))}`, 'multi.yml');
    parseDocument(prepared.text, { customTags: prepared.customTags });
    expect([...session.secrets]).toEqual(['first line\r\n\nsecond line\n', 'first line', 'second line']);
  });

  it('names the file that needs a password when none can be found', async () => {
    const session = new VaultSession({ prompt: false, environ: {} });
    expect((await errorOf(() => session.prepare(encryptText('a', PW), FILE))).message).toBe(
      `vault: ${FILE} needs the vault password and none was given: use --vault-password-file FILE or set OMSRUN_VAULT_PASSWORD (or run from a terminal to be asked)`,
    );
  });
});
