// YAML meets the vault twice: `!vault |` inline values, and whole files that are vault text.
import { parseAllDocuments } from 'yaml';
import type { ScalarTag, YAMLError } from 'yaml';
import type { SourcePos } from '../core/errors.js';
import { decryptText, isVaultText } from './cipher.js';
import { VaultError } from './vault-error.js';

export const VAULT_TAG = '!vault';
const INLINE = 'an inline !vault value';

/** What the YAML hooks tell their caller. */
export interface VaultYamlOptions {
  /** Called with every decrypted value (inline values, every scalar of a decrypted file) so it can be masked. */
  onSecret?: (value: string) => void;
}

// The `customTags` entry for the yaml library: `key: !vault |` resolves to the decrypted string.
export function vaultCustomTags(getPassword: () => string, options: VaultYamlOptions = {}): ScalarTag[] {
  return [
    {
      tag: VAULT_TAG,
      identify: () => false,
      resolve(str: string): string {
        const plain = decryptText(str, getPassword(), INLINE);
        options.onSecret?.(plain);
        return plain;
      },
    },
  ];
}

// yaml turns errors thrown by a tag into document errors; this gives the first vault one back, positioned.
export function vaultErrorFromYaml(errors: readonly YAMLError[], at: (offset: number) => SourcePos): VaultError | undefined {
  const e = errors.find((x) => x.code === 'TAG_RESOLVE_FAILED' && x.message.startsWith('vault: '));
  if (!e) return undefined;
  const pos = at(e.pos[0]);
  const where = `${pos.file}:${pos.line}:${pos.col}`;
  const msg = e.message.split('\n')[0]!.slice('vault: '.length).replace(/ at line \d+, column \d+:?$/, '');
  return new VaultError(msg.includes(INLINE) ? msg.replace(INLINE, where) : `${where}: ${msg}`);
}

// True when parsing `text` will need the password (a vault file, or a `!vault` tag outside comments).
export function needsVaultPassword(text: string): boolean {
  return isVaultText(text) || /^[^#\n]*!vault(?=[\s|>]|$)/m.test(text);
}

// A file whose text is vault text is decrypted before YAML parsing; plain text passes through.
export function maybeDecryptFile(text: string, file: string, getPassword: () => string, options: VaultYamlOptions = {}): string {
  if (!isVaultText(text)) return text;
  const plain = decryptText(text, getPassword(), file);
  if (options.onSecret) for (const s of scalarsOf(plain)) options.onSecret(s);
  return plain;
}

/** Every string and number scalar in YAML text (best effort: unparsable text gives none). */
export function scalarsOf(yamlText: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') {
      if (String(v) !== '') out.push(String(v));
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v instanceof Map) {
      for (const x of v.values()) walk(x);
    } else if (v && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  try {
    for (const doc of parseAllDocuments(yamlText, { customTags: [{ tag: VAULT_TAG, resolve: (s: string) => s }] })) {
      if (!('errors' in doc) || doc.errors.length === 0) walk(doc.toJS({ maxAliasCount: 1000 }));
    }
  } catch {
    return out;
  }
  return out;
}
