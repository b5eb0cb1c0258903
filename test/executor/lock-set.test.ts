// The all-or-none protocol over an in-memory lock table: many simulated runs racing, no hosts needed.
import { describe, expect, it } from 'vitest';
import { lockKey, lockSlots, retryDelayMs, takeAll, takeAllOnce, type LockSetOps, type SetResult } from '../../src/executor/lock-set.js';

// A seeded generator, so a failing trial can be replayed.
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Lock folders by name: an atomic mkdir per lock, and 0-2 turns of the event loop around every step. */
class Table {
  readonly owner = new Map<string, string>();
  constructor(private readonly random: () => number) {}

  async pause(): Promise<void> {
    for (let turns = Math.floor(this.random() * 3); turns > 0; turns--) await new Promise((r) => setImmediate(r));
  }

  ops(run: string, log: string[] = []): LockSetOps<string> {
    return {
      take: async (lock) => {
        await this.pause();
        const holder = this.owner.get(lock);
        if (holder === undefined) this.owner.set(lock, run);
        else if (holder !== run) return { kind: 'held', holder };
        log.push(`take ${lock}`);
        await this.pause();
        return { kind: 'acquired' };
      },
      release: async (lock) => {
        await this.pause();
        if (this.owner.get(lock) === run) this.owner.delete(lock);
        log.push(`release ${lock}`);
      },
    };
  }

  heldBy(run: string): string[] {
    return [...this.owner].filter(([, r]) => r === run).map(([l]) => l).sort();
  }
}

const never = new AbortController().signal;

describe('lock order', () => {
  it('is the lock identity: address, port, jump host and path; hosts of one machine and path share a lock', () => {
    const key = (address: string, o: { port?: number; path?: string; jumpHost?: string } = {}) =>
      lockKey({ local: false, address, port: o.port ?? 22, path: o.path ?? '/run/omsrun.lock', jumpHost: o.jumpHost });
    expect(key('10.0.0.2')).toBe(key('10.0.0.2'));
    expect(new Set([key('10.0.0.2'), key('10.0.0.2', { port: 2222 }), key('10.0.0.2', { path: '/run/b.lock' }), key('10.0.0.2', { jumpHost: 'j:22' })]).size).toBe(4);
    expect(lockKey({ local: true, address: 'h1', port: 22, path: '/l' })).toBe(lockKey({ local: true, address: 'h2', port: 2200, path: '/l' }));
  });

  it('groups hosts by key and sorts the groups by key, whatever order the hosts come in', () => {
    const hosts = [
      { name: 'web2', key: 'b' },
      { name: 'db', key: 'c' },
      { name: 'web1', key: 'a' },
      { name: 'web1-alias', key: 'a' },
    ];
    const names = (list: typeof hosts) => lockSlots(list).map((g) => g.map((h) => h.name));
    expect(names(hosts)).toEqual([['web1', 'web1-alias'], ['web2'], ['db']]);
    expect(names([...hosts].reverse())).toEqual([['web1-alias', 'web1'], ['web2'], ['db']]);
  });

  it('compares keys by code unit, not by locale', () => {
    expect(lockSlots([{ key: 'b' }, { key: 'B' }, { key: 'a' }]).map((g) => g[0]!.key)).toEqual(['B', 'a', 'b']);
  });
});

describe('takeAllOnce', () => {
  it('takes the first lock alone, then the rest; on a held one releases everything, the first lock last', async () => {
    const table = new Table(() => 0);
    table.owner.set('c', 'other');
    const log: string[] = [];
    const got = await takeAllOnce(['a', 'b', 'c', 'd'], table.ops('me', log));
    expect(got).toEqual({ kind: 'held', slot: 'c', holder: 'other', found: new Map([['c', 'other']]) });
    expect(log[0]).toBe('take a');
    expect(log.at(-1)).toBe('release a');
    expect(log.slice(1, 3).sort()).toEqual(['take b', 'take d']);
    expect(table.heldBy('me')).toEqual([]);
  });

  it('tries nothing after a held first lock', async () => {
    const table = new Table(() => 0);
    table.owner.set('a', 'other');
    const log: string[] = [];
    expect((await takeAllOnce(['a', 'b'], table.ops('me', log))).kind).toBe('held');
    expect(log).toEqual([]);
  });

  it('moves past locks that cannot be taken (skipped) to find its first one', async () => {
    const log: string[] = [];
    const ops: LockSetOps<string> = {
      take: async (s) => (log.push(s), s === 'a' ? { kind: 'skipped' } : { kind: 'acquired' }),
      release: async () => undefined,
    };
    expect(await takeAllOnce(['a', 'b', 'c'], ops)).toEqual({ kind: 'acquired', taken: ['b', 'c'] });
    expect(log.slice(0, 2)).toEqual(['a', 'b']);
  });

  it('releases what it took before passing on an error from one of the rest', async () => {
    const table = new Table(() => 0);
    const base = table.ops('me');
    const ops: LockSetOps<string> = { ...base, take: async (s) => (s === 'c' ? Promise.reject(new Error('bug')) : base.take(s)) };
    await expect(takeAllOnce(['a', 'b', 'c'], ops)).rejects.toThrow('bug');
    expect(table.heldBy('me')).toEqual([]);
  });
});

