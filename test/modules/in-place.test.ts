// copy/template with in_place: the inode stays, and a write that fails leaves the old bytes, never a part of the new.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyModule } from '../../src/modules/copy.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { labEnabled } from '../lab/lab-helper.js';
import { makeContext, remoteLike, tempDir } from '../helpers/module-context.js';

const OLD = 'oms_meta_host: 198.18.0.2\ncm_nodes:\n - 198.18.0.3\n';
const NEW = `${OLD}cm_region: east\n`;

describe('copy in_place', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir()));
  afterAll(async () => cleanup());

  for (const [name, conn] of [['local', undefined], ['exec-only transport', remoteLike()]] as const) {
    it(`keeps the inode and the mode, reports no change on a rerun (${name})`, async () => {
      const dest = join(dir, `config-${name.length}.yaml`);
      writeFileSync(dest, OLD, { mode: 0o600 });
      const inode = statSync(dest).ino;
      const ctx = () => makeContext(conn ? { conn } : {});
      const args = { content: NEW, dest, mode: '0600', in_place: true };
      expect(await runModule(copyModule, args, ctx())).toMatchObject({ changed: true });
      expect(readFileSync(dest, 'utf8')).toBe(NEW);
      expect(statSync(dest).ino).toBe(inode);
      expect(statSync(dest).mode & 0o777).toBe(0o600);
      expect(await runModule(copyModule, args, ctx())).toMatchObject({ changed: false });
      expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    });
  }

  it('creates a missing file like a plain copy', async () => {
    const dest = join(dir, 'fresh.yaml');
    expect(await runModule(copyModule, { content: NEW, dest, in_place: true }, makeContext())).toMatchObject({ changed: true });
    expect(readFileSync(dest, 'utf8')).toBe(NEW);
  });
});

// Real faults need mounts: a full tmpfs and a read-only bind mount over the file.
describe.skipIf(!labEnabled())('copy in_place under faults', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const mounts: string[] = [];
  const mount = (...args: string[]) => execFileSync('mount', args);

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterAll(async () => {
    for (const m of mounts.reverse()) execFileSync('umount', ['-l', m]);
    await cleanup();
  });

  function smallDisk(name: string): string {
    const d = join(root, name);
    mkdirSync(d);
    mount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d);
    mounts.push(d);
    return d;
  }

  // Fills the file system up to its last block, then lets `free` bytes go again.
  function fill(d: string, free: number): void {
    execFileSync('sh', ['-c', 'dd if=/dev/zero of="$1" bs=1k 2>/dev/null; true', 'sh', join(d, 'fill')]);
    const size = statSync(join(d, 'fill')).size;
    execFileSync('truncate', ['-s', String(Math.max(0, size - free)), join(d, 'fill')]);
  }

  it('on a full disk: the task fails, the old content stays byte for byte, no temp file is left', async () => {
    const d = smallDisk('full');
    const dest = join(d, 'config.yaml');
    writeFileSync(dest, OLD, { mode: 0o600 });
    const inode = statSync(dest).ino;
    fill(d, 0);
    const out = await runModule(copyModule, { content: NEW.repeat(50), dest, in_place: true }, makeContext());
    expect(out.failed).toBe(true);
    expect(out.msg).toMatch(/^cannot write .*no space left on device/i);
    expect(readFileSync(dest, 'utf8')).toBe(OLD);
    expect(statSync(dest).ino).toBe(inode);
    expect(readdirSync(d).sort()).toEqual(['config.yaml', 'fill']);
  });

  it('when the new content fits but not the rewrite beside the copy, the old content is put back', async () => {
    const d = smallDisk('tight');
    const dest = join(d, 'config.yaml');
    const big = 'x'.repeat(6000);
    writeFileSync(dest, OLD, { mode: 0o600 });
    // Room for the new content's temp file and the copy of the old one, not for the longer rewrite.
    fill(d, 4096 * 3);
    const out = await runModule(copyModule, { content: big, dest, in_place: true }, makeContext());
    expect(out.failed, JSON.stringify(out)).toBe(true);
    expect(out.msg).toMatch(/previous content was put back unchanged|the file is unchanged/);
    expect(readFileSync(dest, 'utf8')).toBe(OLD);
    expect(readdirSync(d).sort()).toEqual(['config.yaml', 'fill']);
  });

  it('on a read-only file: the task fails with the reason and nothing changes', async () => {
    const d = join(root, 'ro');
    mkdirSync(d);
    const dest = join(d, 'config.yaml');
    writeFileSync(dest, OLD, { mode: 0o600 });
    mount('--bind', dest, dest);
    mounts.push(dest);
    mount('-o', 'remount,ro,bind', dest);
    const out = await runModule(copyModule, { content: NEW, dest, in_place: true }, makeContext());
    expect(out.failed).toBe(true);
    expect(out.msg).toMatch(new RegExp(`^cannot write ${dest}: .*Read-only file system`));
    expect(readFileSync(dest, 'utf8')).toBe(OLD);
    expect(readdirSync(d)).toEqual(['config.yaml']);
  });
});
