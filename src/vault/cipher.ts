// The vault format: AES-256-GCM with an scrypt key, the header line authenticated as AAD.
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { decryptAnsibleVault, isAnsibleVaultText } from './ansible-vault.js';
import { VaultError } from './vault-error.js';

export const VAULT_HEADER = '$OMSRUN_VAULT;1.0;AES256GCM';

const SALT_LEN = 16;
const IV_LEN = 12;
const TAG_LEN = 16;
const KEY_LEN = 32;
const WRAP = 80;
/** scrypt cost: N=2^15, r=8, p=1 (about 90 ms per derivation on a small VM). */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const CACHE_MAX = 512;
const LABEL = /^[A-Za-z0-9_.-]{1,64}$/;
const HEADER_LINE = /^\$OMSRUN_VAULT;([^;\s]*);([^;\s]*)(?:;([^;\s]*))?$/;

const keyCache = new Map<string, Buffer>();

/** Options for {@link encryptText}. */
export interface EncryptOptions {
  /** A label stored in the header (e.g. `prod`); authenticated with the data. @defaultValue none */
  label?: string;
}

// A leading header is how files and inline values are recognised as encrypted (omsrun's format or Ansible Vault).
export function isVaultText(s: string): boolean {
  return s.replace(/^\uFEFF/, '').trimStart().startsWith('$OMSRUN_VAULT;') || isAnsibleVaultText(s);
}

/** True when `label` can be stored in omsrun's vault header. */
export function isValidLabel(label: string): boolean {
  return LABEL.test(label);
}

// Encrypts with a fresh salt and IV, so the same input never gives the same text twice.
export function encryptText(plain: string, password: string, options: EncryptOptions = {}): string {
  checkPassword(password);
  if (options.label !== undefined && !LABEL.test(options.label)) {
    throw new VaultError(`invalid label ${JSON.stringify(options.label)}: use 1 to 64 letters, digits, "_", "." or "-"`);
  }
  const header = options.label ? `${VAULT_HEADER};${options.label}` : VAULT_HEADER;
  const salt = randomBytes(SALT_LEN);
  const iv = randomBytes(IV_LEN);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(password, salt), iv, { authTagLength: TAG_LEN });
  cipher.setAAD(Buffer.from(header, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const body = Buffer.concat([salt, iv, cipher.getAuthTag(), ct]).toString('base64');
  const lines = [header];
  for (let i = 0; i < body.length; i += WRAP) lines.push(body.slice(i, i + WRAP));
  return `${lines.join('\n')}\n`;
}

// Decrypts vault text in either format; `where` names the file or value in the error a user reads.
export function decryptText(vaultText: string, password: string, where = 'the encrypted value'): string {
  if (isAnsibleVaultText(vaultText)) return decryptAnsibleVault(vaultText, password, where);
  const { header, data } = parseVaultText(vaultText, where);
  checkPassword(password);
  const salt = data.subarray(0, SALT_LEN);
  const iv = data.subarray(SALT_LEN, SALT_LEN + IV_LEN);
  const tag = data.subarray(SALT_LEN + IV_LEN, SALT_LEN + IV_LEN + TAG_LEN);
  const ct = data.subarray(SALT_LEN + IV_LEN + TAG_LEN);
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(password, salt), iv, { authTagLength: TAG_LEN });
    decipher.setAAD(Buffer.from(header, 'utf8'));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(ct), decipher.final()]);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new VaultError(`cannot decrypt ${where}: wrong password or the file was modified`);
  }
}

/** The label in a vault header, if any. */
export function vaultLabel(vaultText: string): string | undefined {
  return parseVaultText(vaultText, 'the encrypted value').header.split(';')[3];
}

function parseVaultText(vaultText: string, where: string): { header: string; data: Buffer } {
  const text = vaultText.replace(/^\uFEFF/, '').trim();
  const cut = text.search(/\s/);
  const first = cut === -1 ? text : text.slice(0, cut);
  const m = HEADER_LINE.exec(first);
  if (!m) throw new VaultError(`cannot decrypt ${where}: it does not start with a ${VAULT_HEADER} header`);
  if (m[1] !== '1.0' || m[2] !== 'AES256GCM' || (m[3] !== undefined && !LABEL.test(m[3]))) {
    throw new VaultError(`cannot decrypt ${where}: unsupported vault header ${JSON.stringify(first)} (expected ${VAULT_HEADER})`);
  }
  const body = cut === -1 ? '' : text.slice(cut).replace(/\s+/g, '');
  const data = /^[A-Za-z0-9+/]*={0,2}$/.test(body) && body.length % 4 === 0 ? Buffer.from(body, 'base64') : undefined;
  if (!data || data.length < SALT_LEN + IV_LEN + TAG_LEN) {
    throw new VaultError(`cannot decrypt ${where}: the encrypted data is damaged (bad base64 or too short)`);
  }
  return { header: first, data };
}

// Forgets derived keys (tests measure a cold derivation with it).
export function clearKeyCache(): void {
  keyCache.clear();
}

function checkPassword(password: string): void {
  if (password.length === 0) throw new VaultError('the vault password is empty');
}

function deriveKey(password: string, salt: Buffer): Buffer {
  const id = createHash('sha256').update(salt).update('\0').update(password, 'utf8').digest('base64');
  const hit = keyCache.get(id);
  if (hit) return hit;
  const key = scryptSync(password.normalize('NFC'), salt, KEY_LEN, SCRYPT);
  if (keyCache.size >= CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(id, key);
  return key;
}
