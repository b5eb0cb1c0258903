// A run's deploy locks, all or none: one global order, the first lock alone, the rest at once, everything released
// before a run stops or sleeps.
//
// Why two runs can neither split the hosts nor deadlock:
// - A run starts its first task only when it holds every lock it asked for, and a run that finds any lock held
//   releases everything it took before it returns (the first lock last). So a run holds all its locks or none: no split.
// - No run ever waits while it holds a lock (it releases, then sleeps, then retries the whole set), so no run can wait
//   on a run that waits on it: hold-and-wait, without which there is no deadlock, never happens.
// - Every run sorts its locks by the same key and takes the rest only while it holds its first one. Two runs over the
//   same hosts therefore meet on the same first lock, whose mkdir only one of them wins; the other never holds a lock
//   the winner still needs, so exactly one goes ahead. Runs over overlapping sets (h1 h2 against h2 h3) may both lose
//   an attempt, but never half-win; with --lock-wait, a jittered, growing delay keeps them from retrying in step.

/** What taking one lock found. `skipped`: no lock there (it cannot be made, or its host just failed). */
export type TakeResult = { kind: 'acquired' } | { kind: 'held'; holder: string } | { kind: 'skipped' };

export type SetResult<S> =
  | { kind: 'acquired'; taken: S[] }
  /** `slot` stopped the run; `found` has every lock seen held, with its holder (slot included). */
  | { kind: 'held'; slot: S; holder: string; found: Map<S, string> };

export interface LockSetOps<S> {
  take(slot: S): Promise<TakeResult>;
  /** Must not throw: a release that fails is the caller's to report. */
  release(slot: S): Promise<void>;
}

/** A host's lock identity: the machine (jump host, address, port) and the lock path on it. */
export function lockKey(o: { local: boolean; address: string; port: number; jumpHost?: string; path: string }): string {
  return JSON.stringify(o.local ? ['local', o.path] : [o.jumpHost ?? '', o.address, o.port, o.path]);
}

/** Entries grouped by lock key (hosts sharing a machine share its lock), sorted by key: the same order on every controller. */
export function lockSlots<E extends { key: string }>(entries: readonly E[]): E[][] {
  const byKey = new Map<string, E[]>();
  for (const e of entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}

/** One attempt: slots in order until one is taken, then all the rest at once; any held lock releases everything taken. */
export async function takeAllOnce<S>(slots: readonly S[], ops: LockSetOps<S>): Promise<SetResult<S>> {
  let i = 0;
  for (; i < slots.length; i++) {
    const slot = slots[i]!;
    const got = await ops.take(slot);
    if (got.kind === 'held') return { kind: 'held', slot, holder: got.holder, found: new Map([[slot, got.holder]]) };
    if (got.kind === 'acquired') break;
  }
  if (i === slots.length) return { kind: 'acquired', taken: [] };
  const first = slots[i]!;
  const rest = slots.slice(i + 1);
  const settled = await Promise.allSettled(rest.map((s) => ops.take(s)));
  const taken: S[] = [];
  const found = new Map<S, string>();
  let error: unknown;
  settled.forEach((r, k) => {
    const slot = rest[k]!;
    if (r.status === 'rejected') error ??= r.reason;
    else if (r.value.kind === 'acquired') taken.push(slot);
    else if (r.value.kind === 'held') found.set(slot, r.value.holder);
  });
  if (found.size === 0 && error === undefined) return { kind: 'acquired', taken: [first, ...taken] };
  await Promise.all(taken.map((s) => ops.release(s)));
  await ops.release(first);
  if (error !== undefined) throw error;
  const [slot, holder] = [...found][0]!;
  return { kind: 'held', slot, holder, found };
}

export interface WaitOptions<S> {
  /** How long to keep retrying after the first attempt finds a lock held; 0: one attempt. */
  waitMs: number;
  signal: AbortSignal;
  /** Called once, when the first attempt failed and the run starts waiting. */
  onWait?: (held: Extract<SetResult<S>, { kind: 'held' }>) => void;
  /** @defaultValue Math.random */
  random?: () => number;
  /** @defaultValue a timer that the signal cuts short */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Attempts until every lock is held or the wait is over, sleeping with nothing held between attempts. */
export async function takeAll<S>(slots: readonly S[], ops: LockSetOps<S>, o: WaitOptions<S>): Promise<SetResult<S>> {
  const deadline = Date.now() + o.waitMs;
  for (let round = 0; ; round++) {
    const got = await takeAllOnce(slots, ops);
    const left = deadline - Date.now();
    if (got.kind === 'acquired' || left <= 0 || o.signal.aborted) return got;
    if (round === 0) o.onWait?.(got);
    await (o.sleep ?? sleep)(Math.min(left, retryDelayMs(round, o.random ?? Math.random)), o.signal);
  }
}

/** 100 ms doubling up to 1 s, each times a random factor in [0.5, 1.5). */
export function retryDelayMs(round: number, random: () => number): number {
  return Math.round(Math.min(1000, 100 * 2 ** round) * (0.5 + random()));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
