import { parseAllDocuments, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatInlineVault } from '../../src/cli/vault-command.js';
import { VAULT_HEADER, decryptText, encryptText, isAnsibleVaultText, rekeyText, vaultCustomTags, vaultLabel } from '../../src/vault/index.js';
import { ANSIBLE_PW, INLINE_PLAIN, ansibleEncrypt, fixture } from './ansible-fixtures.js';
import { errorOf } from './tmp.js';

const FILE = 'group_vars/all.yml';
const NEW_PW = 'a-new-password';

// The text around vault texts (block lines dropped, quoted ones blanked): what a rekey must leave exactly as it was.
const outsideVault = (text: string) =>
  text
    .split(/(?<=\n)/)
    .filter((l) => !/^\s+(\$ANSIBLE_VAULT;|\$OMSRUN_VAULT;|[0-9a-f]+\r?\n?$|[A-Za-z0-9+/=]+\r?\n?$)/.test(l))
    .map((l) => l.replace(/!vault "\$(ANSIBLE|OMSRUN)_VAULT;[^"]*"/g, '!vault "…"'));
const indented = (block: string, pad: string) => block.trimEnd().split('\n').map((l) => pad + l).join('\n');
const parse = (text: string, pw: string) => parseAllDocuments(text, { customTags: vaultCustomTags(() => pw) }).map((d) => d.toJS());

describe('rekey: Ansible Vault to omsrun', () => {
  it('turns whole files into omsrun files, keeping the vault id as the label', () => {
    const one = rekeyText(fixture('whole-1.1.yml'), { password: ANSIBLE_PW, display: FILE });
    expect(one).toMatchObject({ kind: 'file', count: 1 });
    expect(one.text.startsWith(`${VAULT_HEADER}\n`)).toBe(true);
    expect(decryptText(one.text, ANSIBLE_PW)).toBe(fixture('whole.plain.yml'));
    const two = rekeyText(fixture('whole-1.2.yml'), { password: ANSIBLE_PW, display: FILE });
    expect(vaultLabel(two.text)).toBe('prod');
    expect(decryptText(two.text, ANSIBLE_PW)).toBe(fixture('whole.plain.yml'));
    expect(decryptText(rekeyText(fixture('notes.txt'), { password: ANSIBLE_PW, display: FILE }).text, ANSIBLE_PW)).toBe(fixture('notes.plain.txt'));
  });

  it('rewrites every !vault value of a YAML file and leaves every other line as it was', () => {
    const before = fixture('inline.yml');
    const r = rekeyText(before, { password: ANSIBLE_PW, display: FILE });
    expect(r).toMatchObject({ kind: 'values', count: 6 });
    expect(isAnsibleVaultText(r.text) || r.text.includes('$ANSIBLE_VAULT')).toBe(false);
    expect(outsideVault(r.text)).toEqual(outsideVault(before));
    expect(r.text).toContain('\ndb_password: !vault |\n          $OMSRUN_VAULT;1.0;AES256GCM\n          ');
    expect(r.text).toContain('\n    password: !vault |\n              $OMSRUN_VAULT;1.0;AES256GCM;prod\n              ');
    expect(parseDocument(r.text, { customTags: vaultCustomTags(() => ANSIBLE_PW) }).toJS()).toEqual(INLINE_PLAIN);
  });

  it('keeps block headers, comments, blank lines, CRLF, quoted and flow values, and other documents', () => {
    const mine = encryptText('omsrun-value', ANSIBLE_PW);
    const untagged = ansibleEncrypt('three', ANSIBLE_PW);
    const text = [
      '# top comment\r\n',
      'a: !vault |-   # keep me\r\n',
      `${indented(ansibleEncrypt('one', ANSIBLE_PW), '   ').replace(/\n/g, '\r\n')}\r\n`,
      '\r\n',
      'b: !vault >\r\n',
      `${indented(ansibleEncrypt('two', ANSIBLE_PW), '  ').replace(/\n/g, '\r\n')}\r\n`,
      `c: ${JSON.stringify(untagged)}\r\n`,
      `d: { x: !vault ${JSON.stringify(ansibleEncrypt('four', ANSIBLE_PW))}, y: 2 }\r\n`,
      `e: ${formatInlineVault(mine).replace(/\n/g, '\r\n')}`,
      '---\r\n',
      `- !vault ${JSON.stringify(ansibleEncrypt('five', ANSIBLE_PW, { vaultId: 'dev' }))}\r\n`,
    ].join('');
    const r = rekeyText(text, { password: ANSIBLE_PW, display: FILE });
    expect(r.count).toBe(4);
    expect(outsideVault(r.text)).toEqual(outsideVault(text));
    expect(r.text).toContain(formatInlineVault(mine).replace(/\n/g, '\r\n'));
    expect(r.text).toContain(`c: ${JSON.stringify(untagged)}\r\n`);
    expect(r.text).toMatch(/\r\n {3}\$OMSRUN_VAULT;1\.0;AES256GCM\r\n {3}[A-Za-z0-9+/]/);
    expect(r.text).toContain('- !vault "$OMSRUN_VAULT;1.0;AES256GCM;dev\\n');
    // `c` has no !vault tag: a string that merely looks like vault text stays as it is.
    expect(parse(r.text, ANSIBLE_PW)).toEqual([{ a: 'one', b: 'two', c: untagged, d: { x: 'four', y: 2 }, e: 'omsrun-value' }, ['five']]);
  });

  it('with a new password, re-encrypts omsrun values too', () => {
    const text = `a: ${formatInlineVault(encryptText('mine', ANSIBLE_PW, { label: 'x' }))}b: ${formatInlineVault(ansibleEncrypt('theirs', ANSIBLE_PW))}`;
    const r = rekeyText(text, { password: ANSIBLE_PW, newPassword: NEW_PW, display: FILE });
    expect(r.count).toBe(2);
    expect(parse(r.text, NEW_PW)).toEqual([{ a: 'mine', b: 'theirs' }]);
    expect(r.text).toContain('$OMSRUN_VAULT;1.0;AES256GCM;x\n');
    const whole = rekeyText(encryptText('w: 1\n', ANSIBLE_PW), { password: ANSIBLE_PW, newPassword: NEW_PW, display: FILE });
    expect(decryptText(whole.text, NEW_PW)).toBe('w: 1\n');
  });

  it('leaves text without Ansible vault text alone', () => {
    for (const text of ['a: 1\n', `a: ${formatInlineVault(encryptText('v', ANSIBLE_PW))}`, encryptText('a: 1\n', ANSIBLE_PW), 'not: [yaml\n']) {
      const r = rekeyText(text, { password: ANSIBLE_PW, display: FILE });
      expect(r.count).toBe(0);
      expect(r.text).toBe(text);
    }
  });
});

describe('rekey errors', () => {
  it('names the value a wrong password fails on', async () => {
    expect((await errorOf(() => rekeyText(fixture('inline.yml'), { password: 'nope', display: FILE }))).message).toBe(
      `vault: cannot decrypt ${FILE}:3:14 (Ansible Vault 1.1): wrong password or the file was modified`,
    );
    expect((await errorOf(() => rekeyText(fixture('other-id.yml'), { password: ANSIBLE_PW, display: FILE }))).message).toBe(
      `vault: cannot decrypt ${FILE}:2:13 (Ansible Vault 1.2, vault id dev): wrong password or the file was modified`,
    );
    expect((await errorOf(() => rekeyText(fixture('whole-1.2.yml'), { password: 'nope', display: FILE }))).message).toBe(
      `vault: cannot decrypt ${FILE} (Ansible Vault 1.2, vault id prod): wrong password or the file was modified`,
    );
  });

  it('refuses YAML it cannot parse', async () => {
    const text = `a: ${formatInlineVault(ansibleEncrypt('v', ANSIBLE_PW))}b: [unclosed\n`;
    expect((await errorOf(() => rekeyText(text, { password: ANSIBLE_PW, display: FILE }))).message).toBe(
      `vault: ${FILE}:9:1: cannot rekey a file that is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]); nothing was changed`,
    );
  });
});
