import { existsSync } from 'node:fs';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileModule } from '../../src/modules/file.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const modeOf = async (p: string) => ((await stat(p)).mode & 0o7777).toString(8).padStart(4, '0');

describe('file', () => {
  it('creates a directory with a mode, then reports no change', async () => {
    const p = join(dir, 'a', 'b');
    const args = { path: p, state: 'directory', mode: '0750' };
    expect(await runModule(fileModule, args, makeContext())).toEqual({ changed: true, data: { path: p, state: 'directory' } });
    expect((await stat(p)).isDirectory()).toBe(true);
    expect(await modeOf(p)).toBe('0750');
    expect(await runModule(fileModule, args, makeContext())).toEqual({ changed: false, data: { path: p, state: 'directory' } });
  });

  it('check mode reports the plan with a diff and changes nothing', async () => {
    const p = join(dir, 'd');
    const out = await runModule(fileModule, { path: p, state: 'directory', mode: '0700' }, makeContext({ checkMode: true, diffMode: true }));
    expect(out).toEqual({
      changed: true,
      msg: `create directory ${p}`,
      diff: [{ path: p, before: 'state: absent\n', after: 'state: directory\nmode: 0700\n' }],
    });
    expect(existsSync(p)).toBe(false);
  });

  it('fixes only the mode of an existing file and shows it in the diff', async () => {
    const p = join(dir, 'f');
    await writeFile(p, 'x');
    await chmod(p, 0o644);
    const out = await runModule(fileModule, { path: p, mode: '600' }, makeContext({ diffMode: true }));
    expect(out).toMatchObject({ changed: true, diff: [{ path: p, before: 'state: file\nmode: 0644\n', after: 'state: file\nmode: 600\n' }] });
    expect(await modeOf(p)).toBe('0600');
    expect((await runModule(fileModule, { path: p, mode: '0600' }, makeContext())).changed).toBe(false);
  });

  it('touch creates a missing file once; file state needs an existing file', async () => {
    const p = join(dir, 't');
    expect(await runModule(fileModule, { path: p, state: 'file' }, makeContext())).toEqual({
      changed: false,
      failed: true,
      msg: `${p} does not exist; use state: touch to create it`,
    });
    expect((await runModule(fileModule, { path: p, state: 'touch' }, makeContext())).changed).toBe(true);
    expect((await stat(p)).isFile()).toBe(true);
    expect((await runModule(fileModule, { path: p, state: 'touch' }, makeContext())).changed).toBe(false);
    expect((await runModule(fileModule, { path: p, state: 'file' }, makeContext())).changed).toBe(false);
  });

  it('absent removes recursively, then reports no change; check mode keeps it', async () => {
    const p = join(dir, 'tree');
    await mkdir(join(p, 'x'), { recursive: true });
    expect((await runModule(fileModule, { path: p, state: 'absent' }, makeContext({ checkMode: true }))).changed).toBe(true);
    expect(existsSync(p)).toBe(true);
    expect((await runModule(fileModule, { path: p, state: 'absent' }, makeContext())).changed).toBe(true);
    expect(existsSync(p)).toBe(false);
    expect((await runModule(fileModule, { path: p, state: 'absent' }, makeContext())).changed).toBe(false);
  });

  it('fails when the path has the wrong type', async () => {
    const f = join(dir, 'plain');
    await writeFile(f, '');
    expect((await runModule(fileModule, { path: f, state: 'directory' }, makeContext())).msg).toBe(`${f} exists and is not a directory`);
    expect((await runModule(fileModule, { path: dir, state: 'touch' }, makeContext())).msg).toBe(`${dir} is a directory, not a file`);
  });

  it.skipIf(process.getuid?.() !== 0)('sets owner and group', async () => {
    const p = join(dir, 'o');
    await writeFile(p, '');
    const args = { path: p, owner: 'nobody', group: 'nogroup' };
    expect((await runModule(fileModule, args, makeContext())).changed).toBe(true);
    expect((await stat(p)).uid).toBe(65534);
    expect((await runModule(fileModule, args, makeContext())).changed).toBe(false);
  });

  it('reads an unquoted mode as octal, as Ansible users mean it, never as decimal', async () => {
    const p = join(dir, 'n');
    await runModule(fileModule, { path: p, state: 'touch', mode: 640 }, makeContext());
    expect((await stat(p)).mode & 0o7777).toBe(0o640);
    await runModule(fileModule, { path: p, mode: 755 }, makeContext());
    expect((await stat(p)).mode & 0o7777).toBe(0o755);
    // 493 has a 9: a mode value already in decimal (from `0o755` or a computed value), 0755.
    expect((await runModule(fileModule, { path: p, mode: 493 }, makeContext())).changed).toBe(false);
  });

  it('rejects a mode that is not octal', async () => {
    await expect(runModule(fileModule, { path: '/x', mode: 99999 }, makeContext())).rejects.toThrow("args.mode: expected an octal mode such as '0644', got 99999");
    await expect(runModule(fileModule, { path: '/x', mode: 'rwx' }, makeContext())).rejects.toThrow(
      "args.mode: expected an octal mode such as '0644', got \"rwx\"",
    );
    await expect(runModule(fileModule, { path: '/x', state: 'junction' }, makeContext())).rejects.toThrow('args.state: expected one of directory, file, touch, absent, link, hard, got "junction"');
  });
});
