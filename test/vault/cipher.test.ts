import { scryptSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OmsrunError } from '../../src/core/errors.js';
import { VAULT_HEADER, VaultError, clearKeyCache, decryptText, encryptText, isVaultText, vaultLabel } from '../../src/vault/index.js';
import { errorOf } from './tmp.js';

const PW = 'correct horse battery staple';
const WHERE = 'inventories/prod/group_vars/all.yml';
const MODIFIED = `vault: cannot decrypt ${WHERE}: wrong password or the file was modified`;

function body(text: string): Buffer {
  return Buffer.from(text.split('\n').slice(1).join(''), 'base64');
}
function withBody(text: string, data: Buffer): string {
  const b64 = data.toString('base64');
  const lines = [text.split('\n')[0]!];
  for (let i = 0; i < b64.length; i += 80) lines.push(b64.slice(i, i + 80));
  return `${lines.join('\n')}\n`;
}

describe('vault cipher', () => {
  it('derives a key in roughly 50-150 ms (scrypt N=2^15, r=8, p=1)', () => {
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) scryptSync('pw', randomBytes(16), 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 });
    const ms = (performance.now() - t0) / 3;
    console.log(`scrypt N=2^15 r=8 p=1: ${ms.toFixed(1)} ms per derivation`);
    expect(ms).toBeGreaterThan(5);
    expect(ms).toBeLessThan(2000);
  });

  it('round-trips text, including empty, multi-line and non-ASCII text', () => {
    for (const plain of ['', 's3cret', 'a: 1\nb: "x"\n', 'pässwörd ✓ 🔑', 'x'.repeat(5000)]) {
      expect(decryptText(encryptText(plain, PW), PW)).toBe(plain);
    }
  });

  it('round-trips arbitrary strings and passwords', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ minLength: 1, maxLength: 20 }), (plain, pw) => {
        expect(decryptText(encryptText(plain, pw), pw)).toBe(plain);
      }),
      { numRuns: 8 },
    );
  });

  it('writes a header line then base64 wrapped at 80 columns', () => {
    const text = encryptText('y'.repeat(300), PW);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(VAULT_HEADER);
    expect(lines.slice(1, -1).every((l) => l.length === 80)).toBe(true);
    expect(lines[lines.length - 1]!.length).toBeLessThanOrEqual(80);
    expect(text.endsWith('\n')).toBe(true);
    expect(body(text).length).toBe(16 + 12 + 16 + 300);
  });

  it('uses a fresh salt and IV for every encryption', () => {
    const a = body(encryptText('same', PW));
    const b = body(encryptText('same', PW));
    expect(a.subarray(0, 16).equals(b.subarray(0, 16))).toBe(false);
    expect(a.subarray(16, 28).equals(b.subarray(16, 28))).toBe(false);
    expect(a.subarray(44).equals(b.subarray(44))).toBe(false);
  });

  it('rejects a wrong password with a one-line message that leaks nothing', async () => {
    const text = encryptText('the-plaintext', PW);
    const err = await errorOf(() => decryptText(text, 'hunter2-nope', WHERE));
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toBeInstanceOf(OmsrunError);
    expect(err.message).toBe(MODIFIED);
    expect(err.message).not.toContain('the-plaintext');
    expect(err.message).not.toContain('hunter2-nope');
    expect(err.message).not.toContain(PW);
  });

  it('rejects tampered ciphertext, tag, salt and IV', async () => {
    const text = encryptText('pay 100 to alice', PW);
    for (const offset of [0, 16, 28, 44, 50]) {
      const data = body(text);
      data[offset] = data[offset]! ^ 0x01;
      expect((await errorOf(() => decryptText(withBody(text, data), PW, WHERE))).message).toBe(MODIFIED);
    }
  });

  it('authenticates the header: a changed label fails, an unknown version is named', async () => {
    const text = encryptText('v', PW, { label: 'prod' });
    expect(vaultLabel(text)).toBe('prod');
    expect(text.startsWith(`${VAULT_HEADER};prod\n`)).toBe(true);
    expect(decryptText(text, PW)).toBe('v');
    expect((await errorOf(() => decryptText(text.replace(';prod', ';test'), PW, WHERE))).message).toBe(MODIFIED);
    expect((await errorOf(() => decryptText(text.replace(';prod', ''), PW, WHERE))).message).toBe(MODIFIED);
    expect((await errorOf(() => decryptText(text.replace(';1.0;', ';2.0;'), PW, WHERE))).message).toBe(
      `vault: cannot decrypt ${WHERE}: unsupported vault header "$OMSRUN_VAULT;2.0;AES256GCM;prod" (expected ${VAULT_HEADER})`,
    );
  });

  it('names damaged or foreign text instead of blaming the password', async () => {
    const text = encryptText('v', PW);
    expect((await errorOf(() => decryptText(`${VAULT_HEADER}\nQUJD\n`, PW, WHERE))).message).toBe(
      `vault: cannot decrypt ${WHERE}: the encrypted data is damaged (bad base64 or too short)`,
    );
    expect((await errorOf(() => decryptText(text.replace(/\n(.)/, '\n*'), PW, WHERE))).message).toBe(
      `vault: cannot decrypt ${WHERE}: the encrypted data is damaged (bad base64 or too short)`,
    );
    expect((await errorOf(() => decryptText('a: 1\n', PW, WHERE))).message).toBe(
      `vault: cannot decrypt ${WHERE}: it does not start with a ${VAULT_HEADER} header`,
    );
  });

  it('accepts indentation and folded whitespace around the vault text', () => {
    const text = encryptText('v', PW);
    expect(decryptText(text.split('\n').map((l) => `    ${l}`).join('\n'), PW)).toBe('v');
    expect(decryptText(text.replace(/\n/g, ' '), PW)).toBe('v');
  });

  it('refuses an empty password and a bad label', async () => {
    expect((await errorOf(() => encryptText('v', ''))).message).toBe('vault: the vault password is empty');
    expect((await errorOf(() => encryptText('v', PW, { label: 'a b' }))).message).toBe(
      'vault: invalid label "a b": use 1 to 64 letters, digits, "_", "." or "-"',
    );
  });

  it('recognises vault text by its header', () => {
    expect(isVaultText(encryptText('v', PW))).toBe(true);
    expect(isVaultText(`\uFEFF\n  ${VAULT_HEADER}\nAAAA`)).toBe(true);
    expect(isVaultText('a: $OMSRUN_VAULT;1.0;AES256GCM')).toBe(false);
    expect(isVaultText('')).toBe(false);
  });

  it('caches derived keys per password and salt', () => {
    const text = encryptText('v', 'cache-test-password');
    clearKeyCache();
    const t0 = performance.now();
    decryptText(text, 'cache-test-password');
    const first = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 20; i++) decryptText(text, 'cache-test-password');
    const twenty = performance.now() - t1;
    expect(first).toBeGreaterThan(5);
    expect(twenty).toBeLessThan(first);
  });
});
