// Rekeying rewrites only the vault text: a whole vault file, or each `!vault` value; every other byte stays.
import { LineCounter, isScalar, parseAllDocuments, visit } from 'yaml';
import type { Scalar } from 'yaml';
import { ansibleVaultHeader, isAnsibleVaultText } from './ansible-vault.js';
import { decryptText, encryptText, isValidLabel, isVaultText, vaultLabel } from './cipher.js';
import { VAULT_TAG, needsVaultPassword } from './yaml-tags.js';
import { VaultError } from './vault-error.js';

/** Passwords and names for {@link rekeyText}. */
export interface RekeyOptions {
  /** Opens the vault text as it is now. */
  password: string;
  /** Encrypts the new text; when given, omsrun-format text is re-encrypted too. @defaultValue `password` */
  newPassword?: string;
  /** The file as messages name it. */
  display: string;
}

/** What {@link rekeyText} did. */
export interface RekeyResult {
  /** The new file text (the same string when nothing changed). */
  text: string;
  /** `file` for a whole vault file, `values` for `!vault` values inside YAML. */
  kind: 'file' | 'values';
  /** How many vault texts were rewritten. */
  count: number;
}

// Ansible Vault text becomes omsrun's format; with a new password, omsrun's own text is re-encrypted as well.
export function rekeyText(text: string, o: RekeyOptions): RekeyResult {
  if (isVaultText(text)) {
    if (!wanted(text, o)) return { text, kind: 'file', count: 0 };
    const plain = decryptText(text, o.password, o.display);
    const out = encrypt(plain, text, o);
    if (decryptText(out, o.newPassword ?? o.password) !== plain) throw failedCheck(o);
    return { text: out, kind: 'file', count: 1 };
  }
  if (!needsVaultPassword(text)) return { text, kind: 'values', count: 0 };
  const before = vaultScalars(text, o.display);
  const plains = before.values.map((v) => (wanted(v.raw, o) ? decryptText(v.raw, o.password, `${o.display}:${v.line}:${v.col}`) : undefined));
  let out = text;
  for (const [i, v] of [...before.values.entries()].reverse()) {
    const plain = plains[i];
    if (plain === undefined) continue;
    out = out.slice(0, v.start) + replacement(text.slice(v.start, v.end), v.block, encrypt(plain, v.raw, o)) + out.slice(v.end);
  }
  verify(before, vaultScalars(out, o.display), plains, o);
  return { text: out, kind: 'values', count: plains.filter((p) => p !== undefined).length };
}

function wanted(vaultText: string, o: RekeyOptions): boolean {
  return isAnsibleVaultText(vaultText) || o.newPassword !== undefined;
}

// The old text's label (an Ansible vault id, when omsrun's labels can hold it) is kept.
function encrypt(plain: string, oldText: string, o: RekeyOptions): string {
  const label = isAnsibleVaultText(oldText) ? ansibleVaultHeader(oldText).vaultId : vaultLabel(oldText);
  return encryptText(plain, o.newPassword ?? o.password, { label: label !== undefined && isValidLabel(label) ? label : undefined });
}

// A block scalar keeps its header line, indentation, line ends and trailing blank lines; other styles become "…".
function replacement(source: string, block: boolean, vaultText: string): string {
  const lines = vaultText.trimEnd().split('\n');
  if (!block) return JSON.stringify(lines.join('\n'));
  const headerEnd = source.indexOf('\n') + 1;
  const body = source.slice(headerEnd);
  const leading = /^(?:[ \t]*\r?\n)*/.exec(body)![0];
  const content = body.slice(leading.length).trimEnd();
  const trailing = body.slice(leading.length + content.length);
  const indent = /^ */.exec(content)![0];
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  return source.slice(0, headerEnd) + leading + lines.map((l) => indent + l).join(eol) + trailing;
}

interface VaultScalar {
  raw: string;
  start: number;
  end: number;
  line: number;
  col: number;
  block: boolean;
}

// Every `!vault` scalar in document order; the JS of each document has them replaced by their index.
function vaultScalars(text: string, display: string): { values: VaultScalar[]; shape: unknown[] } {
  const lineCounter = new LineCounter();
  let seen = 0;
  const tag = { tag: VAULT_TAG, resolve: () => `\0vault-${seen++}` };
  const docs = parseAllDocuments(text, { lineCounter, customTags: [tag], uniqueKeys: false, prettyErrors: false });
  const values: VaultScalar[] = [];
  const shape: unknown[] = [];
  for (const doc of docs) {
    const e = doc.errors[0];
    if (e) {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      throw new VaultError(`${display}:${line}:${col}: cannot rekey a file that is not valid YAML (${e.message.split('\n')[0]}); nothing was changed`);
    }
    visit(doc, {
      Scalar(_, node: Scalar) {
        if (node.tag !== VAULT_TAG || !isScalar(node) || !node.range) return;
        const { line, col } = lineCounter.linePos(Math.max(0, text.lastIndexOf(VAULT_TAG, node.range[0])));
        values.push({ raw: node.source ?? '', start: node.range[0], end: node.range[1], line, col, block: node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' });
      },
    });
    shape.push(doc.toJS({ maxAliasCount: 1000 }));
  }
  return { values, shape };
}

// Before anything is written: the same documents around the vault values, and each new value opens to the old plaintext.
type Scanned = ReturnType<typeof vaultScalars>;
function verify(before: Scanned, after: Scanned, plains: (string | undefined)[], o: RekeyOptions): void {
  const same = JSON.stringify(before.shape) === JSON.stringify(after.shape) && before.values.length === after.values.length;
  const opens = same && after.values.every((v, i) => {
    const plain = plains[i];
    return plain === undefined ? v.raw === before.values[i]!.raw : !isAnsibleVaultText(v.raw) && decryptText(v.raw, o.newPassword ?? o.password) === plain;
  });
  if (!opens) throw failedCheck(o);
}

function failedCheck(o: RekeyOptions): VaultError {
  return new VaultError(`${o.display}: internal check failed: the rewritten file would not give back the same content; nothing was changed`);
}
