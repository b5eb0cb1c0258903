// lineinfile on a real file, with cases ported from Ansible's lineinfile integration tests: the text after, the
// message, and no change on the second run.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineinfileModule } from '../../src/modules/lineinfile.js';
import { parseModuleArgs, runModule } from '../../src/modules/support/run-module.js';
import { runEditCases, type EditCase } from '../helpers/edit-cases.js';
import { makeContext, remoteLike, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const FIVE = 'This is line 1\nThis is line 2\nThis is line 3\nThis is line 4\nThis is line 5\n';


const cases: EditCase[] = [
  { name: 'insertbefore BOF', before: FIVE, args: { line: 'New line at the beginning', insertbefore: 'BOF' }, after: `New line at the beginning\n${FIVE}`, msg: 'line added' },
  { name: 'insertafter EOF (the default)', before: FIVE, args: { line: 'New line at the end' }, after: `${FIVE}New line at the end\n`, msg: 'line added' },
  { name: 'regexp replaces the last matching line', before: FIVE, args: { regexp: '^This is line 3$', line: 'New line 3' }, after: FIVE.replace('This is line 3', 'New line 3'), msg: 'line replaced' },
  {
    name: 'regexp with several matches replaces the last; firstmatch the first',
    before: 'a=1\nb=2\na=3\n',
    args: { regexp: '^a=', line: 'a=9' },
    after: 'a=1\nb=2\na=9\n',
  },
  { name: 'firstmatch', before: 'a=1\nb=2\na=3\n', args: { regexp: '^a=', line: 'a=9', firstmatch: true }, after: 'a=9\nb=2\na=3\n' },
  {
    name: 'backrefs with a numbered and a named group',
    before: 'listen 127.0.0.1:80 tcp\n',
    args: { regexp: '^listen (?P<addr>[\\d.]+):\\d+ (\\w+)$', line: 'listen \\g<addr>:8080 \\2', backrefs: true },
    after: 'listen 127.0.0.1:8080 tcp\n',
    msg: 'line replaced',
  },
  { name: 'backrefs without a match leaves the file', before: FIVE, args: { regexp: '^nothing (.*)$', line: '\\1', backrefs: true }, after: FIVE },
  { name: 'insertafter a regexp (the last match)', before: 'x\n# a\ny\n# a\nz\n', args: { line: 'new', insertafter: '^# a' }, after: 'x\n# a\ny\n# a\nnew\nz\n' },
  { name: 'insertafter with firstmatch', before: 'x\n# a\ny\n# a\nz\n', args: { line: 'new', insertafter: '^# a', firstmatch: true }, after: 'x\n# a\nnew\ny\n# a\nz\n' },
  { name: 'insertbefore a regexp', before: 'x\n[s]\ny\n', args: { line: 'new', insertbefore: '^\\[s\\]' }, after: 'x\nnew\n[s]\ny\n' },
  { name: 'insertafter that matches nothing appends at the end', before: 'x\n', args: { line: 'new', insertafter: '^nothing' }, after: 'x\nnew\n' },
  { name: 'an exact line anywhere is left alone', before: 'x\nnew\n# a\ny\n', args: { line: 'new', insertafter: '^# a' }, after: 'x\nnew\n# a\ny\n' },
  { name: 'a file without a last newline gets one before the new line', before: 'x', args: { line: 'y' }, after: 'x\ny\n' },
  { name: 'the last line without its newline is the same line', before: 'x\ny', args: { line: 'y', regexp: '^y' }, after: 'x\ny\n', msg: 'line replaced' },
  { name: 'search_string is literal text', before: 'a.b = 1\naxb = 2\n', args: { search_string: 'a.b', line: 'a.b = 3' }, after: 'a.b = 3\naxb = 2\n' },
  { name: 'state absent with a regexp removes every match', before: FIVE, args: { regexp: '^This is line [24]$', state: 'absent' }, after: FIVE.replace('This is line 2\n', '').replace('This is line 4\n', ''), msg: '2 line(s) removed' },
  { name: 'state absent with a line', before: 'a\nb\na\n', args: { line: 'a', state: 'absent' }, after: 'b\n' },
  { name: 'state absent with search_string', before: 'a1\nb\na2\n', args: { search_string: 'a', state: 'absent' }, after: 'b\n' },
  { name: 'create makes a missing file', before: undefined, args: { line: 'first', create: true }, after: 'first\n', msg: 'line added' },
  { name: 'a line YAML read as a number', before: 'x\n', args: { regexp: '^\\d+$', line: 8080 }, after: 'x\n8080\n' },
  { name: 'python anchors \\A and \\Z', before: 'key=1\n', args: { regexp: '\\Akey=.*\\Z', line: 'key=2' }, after: 'key=2\n' },
];

describe('lineinfile (Ansible semantics)', () => runEditCases(lineinfileModule, cases));

describe('lineinfile', () => {
  it('a missing file without create fails and stays missing; absent on a missing file is no change', async () => {
    const path = join(dir, 'none');
    expect(await runModule(lineinfileModule, { path, line: 'x' }, makeContext())).toEqual({
      changed: false, failed: true, rc: 257, msg: `${path} does not exist; set create: true to create it`,
    });
    expect(await runModule(lineinfileModule, { path, line: 'x', state: 'absent' }, makeContext())).toMatchObject({ changed: false, msg: 'file not present' });
    expect(existsSync(path)).toBe(false);
  });

  it('create makes the missing folder too, with the mode asked for', async () => {
    const path = join(dir, 'a', 'b', 'f.conf');
    expect(await runModule(lineinfileModule, { path, line: 'x', create: true, mode: '0600' }, makeContext({ conn: remoteLike() }))).toMatchObject({ changed: true });
    expect(readFileSync(path, 'utf8')).toBe('x\n');
  });

  it('check mode with diff shows the change and writes nothing', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'a\n');
    const out = await runModule(lineinfileModule, { path, line: 'b' }, makeContext({ checkMode: true, diffMode: true }));
    expect(out).toEqual({ changed: true, msg: `${path}: line added`, diff: [{ path, before: 'a\n', after: 'a\nb\n' }] });
    expect(readFileSync(path, 'utf8')).toBe('a\n');
  });

  it('a failing validate leaves the file untouched and no temp file', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'a\n');
    const out = await runModule(lineinfileModule, { path, line: 'bad', validate: 'false %s' }, makeContext({ conn: remoteLike() }));
    expect(out).toMatchObject({ changed: false, failed: true });
    expect(out.msg).toMatch(/^validation failed \(rc 1\)/);
    expect(readFileSync(path, 'utf8')).toBe('a\n');
    expect(readdirSync(dir)).toEqual(['f']);
    expect(await runModule(lineinfileModule, { path, line: 'good', validate: 'grep -q good %s' }, makeContext({ conn: remoteLike() }))).toMatchObject({ changed: true });
    expect(readFileSync(path, 'utf8')).toBe('a\ngood\n');
  });

  it('a file changed by someone else between the read and the write is left as they wrote it; a rerun converges', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'a\n');
    const conn = remoteLike();
    let execs = 0;
    const racing = { ...conn, exec: (argv: string[], o?: Parameters<typeof conn.exec>[1]) => (++execs === 2 && writeFileSync(path, 'theirs\n'), conn.exec(argv, o)) };
    const out = await runModule(lineinfileModule, { path, line: 'b' }, makeContext({ conn: racing }));
    expect(out).toEqual({ changed: false, failed: true, msg: `cannot write ${path}: ${path} changed since it was read; nothing was written, run the task again` });
    expect(readFileSync(path, 'utf8')).toBe('theirs\n');
    expect(readdirSync(dir)).toEqual(['f']);
    expect(await runModule(lineinfileModule, { path, line: 'b' }, makeContext({ conn }))).toMatchObject({ changed: true });
    expect(readFileSync(path, 'utf8')).toBe('theirs\nb\n');
  });

  it('backup keeps the old file beside it', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'a\n');
    const out = await runModule(lineinfileModule, { path, line: 'b', backup: true }, makeContext());
    const backup = out.data?.backup_file as string;
    expect(backup).toMatch(/\/f\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    expect(readFileSync(backup, 'utf8')).toBe('a\n');
  });

  it('edits the target of a symlink and keeps the link', async () => {
    const real = join(dir, 'real');
    writeFileSync(real, 'a\n');
    const link = join(dir, 'link');
    await import('node:fs/promises').then((fs) => fs.symlink(real, link));
    expect(await runModule(lineinfileModule, { path: link, line: 'b' }, makeContext())).toMatchObject({ changed: true });
    expect(readFileSync(real, 'utf8')).toBe('a\nb\n');
    expect((await import('node:fs')).lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('only the mode differs: the mode is set, the text stays', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'a\n', { mode: 0o644 });
    const out = await runModule(lineinfileModule, { path, line: 'a', mode: '0600' }, makeContext({ diffMode: true }));
    expect(out).toMatchObject({ changed: true, msg: 'mode 0600 set', diff: [{ path: `${path} (file attributes)`, before: 'mode: 0644\n', after: 'mode: 0600\n' }] });
  });

  it('a folder fails', async () => {
    expect(await runModule(lineinfileModule, { path: dir, line: 'x' }, makeContext())).toMatchObject({ failed: true, msg: `${dir} is a directory, not a file` });
  });

  it('rejects arguments Ansible rejects', () => {
    const bad = (args: Record<string, unknown>) => () => parseModuleArgs(lineinfileModule, { path: '/f', ...args });
    expect(bad({})).toThrow(/line is required with state present/);
    expect(bad({ line: 'x', backrefs: true })).toThrow(/regexp is required with backrefs: true/);
    expect(bad({ line: 'x', insertafter: 'a', insertbefore: 'b' })).toThrow(/expected insertafter or insertbefore, not both/);
    expect(bad({ line: 'x', regexp: 'a', search_string: 'b' })).toThrow(/expected regexp or search_string, not both/);
    expect(bad({ state: 'absent' })).toThrow(/one of line, search_string or regexp is required with state absent/);
    expect(bad({ line: 'x', regexp: '(' })).toThrow(/args\.regexp: expected a regular expression/);
  });
});