describe('two or three runs racing (simulated, seeded)', () => {
  const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5'];

  it('same hosts, no waiting: exactly one run wins, the other holds nothing (2000 trials)', async () => {
    for (let trial = 0; trial < 2000; trial++) {
      const table = new Table(seeded(trial));
      const got = await Promise.all(['A', 'B'].map((run) => takeAllOnce(HOSTS, table.ops(run))));
      const winners = got.flatMap((g, i) => (g.kind === 'acquired' ? [['A', 'B'][i]!] : []));
      expect(winners, `trial ${trial}`).toHaveLength(1);
      expect(table.heldBy(winners[0]!), `trial ${trial}`).toEqual(HOSTS);
    }
  });

  it('overlapping sets (h1 h2 / h2 h3): exactly one run wins, the other holds nothing (2000 trials)', async () => {
    for (let trial = 0; trial < 2000; trial++) {
      const table = new Table(seeded(trial));
      const sets = { A: ['h1', 'h2'], B: ['h2', 'h3'] };
      const got = await Promise.all((['A', 'B'] as const).map(async (run) => [run, await takeAllOnce(sets[run], table.ops(run))] as const));
      const winners = got.filter(([, g]) => g.kind === 'acquired').map(([run]) => run);
      expect(winners, `trial ${trial}`).toHaveLength(1);
      for (const [run, g] of got) expect(table.heldBy(run), `trial ${trial} ${run}`).toEqual(g.kind === 'acquired' ? sets[run] : []);
    }
  });

  it('three runs over rotating sets: each ends with all of its locks or none (2000 trials)', async () => {
    const sets = { A: ['h1', 'h2', 'h3'], B: ['h2', 'h3', 'h4'], C: ['h3', 'h4', 'h1'] };
    for (let trial = 0; trial < 2000; trial++) {
      const table = new Table(seeded(trial));
      const got = await Promise.all((['A', 'B', 'C'] as const).map(async (run) => [run, await takeAllOnce(sets[run], table.ops(run))] as const));
      for (const [run, g] of got) expect(table.heldBy(run), `trial ${trial} ${run}`).toEqual(g.kind === 'acquired' ? [...sets[run]].sort() : []);
    }
  });

  it('with waiting, every run gets all its locks in turn: no deadlock, nothing held while asleep (300 trials)', async () => {
    const sets = { A: ['h1', 'h2', 'h3'], B: ['h1', 'h2', 'h3'], C: ['h3', 'h4'] };
    for (let trial = 0; trial < 300; trial++) {
      const random = seeded(trial);
      const table = new Table(random);
      const order: string[] = [];
      const runOne = async (run: keyof typeof sets): Promise<SetResult<string>> => {
        const sleep = async () => {
          expect(table.heldBy(run), `trial ${trial} ${run} asleep`).toEqual([]);
          await table.pause();
        };
        const got = await takeAll(sets[run], table.ops(run), { waitMs: 60_000, signal: never, random, sleep });
        if (got.kind === 'acquired') {
          expect(table.heldBy(run)).toEqual([...sets[run]].sort());
          order.push(run);
          await table.pause();
          for (const lock of sets[run]) table.owner.delete(lock);
        }
        return got;
      };
      const got = await Promise.all((['A', 'B', 'C'] as const).map(runOne));
      expect(got.map((g) => g.kind), `trial ${trial}`).toEqual(['acquired', 'acquired', 'acquired']);
      expect(order.sort()).toEqual(['A', 'B', 'C']);
    }
  });
});

describe('takeAll', () => {
  it('stops after one attempt without a wait, reporting the holder, having waited for nothing', async () => {
    const table = new Table(() => 0);
    table.owner.set('h2', 'other');
    let waited = false;
    const got = await takeAll(['h1', 'h2'], table.ops('me'), { waitMs: 0, signal: never, onWait: () => (waited = true) });
    expect(got).toMatchObject({ kind: 'held', slot: 'h2', holder: 'other' });
    expect(waited).toBe(false);
    expect(table.heldBy('me')).toEqual([]);
  });

  it('tells once that it waits, retries until the holder is gone, and holds nothing while it sleeps', async () => {
    const table = new Table(() => 0);
    table.owner.set('h2', 'other');
    const waits: string[] = [];
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      expect(table.heldBy('me')).toEqual([]);
      sleeps.push(ms);
      if (sleeps.length === 2) table.owner.delete('h2');
    };
    const got = await takeAll(['h1', 'h2'], table.ops('me'), { waitMs: 10_000, signal: never, random: () => 0.5, sleep, onWait: (h) => waits.push(h.holder) });
    expect(got).toEqual({ kind: 'acquired', taken: ['h1', 'h2'] });
    expect(waits).toEqual(['other']);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up when the wait is over or the run is interrupted', async () => {
    const table = new Table(() => 0);
    table.owner.set('h1', 'other');
    const started = Date.now();
    expect((await takeAll(['h1'], table.ops('me'), { waitMs: 120, signal: never, random: () => 0 })).kind).toBe('held');
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);
    expect((await takeAll(['h1'], table.ops('me'), { waitMs: 60_000, signal: stop.signal })).kind).toBe('held');
  });

  it('waits 100 ms doubling to 1 s between attempts, times a random factor in [0.5, 1.5)', () => {
    expect([0, 1, 2, 3, 4, 9].map((round) => retryDelayMs(round, () => 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(retryDelayMs(0, () => 0)).toBe(50);
    expect(retryDelayMs(9, () => 0.999)).toBe(1499);
  });
});
