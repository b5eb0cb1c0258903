// file state link and hard on real paths: the current -> release switch of a deploy, refusals, force, check mode.
import { linkSync, lstatSync, mkdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileModule } from '../../src/modules/file.js';
import { parseModuleArgs, runModule } from '../../src/modules/support/run-module.js';
import { makeContext, remoteLike, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('file state link', () => {
  for (const [name, conn] of [['local', undefined], ['exec-only transport', remoteLike()]] as const) {
    it(`switches current -> release and reports no change when it points there already (${name})`, async () => {
      mkdirSync(join(dir, 'releases', 'r1'), { recursive: true });
      mkdirSync(join(dir, 'releases', 'r2'));
      const current = join(dir, 'current');
      const ctx = () => makeContext(conn ? { conn } : {});
      const to = (src: string) => ({ path: current, state: 'link', src });
      expect(await runModule(fileModule, to('releases/r1'), ctx())).toEqual({ changed: true, data: { path: current, state: 'link', src: 'releases/r1' } });
      expect(readlinkSync(current)).toBe('releases/r1');
      expect(await runModule(fileModule, to('releases/r1'), ctx())).toEqual({ changed: false, data: { path: current, state: 'link', src: 'releases/r1' } });
      expect(await runModule(fileModule, to('releases/r2'), ctx())).toMatchObject({ changed: true });
      expect(readlinkSync(current)).toBe('releases/r2');
      expect(statSync(current).isDirectory()).toBe(true);
    });
  }

  it('check mode with diff shows the switch and changes nothing', async () => {
    const current = join(dir, 'current');
    symlinkSync('r1', current);
    mkdirSync(join(dir, 'r2'));
    const out = await runModule(fileModule, { path: current, state: 'link', src: 'r2' }, makeContext({ checkMode: true, diffMode: true }));
    expect(out).toEqual({ changed: true, msg: `link ${current} -> r2`, diff: [{ path: current, before: 'state: link\nsrc: r1\n', after: 'state: link\nsrc: r2\n' }] });
    expect(readlinkSync(current)).toBe('r1');
  });

  it('refuses to replace a file or a folder unless forced, and a missing src unless forced', async () => {
    const p = join(dir, 'p');
    writeFileSync(p, 'x');
    writeFileSync(join(dir, 'target'), 't');
    expect(await runModule(fileModule, { path: p, state: 'link', src: 'target' }, makeContext())).toEqual({
      changed: false, failed: true, msg: `${p} exists and is not a link to target; set force: true to replace it`,
    });
    expect(await runModule(fileModule, { path: p, state: 'link', src: 'target', force: true }, makeContext())).toMatchObject({ changed: true });
    expect(readlinkSync(p)).toBe('target');
    const full = join(dir, 'full');
    mkdirSync(join(full, 'x'), { recursive: true });
    expect((await runModule(fileModule, { path: full, state: 'link', src: 'target', force: true }, makeContext())).msg).toBe(`${full} is a folder; a link cannot replace it`);
    const dangling = join(dir, 'dangling');
    expect((await runModule(fileModule, { path: dangling, state: 'link', src: 'later' }, makeContext())).msg).toBe(
      'src later does not exist (relative to the link\'s folder); set force: true to make the link anyway',
    );
    expect(await runModule(fileModule, { path: dangling, state: 'link', src: 'later', force: true }, makeContext())).toMatchObject({ changed: true });
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
  });

  it('an empty folder is replaced with force', async () => {
    const p = join(dir, 'empty');
    mkdirSync(p);
    mkdirSync(join(dir, 'r1'));
    expect((await runModule(fileModule, { path: p, state: 'link', src: 'r1' }, makeContext())).failed).toBe(true);
    expect(await runModule(fileModule, { path: p, state: 'link', src: 'r1', force: true }, makeContext())).toMatchObject({ changed: true });
    expect(readlinkSync(p)).toBe('r1');
  });

  it('src is required and only for links', () => {
    expect(() => parseModuleArgs(fileModule, { path: '/x', state: 'link' })).toThrow(/args\.src: src is required with state link/);
    expect(() => parseModuleArgs(fileModule, { path: '/x', state: 'file', src: 'y' })).toThrow(/args\.src: src is only for state link or hard/);
  });
});

describe('file state hard', () => {
  it('makes a hard link once; a different file needs force; a missing src fails', async () => {
    const src = join(dir, 'data');
    writeFileSync(src, 'd');
    const p = join(dir, 'hard');
    expect(await runModule(fileModule, { path: p, state: 'hard', src }, makeContext())).toMatchObject({ changed: true });
    expect(statSync(p).ino).toBe(statSync(src).ino);
    expect(await runModule(fileModule, { path: p, state: 'hard', src }, makeContext())).toMatchObject({ changed: false });
    const other = join(dir, 'other');
    writeFileSync(other, 'o');
    expect((await runModule(fileModule, { path: other, state: 'hard', src }, makeContext())).msg).toBe(`${other} exists and is not a hard link to ${src}; set force: true to replace it`);
    expect(await runModule(fileModule, { path: other, state: 'hard', src, force: true }, makeContext())).toMatchObject({ changed: true });
    expect(statSync(other).ino).toBe(statSync(src).ino);
    expect((await runModule(fileModule, { path: join(dir, 'h2'), state: 'hard', src: join(dir, 'none') }, makeContext())).msg).toBe(
      `src ${join(dir, 'none')} does not exist or is a folder; a hard link needs an existing file`,
    );
    linkSync(src, join(dir, 'h3'));
    expect(await runModule(fileModule, { path: join(dir, 'h3'), state: 'hard', src, mode: '0600' }, makeContext())).toMatchObject({ changed: true });
    expect(statSync(src).mode & 0o777).toBe(0o600);
  });
});
