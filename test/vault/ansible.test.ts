import { LineCounter, parseDocument } from 'yaml';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourcePos } from '../../src/core/errors.js';
import {
  VaultError,
  ansibleVaultHeader,
  decryptText,
  isAnsibleVaultText,
  isVaultText,
  maybeDecryptFile,
  needsVaultPassword,
  vaultCustomTags,
  vaultErrorFromYaml,
} from '../../src/vault/index.js';
import { ANSIBLE_PW, INLINE_PLAIN, INLINE_SECRETS, OTHER_PW, ansibleEncrypt, ansibleSalt, fixture } from './ansible-fixtures.js';
import { errorOf } from './tmp.js';

const WHERE = 'group_vars/all.yml';

function parse(text: string, password: string, onSecret?: (v: string) => void) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, customTags: vaultCustomTags(() => password, { onSecret }) });
  const at = (offset: number): SourcePos => ({ file: WHERE, ...lineCounter.linePos(offset) });
  return { doc, at };
}

// Rewrites the hex envelope of Ansible vault text: `edit` gets [salt, hmac, ciphertext] as hex strings.
function reenvelope(vaultText: string, edit: (parts: string[]) => string[]): string {
  const [header, ...lines] = vaultText.trim().split('\n');
  const inner = Buffer.from(lines.join(''), 'hex').toString('latin1').split('\n');
  const hex = Buffer.from(edit(inner).join('\n'), 'latin1').toString('hex');
  return `${[header, ...(hex.match(/.{1,80}/g) ?? [])].join('\n')}\n`;
}
const flip = (hex: string, at: number) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);

describe('Ansible Vault files made by ansible-vault', () => {
  it('decrypts whole files, 1.1 and 1.2 with a vault id, YAML or not', () => {
    expect(decryptText(fixture('whole-1.1.yml'), ANSIBLE_PW)).toBe(fixture('whole.plain.yml'));
    expect(decryptText(fixture('whole-1.2.yml'), ANSIBLE_PW)).toBe(fixture('whole.plain.yml'));
    expect(decryptText(fixture('notes.txt'), ANSIBLE_PW)).toBe(fixture('notes.plain.txt'));
    expect(ansibleVaultHeader(fixture('whole-1.1.yml'))).toEqual({ version: '1.1' });
    expect(ansibleVaultHeader(fixture('whole-1.2.yml'))).toEqual({ version: '1.2', vaultId: 'prod' });
  });

  it('decrypts `encrypt_string` values inside YAML and reports each as a secret', () => {
    const secrets: string[] = [];
    const { doc } = parse(fixture('inline.yml'), ANSIBLE_PW, (s) => secrets.push(s));
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toEqual(INLINE_PLAIN);
    expect(secrets).toEqual(INLINE_SECRETS);
  });

  it('decrypts a whole vars file before parsing and reports its scalars as secrets', () => {
    const secrets: string[] = [];
    expect(maybeDecryptFile(fixture('whole-1.2.yml'), WHERE, () => ANSIBLE_PW, { onSecret: (s) => secrets.push(s) })).toBe(fixture('whole.plain.yml'));
    expect(secrets).toEqual(['app', 'hunter22-whole-file', 'tok-ä✓-123', '8443']);
  });

  it('is recognised as vault text, and needs the password', () => {
    for (const name of ['whole-1.1.yml', 'whole-1.2.yml', 'notes.txt']) {
      expect(isVaultText(fixture(name))).toBe(true);
      expect(isAnsibleVaultText(fixture(name))).toBe(true);
      expect(needsVaultPassword(fixture(name))).toBe(true);
    }
    expect(isVaultText(fixture('inline.yml'))).toBe(false);
    expect(needsVaultPassword(fixture('inline.yml'))).toBe(true);
    expect(isAnsibleVaultText('a: $ANSIBLE_VAULT;1.1;AES256')).toBe(false);
  });

  it('accepts indentation, and a value folded onto one line', () => {
    const text = fixture('notes.txt');
    expect(decryptText(text.split('\n').map((l) => `    ${l}`).join('\n'), ANSIBLE_PW)).toBe(fixture('notes.plain.txt'));
    expect(decryptText(text.replace(/\n/g, ' '), ANSIBLE_PW)).toBe(fixture('notes.plain.txt'));
  });

  it('matches an independent encryptor byte for byte (same salt, same output)', () => {
    expect(ansibleEncrypt(fixture('whole.plain.yml'), ANSIBLE_PW, { salt: ansibleSalt(fixture('whole-1.1.yml')) })).toBe(fixture('whole-1.1.yml'));
    expect(ansibleEncrypt(fixture('whole.plain.yml'), ANSIBLE_PW, { salt: ansibleSalt(fixture('whole-1.2.yml')), vaultId: 'prod' })).toBe(fixture('whole-1.2.yml'));
  });

  it('round-trips every length around the AES block size, and arbitrary text', () => {
    for (const n of [0, 1, 15, 16, 17, 31, 32, 33]) expect(decryptText(ansibleEncrypt('x'.repeat(n), 'pw'), 'pw')).toBe('x'.repeat(n));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ minLength: 1, maxLength: 20 }), (plain, pw) => {
        expect(decryptText(ansibleEncrypt(plain, pw), pw)).toBe(plain);
      }),
      { numRuns: 8 },
    );
  });
});

