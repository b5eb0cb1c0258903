// The lab's cross-process lock (shared lab, cached root file system builds): one holder at a time, dead holders taken over.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withDirLock } from '../../scripts/lab/proc.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function lockPath(): string {
  const d = mkdtempSync(join(tmpdir(), 'omsrun-dirlock-'));
  dirs.push(d);
  return join(d, 'x.lock');
}

describe('withDirLock', () => {
  it('runs holders one after the other and removes the lock', async () => {
    const lock = lockPath();
    const events: string[] = [];
    const holder = (name: string) => withDirLock(lock, 30_000, 'test', async () => {
      events.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 50));
      events.push(`${name} out`);
      return name;
    });
    expect(await Promise.all([holder('a'), holder('b')])).toEqual(['a', 'b']);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    await expect(withDirLock(lock, 1000, 'test', async () => 'again')).resolves.toBe('again');
  });

  it("takes over a lock whose owner process is gone", async () => {
    const lock = lockPath();
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), JSON.stringify({ pid: 2 ** 22 + 1, start: '1' }));
    await expect(withDirLock(lock, 30_000, 'test', async () => 'taken')).resolves.toBe('taken');
  });

  it('names what waited when a live owner keeps the lock', async () => {
    const lock = lockPath();
    let release!: () => void;
    const held = withDirLock(lock, 30_000, 'first', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 20));
    await expect(withDirLock(lock, 0, 'building rootfs', async () => 'never')).rejects.toThrow(`building rootfs: lock ${lock} still held after 0 s`);
    release();
    await held;
  });
});
