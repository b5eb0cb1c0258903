// Ansible Vault 1.1/1.2 text is read as it is, so secrets kept for Ansible work in omsrun unchanged.
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { VaultError } from './vault-error.js';

export const ANSIBLE_VAULT_PREFIX = '$ANSIBLE_VAULT;';

const HEADER_LINE = /^\$ANSIBLE_VAULT;([^;]*);([^;]*)(?:;([^;]*))?$/;
const PBKDF2_ITERATIONS = 10_000;
const KEY_LEN = 32;
const BLOCK = 16;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** What an Ansible Vault header says. */
export interface AnsibleVaultHeader {
  /** `1.1`, or `1.2` when a vault id is present. */
  version: string;
  /** The `--vault-id` label Ansible wrote (1.2 only). */
  vaultId?: string;
}

// Ansible writes the header at the very start; leading blanks and a BOM are forgiven, as for omsrun's own format.
export function isAnsibleVaultText(s: string): boolean {
  return s.replace(/^\uFEFF/, '').trimStart().startsWith(ANSIBLE_VAULT_PREFIX);
}

/** The header of Ansible Vault text; a header omsrun cannot read is a VaultError naming `where`. */
export function ansibleVaultHeader(vaultText: string, where = 'the encrypted value'): AnsibleVaultHeader {
  return parse(vaultText, where).header;
}

// Checks the HMAC in constant time before decrypting; a wrong password and a modified file fail alike.
export function decryptAnsibleVault(vaultText: string, password: string, where = 'the encrypted value'): string {
  const { header, salt, hmac, ciphertext } = parse(vaultText, where);
  if (password.length === 0) throw new VaultError('the vault password is empty');
  const format = describeAnsibleFormat(header);
  const derived = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, PBKDF2_ITERATIONS, 2 * KEY_LEN + BLOCK, 'sha256');
  const aesKey = derived.subarray(0, KEY_LEN);
  const hmacKey = derived.subarray(KEY_LEN, 2 * KEY_LEN);
  const counter = derived.subarray(2 * KEY_LEN);
  const expected = createHmac('sha256', hmacKey).update(ciphertext).digest();
  if (!timingSafeEqual(expected, hmac)) {
    throw new VaultError(`cannot decrypt ${where} (${format}): wrong password or the file was modified`);
  }
  const decipher = createDecipheriv('aes-256-ctr', aesKey, counter);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const plain = unpad(padded);
  if (!plain) throw new VaultError(`cannot decrypt ${where} (${format}): the encrypted data is damaged (bad padding)`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new VaultError(`cannot decrypt ${where} (${format}): the decrypted data is not UTF-8 text`);
  }
}

/** `Ansible Vault 1.2, vault id prod`: how messages name the format. */
export function describeAnsibleFormat(header: AnsibleVaultHeader): string {
  return `Ansible Vault ${header.version}${header.vaultId ? `, vault id ${header.vaultId}` : ''}`;
}

interface Parsed {
  header: AnsibleVaultHeader;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

// Envelope: header line, then hex of `hex(salt) \n hex(hmac) \n hex(ciphertext)` wrapped at 80 columns.
// Text on one line (a folded YAML value) has its header end at the first blank instead.
function parse(vaultText: string, where: string): Parsed {
  const text = vaultText.replace(/^\uFEFF/, '').trim();
  const nl = text.includes('\n') ? text.indexOf('\n') : text.search(/\s/);
  const first = (nl === -1 ? text : text.slice(0, nl)).trim();
  if (!first.startsWith(ANSIBLE_VAULT_PREFIX)) {
    throw new VaultError(`cannot decrypt ${where}: it does not start with a ${ANSIBLE_VAULT_PREFIX}1.1;AES256 header`);
  }
  const m = HEADER_LINE.exec(first);
  const [version, cipher, vaultId] = [m?.[1]?.trim(), m?.[2]?.trim(), m?.[3]?.trim()];
  if ((version !== '1.1' && version !== '1.2') || cipher !== 'AES256') {
    throw new VaultError(
      `cannot decrypt ${where}: unsupported Ansible Vault header ${JSON.stringify(first)} (omsrun reads 1.1 and 1.2 with AES256)`,
    );
  }
  const header: AnsibleVaultHeader = vaultId ? { version, vaultId } : { version };
  const damaged = new VaultError(`cannot decrypt ${where} (${describeAnsibleFormat(header)}): the encrypted data is damaged (bad hex or truncated)`);
  const outer = nl === -1 ? '' : text.slice(nl + 1).replace(/\s+/g, '');
  if (!HEX.test(outer)) throw damaged;
  const parts = Buffer.from(outer, 'hex').toString('latin1').split('\n');
  if (parts.length !== 3 || !parts.every((p) => p.length > 0 && HEX.test(p))) throw damaged;
  const [salt, hmac, ciphertext] = parts.map((p) => Buffer.from(p, 'hex')) as [Buffer, Buffer, Buffer];
  if (hmac.length !== 32 || ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) throw damaged;
  return { header, salt, hmac, ciphertext };
}

// PKCS#7: the last byte says how many bytes of padding (1-16), each holding that same number.
function unpad(data: Buffer): Buffer | undefined {
  const n = data[data.length - 1] ?? 0;
  if (n < 1 || n > BLOCK || n > data.length) return undefined;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined;
  return data.subarray(0, data.length - n);
}
