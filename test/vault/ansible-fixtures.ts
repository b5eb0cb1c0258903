// Files made by the real `ansible-vault` (see test/fixtures/ansible-vault/make-fixtures.sh), and a reference encryptor.
import { createCipheriv, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/ansible-vault');
/** The password of every fixture except other-id.yml. */
export const ANSIBLE_PW = 'ansible-fixture-pw';
/** The password of other-id.yml (vault id `dev`). */
export const OTHER_PW = 'another-ansible-pw';

export const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** What `inline.yml` holds once decrypted (checked against `ansible -m debug` when the fixtures were made). */
export const INLINE_PLAIN = {
  db_host: 'db1.example.com',
  db_password: 'hunter22-from-ansible',
  api_token: 'tok-prod-7731',
  sixteen: 16,
  block16: 'sixteen-bytes-16',
  unicode: 'pässwörd ✓ 🔑',
  multiline: 'line one\nline two',
  users: [{ name: 'alice', password: 'alice-s3cret' }],
  db_port: 5432,
};
export const INLINE_SECRETS = ['hunter22-from-ansible', 'tok-prod-7731', 'sixteen-bytes-16', 'pässwörd ✓ 🔑', 'line one\nline two', 'alice-s3cret'];

/** The salt inside Ansible vault text (to re-encrypt the same plaintext the same way). */
export function ansibleSalt(vaultText: string): Buffer {
  const inner = Buffer.from(vaultText.trim().split('\n').slice(1).join('').replace(/\s+/g, ''), 'hex').toString('latin1');
  return Buffer.from(inner.split('\n')[0]!, 'hex');
}

// Ansible's VaultAES256.encrypt, written out independently; it must reproduce the real fixtures byte for byte.
export function ansibleEncrypt(plain: string | Buffer, password: string, o: { salt?: Buffer; vaultId?: string } = {}): string {
  const salt = o.salt ?? randomBytes(32);
  const derived = pbkdf2Sync(password, salt, 10_000, 80, 'sha256');
  const data = typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain;
  const pad = 16 - (data.length % 16);
  const cipher = createCipheriv('aes-256-ctr', derived.subarray(0, 32), derived.subarray(64));
  const ct = Buffer.concat([cipher.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), cipher.final()]);
  const hmac = createHmac('sha256', derived.subarray(32, 64)).update(ct).digest('hex');
  const hex = Buffer.from(`${salt.toString('hex')}\n${hmac}\n${ct.toString('hex')}`, 'latin1').toString('hex');
  const header = o.vaultId ? `$ANSIBLE_VAULT;1.2;AES256;${o.vaultId}` : '$ANSIBLE_VAULT;1.1;AES256';
  return `${[header, ...(hex.match(/.{1,80}/g) ?? [])].join('\n')}\n`;
}
