// A deploy lock per host: an atomic mkdir holding who, when and which playbook; released at the end of the run.
// Hosts that share a machine (several inventory names, one address) share the run's lock.
import type { Become, Connection } from '../connection/connection.js';

/** Who holds a lock; written as JSON into the lock folder. */
export interface LockHolder {
  run_id: string;
  user: string;
  controller: string;
  pid: number;
  playbook: string;
  started: string;
}

export type LockOutcome =
  | { kind: 'acquired'; /** Set when a lock left by a run that is gone from this controller was taken over. */ replaced?: string }
  | { kind: 'held'; holder: string }
  | { kind: 'unsupported'; reason: string };

/** Exit code the lock script uses for "someone else holds it". */
const HELD = 75;

// Shell builtins wherever they do (read, printf, case): each external command is a process start on the host.
const ACQUIRE = [
  'umask 022',
  // The holder line goes out in one write, so a reader sees all of it or none; a run that just made the folder gets a
  // moment to write it.
  'for try in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do',
  '  if mkdir "$1" 2>/dev/null; then IFS= read -r h || [ -n "$h" ]; printf \'%s\\n\' "$h" > "$1/holder"; exit $?; fi',
  // A holder file that goes between the test and the read was just released: try again.
  '  if [ -s "$1/holder" ]; then grep -qF "$2" "$1/holder" && exit 0; cat "$1/holder" 2>/dev/null && exit ' + String(HELD) + '; continue; fi',
  '  [ -d "$1" ] || { [ -e "$1" ] && break; continue; }',
  '  sleep 0.1',
  'done',
  `if [ -d "$1" ]; then echo '{"holder":"unknown (no holder file)"}'; exit ${HELD}; fi`,
  'echo "cannot create $1" >&2; exit 1',
].join('\n');

const RELEASE = 'if grep -qF "$2" "$1/holder" 2>/dev/null; then rm -rf "$1"; fi';

// A folder whose holder is not written yet counts as free: its taker is still between mkdir and printf.
const PEEK = `h=; { IFS= read -r h < "$1/holder"; } 2>/dev/null; [ -z "$h" ] || printf '%s\\n' "$h"`;

// Removing a stale holder's lock: the check and the removal must be one step, or two runs that both saw the stale
// holder could each remove it, the later one deleting the lock the earlier one had just taken. A takeover folder
// beside the lock lets one run at a time do both; one left by a run that died inside these lines goes after a minute.
const STALE_RELEASE = [
  'm="$1.takeover"',
  'for try in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do',
  '  if mkdir "$m" 2>/dev/null; then',
  '    if grep -qF "$2" "$1/holder" 2>/dev/null; then rm -rf "$1"; fi',
  '    rmdir "$m"; exit 0',
  '  fi',
  '  find "$m" -maxdepth 0 -mmin +1 -exec rmdir {} \\; 2>/dev/null',
  '  sleep 0.1',
  'done',
  'echo "another run is taking over $1 ($m exists)" >&2; exit 1',
].join('\n');

const FORCE_RELEASE = 'if [ -d "$1" ]; then cat "$1/holder" 2>/dev/null; rm -rf "$1"; fi';

/** One try at the lock; a stale lock (see isStale) is taken over once. Waiting is the caller's (see lock-set.ts). */
export async function acquireLock(
  conn: Connection,
  path: string,
  holder: LockHolder,
  o: { become?: Become; signal: AbortSignal },
): Promise<LockOutcome> {
  let replaced: string | undefined;
  for (;;) {
    const r = await conn.exec(['/bin/sh', '-c', ACQUIRE, 'sh', path, holder.run_id], { stdin: JSON.stringify(holder), become: o.become, signal: o.signal, ownScript: true });
    if (r.rc === 0) return replaced ? { kind: 'acquired', replaced } : { kind: 'acquired' };
    if (r.rc !== HELD) return { kind: 'unsupported', reason: (r.stderr || r.stdout).trim() || `exit ${r.rc}` };
    if (replaced || !isStale(r.stdout, holder.controller)) return { kind: 'held', holder: describeHolder(r.stdout) };
    // Only the stale holder's own lock is removed: another run that took it over first keeps its new one.
    const staleRun = runIdOf(r.stdout);
    if (staleRun) await conn.exec(['/bin/sh', '-c', STALE_RELEASE, 'sh', path, staleRun], { become: o.become, signal: o.signal, ownScript: true });
    else await forceReleaseLock(conn, path, o.become);
    replaced = describeHolder(r.stdout);
  }
}

/** Who holds the lock, without taking it; undefined when it is free. */
export async function peekLock(conn: Connection, path: string, become?: Become): Promise<string | undefined> {
  const r = await conn.exec(['/bin/sh', '-c', PEEK, 'sh', path], { become, ownScript: true });
  return r.rc === 0 && r.stdout.trim() ? describeHolder(r.stdout) : undefined;
}

/** Releases the lock only if this run holds it. */
export async function releaseLock(conn: Connection, path: string, runId: string, become?: Become): Promise<void> {
  await conn.exec(['/bin/sh', '-c', RELEASE, 'sh', path, runId], { become, ownScript: true });
}

/** Removes a lock whoever holds it (after a crashed run); returns the removed holder, if any. */
export async function forceReleaseLock(conn: Connection, path: string, become?: Become): Promise<string | undefined> {
  const r = await conn.exec(['/bin/sh', '-c', FORCE_RELEASE, 'sh', path], { become });
  return r.stdout.trim() ? describeHolder(r.stdout) : undefined;
}

/** A lock taken from this controller by a process that no longer runs (its host dropped off mid-run, or it was killed). */
export function isStale(text: string, controller: string): boolean {
  let h: Partial<LockHolder>;
  try {
    h = JSON.parse(text) as Partial<LockHolder>;
  } catch {
    return false;
  }
  if (h.controller !== controller || typeof h.pid !== 'number' || h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function runIdOf(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as Partial<LockHolder>).run_id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** `user@controller (pid N) running PLAYBOOK since TIME` from the holder file. */
export function describeHolder(text: string): string {
  try {
    const h = JSON.parse(text) as Partial<LockHolder> & { holder?: string };
    if (h.holder) return h.holder;
    return `${h.user}@${h.controller} (pid ${h.pid}) running ${h.playbook} since ${h.started}`;
  } catch {
    return text.trim() || 'unknown';
  }
}
