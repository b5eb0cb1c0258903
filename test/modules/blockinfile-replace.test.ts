// blockinfile and replace on real files, with cases after Ansible's integration tests: the text after, the message,
// and no change on the second run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockinfileModule } from '../../src/modules/blockinfile.js';
import { replaceModule } from '../../src/modules/replace.js';
import { parseModuleArgs, runModule } from '../../src/modules/support/run-module.js';
import { runEditCases, type EditCase } from '../helpers/edit-cases.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());


const BEGIN = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const END = '# END ANSIBLE MANAGED BLOCK\n';
const SSHD = 'Port 22\nPermitRootLogin no\nMatch User x\n  X11Forwarding no\n';

const blockCases: EditCase[] = [
  { name: 'a new block goes at the end', before: SSHD, args: { block: 'Match User y\n  PasswordAuthentication no' }, after: `${SSHD}${BEGIN}Match User y\n  PasswordAuthentication no\n${END}`, msg: 'Block inserted' },
  { name: 'an existing block is updated in place', before: `a\n${BEGIN}old\n${END}b\n`, args: { block: 'new1\nnew2\n' }, after: `a\n${BEGIN}new1\nnew2\n${END}b\n`, msg: 'Block inserted' },
  { name: 'state absent removes block and markers', before: `a\n${BEGIN}old\n${END}b\n`, args: { state: 'absent' }, after: 'a\nb\n', msg: 'Block removed' },
  { name: 'an empty block removes it too', before: `a\n${BEGIN}old\n${END}b\n`, args: { block: '' }, after: 'a\nb\n', msg: 'Block removed' },
  { name: 'insertbefore BOF', before: 'a\n', args: { block: 'x', insertbefore: 'BOF' }, after: `${BEGIN}x\n${END}a\n` },
  { name: 'insertafter a regexp (the last match)', before: 'a\n[s]\nb\n[s]\nc\n', args: { block: 'x', insertafter: '^\\[s\\]' }, after: `a\n[s]\nb\n[s]\n${BEGIN}x\n${END}c\n` },
  { name: 'insertbefore a regexp', before: 'a\nMatch all\nb\n', args: { block: 'x', insertbefore: '^Match' }, after: `a\n${BEGIN}x\n${END}Match all\nb\n` },
  { name: 'a multiline insertafter pattern is searched in the whole text', before: 'a\nb\nc\n', args: { block: 'x', insertafter: '(?m)^a\\nb$' }, after: `a\nb\n${BEGIN}x\n${END}c\n` },
  { name: 'custom marker with marker_begin and marker_end', before: 'a\n', args: { block: 'x', marker: '// {mark} app', marker_begin: 'start', marker_end: 'stop' }, after: 'a\n// start app\nx\n// stop app\n' },
  { name: 'a file without a last newline gets one before the block', before: 'a', args: { block: 'x' }, after: `a\n${BEGIN}x\n${END}` },
  { name: 'prepend_newline and append_newline', before: 'a\nb\n', args: { block: 'x', insertafter: '^a$', prepend_newline: true, append_newline: true }, after: `a\n\n${BEGIN}x\n${END}\nb\n` },
  { name: 'create makes a missing file', before: undefined, args: { block: 'x', create: true }, after: `${BEGIN}x\n${END}`, msg: 'File created' },
];

const replaceCases: EditCase[] = [
  { name: 'every match, with groups', before: 'host=a port=1\nhost=b port=2\n', args: { regexp: 'port=(\\d)$', replace: 'port=\\g<1>0' }, after: 'host=a port=10\nhost=b port=20\n', msg: '2 replacements made' },
  { name: '^ and $ at every line', before: 'a\n#b\n#c\n', args: { regexp: '^#(.*)$', replace: '\\1' }, after: 'a\nb\nc\n', msg: '2 replacements made' },
  { name: 'no match: no change', before: 'a\n', args: { regexp: 'zzz', replace: 'y' }, after: 'a\n' },
  { name: 'only after a pattern', before: 'x=1\n[s]\nx=1\n', args: { regexp: 'x=1', replace: 'x=2', after: '\\[s\\]' }, after: 'x=1\n[s]\nx=2\n', msg: '1 replacements made' },
  { name: 'only before a pattern', before: 'x=1\n[s]\nx=1\n', args: { regexp: 'x=1', replace: 'x=2', before: '\\[s\\]' }, after: 'x=2\n[s]\nx=1\n' },
  { name: 'between after and before', before: 'x\n<a>\nx\n</a>\nx\n', args: { regexp: '^x$', replace: 'y', after: '<a>', before: '</a>' }, after: 'x\n<a>\ny\n</a>\nx\n' },
  { name: 'an empty replace removes the matches', before: 'a # c\nb\n', args: { regexp: ' # .*' }, after: 'a\nb\n' },
];


describe('blockinfile (Ansible semantics)', () => runEditCases(blockinfileModule, blockCases));
describe('replace (Ansible semantics)', () => runEditCases(replaceModule, replaceCases));

describe('blockinfile and replace', () => {
  it('a missing file fails unless blockinfile may create it', async () => {
    const path = join(dir, 'none');
    expect(await runModule(blockinfileModule, { path, block: 'x' }, makeContext())).toMatchObject({ failed: true, rc: 257, msg: `${path} does not exist; set create: true to create it` });
    expect(await runModule(replaceModule, { path, regexp: 'x' }, makeContext())).toMatchObject({ failed: true, rc: 257, msg: `${path} does not exist` });
    expect(existsSync(path)).toBe(false);
  });

  it('before/after that match nothing say so and change nothing', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'a\n');
    expect(await runModule(replaceModule, { path, regexp: 'a', replace: 'b', after: 'zzz' }, makeContext())).toEqual({
      changed: false, msg: 'Pattern for before/after params did not match the given file: zzz(?P<subsection>.*)', data: { path },
    });
  });

  it('check mode with diff shows the block and writes nothing', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'a\n');
    const out = await runModule(blockinfileModule, { path, block: 'x' }, makeContext({ checkMode: true, diffMode: true }));
    expect(out).toEqual({ changed: true, msg: `${path}: Block inserted`, diff: [{ path, before: 'a\n', after: `a\n${BEGIN}x\n${END}` }] });
    expect(readFileSync(path, 'utf8')).toBe('a\n');
  });

  it('rejects a bad pattern where it is written', () => {
    expect(() => parseModuleArgs(replaceModule, { path: '/f', regexp: '(' })).toThrow(/args\.regexp: expected a regular expression/);
    expect(() => parseModuleArgs(replaceModule, { path: '/f', regexp: 'a', after: '[' })).toThrow(/args\.after: expected a regular expression/);
    expect(() => parseModuleArgs(blockinfileModule, { path: '/f', insertafter: 'a', insertbefore: 'b' })).toThrow(/expected insertafter or insertbefore, not both/);
  });
});
