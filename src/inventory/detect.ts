// Which format an inventory file is in, told by its content (and its extension where Ansible uses it).
import { open } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';

export type InventoryFormat = 'yaml' | 'ini' | 'script';

const YAML_EXT = ['.yml', '.yaml', '.json'];
const SECTION_LINE = /^\s*\[[^:\]\s]+(?::[\p{L}\p{N}_]+)?\]\s*(?:#.*)?$/mu;
const YAML_KEY_LINE = /^(?:---|[^\s[\]=#;'"][^=]*:(?:\s|$))/;

// An executable with `#!` (or an ELF binary) is a dynamic inventory script, as in Ansible.
export async function isInventoryScript(file: string, mode: number): Promise<boolean> {
  if ((mode & 0o111) === 0) return false;
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    const head = buffer.subarray(0, bytesRead);
    return head.subarray(0, 2).toString('latin1') === '#!' || head.toString('latin1') === '\x7fELF';
  } finally {
    await handle.close();
  }
}

// `.ini` is INI; `[section]` lines mean INI; a YAML mapping (or an empty file) is YAML; plain words are INI hosts.
export function staticFormat(file: string, text: string): 'yaml' | 'ini' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.ini') return 'ini';
  const hasSection = SECTION_LINE.test(text);
  if (hasSection && !YAML_EXT.includes(ext)) return 'ini';
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length === 0) {
    if (doc.contents === null || isMap(doc.contents)) return 'yaml';
    return isSeq(doc.contents) && !hasSection ? 'yaml' : 'ini';
  }
  if (hasSection) return 'ini';
  // Broken YAML is reported as YAML when it looks like YAML, so the error is the helpful one.
  const first = text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#') && !l.startsWith(';'));
  return YAML_EXT.includes(ext) || (first !== undefined && YAML_KEY_LINE.test(first)) ? 'yaml' : 'ini';
}