describe('Ansible Vault errors', () => {
  it('names the file and format on a wrong password, and leaks nothing', async () => {
    const err = await errorOf(() => decryptText(fixture('whole-1.1.yml'), 'not-the-pw', WHERE));
    expect(err).toBeInstanceOf(VaultError);
    expect(err.message).toBe(`vault: cannot decrypt ${WHERE} (Ansible Vault 1.1): wrong password or the file was modified`);
    expect((await errorOf(() => decryptText(fixture('whole-1.2.yml'), 'not-the-pw', WHERE))).message).toBe(
      `vault: cannot decrypt ${WHERE} (Ansible Vault 1.2, vault id prod): wrong password or the file was modified`,
    );
    expect(err.message).not.toContain('not-the-pw');
    expect(err.message).not.toContain('hunter22');
  });

  it('positions a wrong password inside YAML at the value, naming its vault id', () => {
    const { doc, at } = parse(fixture('inline.yml'), 'not-the-pw');
    expect(vaultErrorFromYaml(doc.errors, at)?.message).toBe(
      `vault: cannot decrypt ${WHERE}:3:14 (Ansible Vault 1.1): wrong password or the file was modified`,
    );
    const other = parse(fixture('other-id.yml'), ANSIBLE_PW);
    expect(vaultErrorFromYaml(other.doc.errors, other.at)?.message).toBe(
      `vault: cannot decrypt ${WHERE}:2:13 (Ansible Vault 1.2, vault id dev): wrong password or the file was modified`,
    );
    expect(parse(fixture('other-id.yml'), OTHER_PW).doc.toJS()).toEqual({ dev_only: true, dev_secret: 'dev-s3cret' });
  });

  it('rejects a tampered HMAC, ciphertext or salt', async () => {
    const text = fixture('whole-1.1.yml');
    const modified = `vault: cannot decrypt ${WHERE} (Ansible Vault 1.1): wrong password or the file was modified`;
    for (const [part, at] of [[1, 0], [1, 63], [2, 0], [2, 40], [0, 10]] as const) {
      const tampered = reenvelope(text, (p) => p.map((h, i) => (i === part ? flip(h, at) : h)));
      expect((await errorOf(() => decryptText(tampered, ANSIBLE_PW, WHERE))).message).toBe(modified);
    }
  });

  it('calls truncated or garbled text damaged, not a wrong password', async () => {
    const text = fixture('whole-1.1.yml');
    const damaged = `vault: cannot decrypt ${WHERE} (Ansible Vault 1.1): the encrypted data is damaged (bad hex or truncated)`;
    const lines = text.trimEnd().split('\n');
    const cases = [
      lines.slice(0, -1).join('\n'),
      text.slice(0, text.length - 4),
      text.slice(0, text.length - 3),
      lines[0]!,
      text.replace(/\n3/, '\nz'),
      reenvelope(text, (p) => p.slice(0, 2)),
      reenvelope(text, (p) => [p[0]!, p[1]!.slice(0, 62), p[2]!]),
      reenvelope(text, (p) => [p[0]!, p[1]!, p[2]!.slice(0, -2)]),
    ];
    for (const c of cases) expect((await errorOf(() => decryptText(c, ANSIBLE_PW, WHERE))).message).toBe(damaged);
  });

  it('names an Ansible Vault version or cipher it cannot read', async () => {
    const text = fixture('whole-1.1.yml');
    expect((await errorOf(() => decryptText(text.replace(';1.1;', ';1.0;'), ANSIBLE_PW, WHERE))).message).toBe(
      `vault: cannot decrypt ${WHERE}: unsupported Ansible Vault header "$ANSIBLE_VAULT;1.0;AES256" (omsrun reads 1.1 and 1.2 with AES256)`,
    );
    expect((await errorOf(() => decryptText('$ANSIBLE_VAULT;1.1\n00\n', ANSIBLE_PW, WHERE))).message).toBe(
      `vault: cannot decrypt ${WHERE}: unsupported Ansible Vault header "$ANSIBLE_VAULT;1.1" (omsrun reads 1.1 and 1.2 with AES256)`,
    );
  });

  it('refuses an empty password and decrypted data that is not UTF-8', async () => {
    expect((await errorOf(() => decryptText(fixture('notes.txt'), '', WHERE))).message).toBe('vault: the vault password is empty');
    expect((await errorOf(() => decryptText(ansibleEncrypt(Buffer.from([0x61, 0xff, 0xfe]), 'pw'), 'pw', WHERE))).message).toBe(
      `vault: cannot decrypt ${WHERE} (Ansible Vault 1.1): the decrypted data is not UTF-8 text`,
    );
  });
});
