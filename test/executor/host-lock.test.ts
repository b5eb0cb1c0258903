import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/connection/connection.js';
import { LocalConnection } from '../../src/connection/local.js';
import { acquireLock, peekLock, type LockHolder } from '../../src/executor/host-lock.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function holder(run_id: string): LockHolder {
  return { run_id, user: 'ops', controller: 'ctl', pid: 1, playbook: 'site.yml', started: '2026-11-22T00:00:00Z' };
}

describe('acquireLock races', () => {
  it('lets every host of one run share the lock when they take it at the same moment (20 rounds of 24)', async () => {
    const signal = new AbortController().signal;
    for (let round = 0; round < 20; round++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-lock-'));
      dirs.push(dir);
      const lock = path.join(dir, 'lock');
      const got = await Promise.all(
        Array.from({ length: 24 }, () => acquireLock(new LocalConnection(), lock, holder('run-1'), { signal })),
      );
      expect(got.map((g) => g.kind)).toEqual(Array(24).fill('acquired'));
      expect(JSON.parse(readFileSync(path.join(lock, 'holder'), 'utf8')).run_id).toBe('run-1');
    }
  });

  it('gives the lock to exactly one of several runs; the others see the winner, never an empty holder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-lock-'));
    dirs.push(dir);
    const lock = path.join(dir, 'lock');
    const signal = new AbortController().signal;
    const got = await Promise.all(
      Array.from({ length: 8 }, (_, i) => acquireLock(new LocalConnection(), lock, holder(`run-${i}`), { signal })),
    );
    const winners = got.filter((g) => g.kind === 'acquired');
    expect(winners).toHaveLength(1);
    const winner = JSON.parse(readFileSync(path.join(lock, 'holder'), 'utf8')) as LockHolder;
    for (const g of got) if (g.kind === 'held') expect(g.holder).toBe(`ops@ctl (pid 1) running site.yml since 2026-11-22T00:00:00Z`);
    expect(winner.run_id).toMatch(/^run-\d$/);
  });
});

describe('peekLock', () => {
  it('names the holder without taking the lock; a free lock or one whose holder is not written yet reads as free', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-lock-'));
    dirs.push(dir);
    const lock = path.join(dir, 'lock');
    const conn = new LocalConnection();
    expect(await peekLock(conn, lock)).toBeUndefined();
    mkdirSync(lock);
    expect(await peekLock(conn, lock)).toBeUndefined();
    writeFileSync(path.join(lock, 'holder'), `${JSON.stringify(holder('run-7'))}\n`);
    expect(await peekLock(conn, lock)).toBe('ops@ctl (pid 1) running site.yml since 2026-11-22T00:00:00Z');
    expect(JSON.parse(readFileSync(path.join(lock, 'holder'), 'utf8')).run_id).toBe('run-7');
  });
});

describe('stale lock takeover', () => {
  const stale = (): LockHolder => ({ ...holder('crashed'), pid: spawnSync(process.execPath, ['-e', '0']).pid! });

  it('takes over a lock whose run from this controller is gone, naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-lock-'));
    dirs.push(dir);
    const lock = path.join(dir, 'lock');
    mkdirSync(lock);
    const old = stale();
    writeFileSync(path.join(lock, 'holder'), `${JSON.stringify(old)}\n`);
    const got = await acquireLock(new LocalConnection(), lock, holder('run-2'), { signal: new AbortController().signal });
    expect(got).toEqual({ kind: 'acquired', replaced: `ops@ctl (pid ${old.pid}) running site.yml since 2026-11-22T00:00:00Z` });
    expect(JSON.parse(readFileSync(path.join(lock, 'holder'), 'utf8')).run_id).toBe('run-2');
  });

  it('leaves the lock alone when another run took the stale one over first', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-lock-'));
    dirs.push(dir);
    const lock = path.join(dir, 'lock');
    mkdirSync(lock);
    writeFileSync(path.join(lock, 'holder'), `${JSON.stringify(stale())}\n`);
    const local = new LocalConnection();
    let calls = 0;
    // Between this run reading the stale holder and removing it, another run replaces it with its own.
    const conn: Connection = {
      host: local.host,
      transport: local.transport,
      capabilities: local.capabilities,
      connect: () => local.connect(),
      exec: async (argv, o) => {
        const r = await local.exec(argv, o);
        if (++calls === 1) writeFileSync(path.join(lock, 'holder'), `${JSON.stringify(holder('run-fast'))}\n`);
        return r;
      },
      put: (s, d, o) => local.put(s, d, o),
      get: (p, o) => local.get(p, o),
      close: () => local.close(),
    };
    const got = await acquireLock(conn, lock, holder('run-slow'), { signal: new AbortController().signal });
    expect(got).toEqual({ kind: 'held', holder: 'ops@ctl (pid 1) running site.yml since 2026-11-22T00:00:00Z' });
    expect(JSON.parse(readFileSync(path.join(lock, 'holder'), 'utf8')).run_id).toBe('run-fast');
  });

  it('gives a stale lock to exactly one of several runs taking it over at the same moment (30 rounds of 6)', async () => {
    const signal = new AbortController().signal;
    for (let round = 0; round < 30; round++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-lock-'));
      dirs.push(dir);
      const lock = path.join(dir, 'lock');
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'holder'), `${JSON.stringify(stale())}\n`);
      const got = await Promise.all(
        Array.from({ length: 6 }, (_, i) => acquireLock(new LocalConnection(), lock, holder(`run-${i}`), { signal })),
      );
      const winners = got.flatMap((g, i) => (g.kind === 'acquired' ? [`run-${i}`] : []));
      expect(winners).toHaveLength(1);
      expect(JSON.parse(readFileSync(path.join(lock, 'holder'), 'utf8')).run_id).toBe(winners[0]);
      expect(existsSync(`${lock}.takeover`)).toBe(false);
    }
  });
});
