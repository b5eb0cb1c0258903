import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyModule } from '../../src/modules/copy.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { templateModule } from '../../src/modules/template.js';
import { backupName } from '../../src/modules/support/write-file.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const modeOf = async (p: string) => ((await stat(p)).mode & 0o7777).toString(8).padStart(4, '0');
const SHA_HELLO = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03';

describe('copy', () => {
  it('writes content with a mode, then reports no change', async () => {
    const dest = join(dir, 'c.txt');
    const args = { content: 'hello\n', dest, mode: '0600' };
    expect(await runModule(copyModule, args, makeContext())).toEqual({ changed: true, data: { dest, checksum: SHA_HELLO } });
    expect(await readFile(dest, 'utf8')).toBe('hello\n');
    expect(await modeOf(dest)).toBe('0600');
    expect(await runModule(copyModule, args, makeContext())).toEqual({ changed: false, data: { dest, checksum: SHA_HELLO } });
  });

  it('check + diff mode shows the text change and leaves the file alone', async () => {
    const dest = join(dir, 'c.txt');
    await writeFile(dest, 'old\n');
    const out = await runModule(copyModule, { content: 'new\n', dest }, makeContext({ checkMode: true, diffMode: true }));
    expect(out).toEqual({ changed: true, msg: `update ${dest}`, diff: [{ path: dest, before: 'old\n', after: 'new\n' }] });
    expect(await readFile(dest, 'utf8')).toBe('old\n');
  });

  it('copies a controller file into a destination folder and keeps a backup', async () => {
    await writeFile(join(dir, 'app.conf'), 'v2\n');
    const out = join(dir, 'out');
    await mkdir(out);
    await writeFile(join(out, 'app.conf'), 'v1\n');
    const r = await runModule(copyModule, { src: 'app.conf', dest: out, backup: true }, makeContext({ baseDir: dir }));
    expect(r.changed).toBe(true);
    const backup = r.data?.backup_file as string;
    expect(backup).toMatch(/app\.conf\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    expect(await readFile(backup, 'utf8')).toBe('v1\n');
    expect(await readFile(join(out, 'app.conf'), 'utf8')).toBe('v2\n');
    expect((await runModule(copyModule, { src: 'app.conf', dest: out, backup: true }, makeContext({ baseDir: dir }))).changed).toBe(false);
    expect((await readdir(out)).length).toBe(2);
  });

  it('changes only attributes when the content matches', async () => {
    const dest = join(dir, 'a');
    await writeFile(dest, 'same');
    await chmod(dest, 0o644);
    const out = await runModule(copyModule, { content: 'same', dest, mode: '0640' }, makeContext({ diffMode: true }));
    expect(out).toMatchObject({ changed: true });
    expect(out.diff).toBeUndefined();
    expect(await modeOf(dest)).toBe('0640');
  });

  it('reports errors: missing src, both src and content', async () => {
    const r = await runModule(copyModule, { src: 'nope.txt', dest: join(dir, 'x') }, makeContext({ baseDir: dir }));
    expect(r).toEqual({ changed: false, failed: true, msg: `src nope.txt not found (looked in ${dir} and files/)` });
    await expect(runModule(copyModule, { src: 'a', content: 'b', dest: '/x' }, makeContext())).rejects.toThrow(
      'args: expected exactly one of src or content',
    );
  });

  it('fails naming the file when src is a folder', async () => {
    await mkdir(join(dir, 'files', 'conf'), { recursive: true });
    const r = await runModule(copyModule, { src: 'conf', dest: join(dir, 'x') }, makeContext({ baseDir: dir }));
    expect(r).toEqual({ changed: false, failed: true, msg: `cannot read ${join(dir, 'files', 'conf')}: expected a file, got a folder` });
  });

  it('fails when dest is a folder and content is given', async () => {
    const r = await runModule(copyModule, { content: 'x', dest: dir }, makeContext());
    expect(r).toMatchObject({ failed: true, msg: `${dir} exists and is not a regular file` });
  });
});

describe('template', () => {
  it('finds the template under templates/, renders it, and is idempotent', async () => {
    await mkdir(join(dir, 'templates'));
    await writeFile(join(dir, 'templates', 'motd.hbs'), 'Welcome to {{ site.name }}\n');
    const dest = join(dir, 'motd');
    const ctx = () => makeContext({ baseDir: dir, vars: { site: { name: 'omsrun' } }, diffMode: true });
    const first = await runModule(templateModule, { src: 'motd.hbs', dest }, ctx());
    expect(first).toMatchObject({ changed: true, diff: [{ path: dest, before: '', after: 'Welcome to omsrun\n' }] });
    expect(await readFile(dest, 'utf8')).toBe('Welcome to omsrun\n');
    expect((await runModule(templateModule, { src: 'motd.hbs', dest }, ctx())).changed).toBe(false);
  });

  it('also looks in ../templates and reports a missing template', async () => {
    const play = join(dir, 'play');
    await mkdir(play);
    await mkdir(join(dir, 'templates'));
    await writeFile(join(dir, 'templates', 't.hbs'), 'x');
    expect((await runModule(templateModule, { src: 't.hbs', dest: join(dir, 'o') }, makeContext({ baseDir: play }))).changed).toBe(true);
    const r = await runModule(templateModule, { src: 'gone.hbs', dest: join(dir, 'o') }, makeContext({ baseDir: play }));
    expect(r.msg).toBe(`template gone.hbs not found (looked in ${play}, templates/, ../templates/)`);
  });

  it('fails naming the file when src is a folder', async () => {
    await mkdir(join(dir, 'templates', 'conf.hbs'), { recursive: true });
    const r = await runModule(templateModule, { src: 'conf.hbs', dest: join(dir, 'o') }, makeContext({ baseDir: dir }));
    expect(r).toEqual({ changed: false, failed: true, msg: `cannot read ${join(dir, 'templates', 'conf.hbs')}: expected a file, got a folder` });
  });

  it('replaces the file only when validate succeeds', async () => {
    await writeFile(join(dir, 'conf.hbs'), 'port={{ port }}\n');
    const dest = join(dir, 'app.conf');
    await writeFile(dest, 'port=80\n');
    const validate = `sh -c "grep -q '^port=[0-9][0-9]*$' \\"\\$1\\" || { echo bad port >&2; exit 1; }" sh %s`;
    const bad = await runModule(templateModule, { src: 'conf.hbs', dest, validate }, makeContext({ baseDir: dir, vars: { port: 'x' } }));
    expect(bad).toMatchObject({ changed: false, failed: true, msg: 'validation failed (rc 1): bad port', rc: 1 });
    expect(await readFile(dest, 'utf8')).toBe('port=80\n');
    const ok = await runModule(templateModule, { src: 'conf.hbs', dest, validate, backup: true }, makeContext({ baseDir: dir, vars: { port: 8080 } }));
    expect(ok.changed).toBe(true);
    expect(await readFile(dest, 'utf8')).toBe('port=8080\n');
    expect(await readFile(ok.data?.backup_file as string, 'utf8')).toBe('port=80\n');
  });

  it('does not write in check mode and rejects validate without %s', async () => {
    await writeFile(join(dir, 'a.hbs'), 'a');
    const dest = join(dir, 'a');
    const r = await runModule(templateModule, { src: 'a.hbs', dest, validate: ['false', '%s'] }, makeContext({ baseDir: dir, checkMode: true }));
    expect(r).toEqual({ changed: true, msg: `create ${dest}` });
    expect(existsSync(dest)).toBe(false);
    await expect(runModule(templateModule, { src: 'a.hbs', dest, validate: 'true' }, makeContext())).rejects.toThrow(
      'args.validate: validate must contain %s (the file to check)',
    );
  });
});

describe('backupName', () => {
  it('uses local time', () => {
    expect(backupName('/etc/x', new Date(2026, 0, 2, 3, 4, 5))).toBe('/etc/x.2026-01-02@03:04:05~');
  });
});
