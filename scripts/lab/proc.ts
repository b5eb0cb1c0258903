import { mkdirSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PidRef } from './lab-config.js';

// Start time from /proc/PID/stat (field 22), or undefined for a gone or zombie process.
export function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

// Records a live pid with its start time.
export function pidRef(pid: number): PidRef {
  const start = procStart(pid);
  if (start === undefined) throw new Error(`process ${pid} is not running`);
  return { pid, start };
}

// True when the recorded process is still the same running process.
export function isAlive(ref: PidRef | undefined): boolean {
  return ref !== undefined && procStart(ref.pid) === ref.start;
}

// Sends a signal to the recorded process only if it is still the one recorded.
export function signalRef(ref: PidRef | undefined, signal: NodeJS.Signals): boolean {
  if (!isAlive(ref)) return false;
  try {
    process.kill(ref!.pid, signal);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Polls until `ok()` is true or the time is up.
export async function waitFor(ok: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return true;
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
}

// SIGTERM, wait, then SIGKILL for whatever is left of the recorded processes.
export async function stopRefs(refs: (PidRef | undefined)[], graceMs = 3000): Promise<void> {
  const live = refs.filter((r): r is PidRef => isAlive(r));
  for (const r of live) signalRef(r, 'SIGTERM');
  await waitFor(() => live.every((r) => !isAlive(r)), graceMs, 25);
  for (const r of live) signalRef(r, 'SIGKILL');
  await waitFor(() => live.every((r) => !isAlive(r)), 2000, 25);
}

// One pass over /proc: pids grouped by their namespace of the given kind (keys like "mnt:[4026532201]").
export function pidsByNamespace(kind: 'net' | 'mnt'): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ns = readlinkSync(`/proc/${entry}/ns/${kind}`);
      out.set(ns, [...(out.get(ns) ?? []), Number(entry)]);
    } catch {
      // process gone meanwhile
    }
  }
  return out;
}

// SIGKILLs the given pids (already identified by namespace or cgroup membership).
export function killPids(pids: number[]): void {
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// Cross-process lock: an atomic mkdir holding the owner's pid; a dead owner's lock is taken over. Waits up to
// `timeoutMs`, then throws naming `what`.
export async function withDirLock<T>(lock: string, timeoutMs: number, what: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lock), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), JSON.stringify({ pid: process.pid, start: procStart(process.pid) }));
      break;
    } catch {
      let stale = false;
      try {
        const owner = JSON.parse(readFileSync(join(lock, 'owner'), 'utf8')) as PidRef;
        stale = !isAlive(owner);
      } catch {
        // an owner file still unreadable after a minute was left by a process that died while writing it
        stale = Date.now() > started + 60_000;
      }
      if (stale) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > started + timeoutMs) throw new Error(`${what}: lock ${lock} still held after ${Math.round(timeoutMs / 1000)} s`);
      else await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
