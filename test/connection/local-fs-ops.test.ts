import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attrsDiffer, normalizeMode, statPath } from '../../src/connection/fs-ops.js';
import { siblingTemp } from '../../src/connection/replace-file.js';
import { LocalConnection } from '../../src/connection/local.js';
import { tempDir } from '../helpers/module-context.js';

const conn = new LocalConnection();
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('statPath', () => {
  it('reports a regular file with mode, owner and sha256, even with shell-hostile names', async () => {
    const p = join(dir, `it's $(touch pwned) "x".txt`);
    await writeFile(p, 'abc');
    await chmod(p, 0o640);
    const st = await statPath(conn, p, undefined, { checksum: true });
    expect(st).toMatchObject({ exists: true, isFile: true, isDir: false, isLink: false, mode: '0640', size: 3 });
    expect(st.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(st.owner).toBeTypeOf('string');
    const names = await import('node:fs/promises').then((f) => f.readdir(dir));
    expect(names).not.toContain('pwned');
  });

  it('reports directories, links and absent paths', async () => {
    await mkdir(join(dir, 'd'));
    await symlink('d', join(dir, 'l'));
    expect(await statPath(conn, join(dir, 'd'))).toMatchObject({ exists: true, isDir: true });
    expect(await statPath(conn, join(dir, 'l'))).toMatchObject({ exists: true, isLink: true, isDir: false });
    expect(await statPath(conn, join(dir, 'none'))).toEqual({ exists: false, isDir: false, isFile: false, isLink: false });
  });
});

describe('small helpers', () => {
  it('normalizes modes', () => {
    expect(['755', '0755', '00755', '4755'].map(normalizeMode)).toEqual(['0755', '0755', '0755', '4755']);
  });
  it('compares attributes by name or numeric id', () => {
    const st = { exists: true, isDir: false, isFile: true, isLink: false, mode: '0644', owner: 'root', group: 'root', uid: 0, gid: 0 };
    expect(attrsDiffer(st, { mode: '644', owner: '0', group: 'root' })).toEqual([]);
    expect(attrsDiffer(st, { mode: '0600', owner: 'nobody' })).toEqual(['mode', 'owner']);
  });
  it('names temp files beside the target', () => {
    expect(siblingTemp('/etc/app.conf')).toMatch(/^\/etc\/\.app\.conf\.omsrun-[0-9a-f]{12}$/);
  });
});
