// Per-host bookkeeping around a run: the deploy locks before the first task, the audit record at the end.
import pLimit from 'p-limit';
import { userInfo } from 'node:os';
import type { Become, Connection } from '../connection/connection.js';
import { ConnectionError, OmsrunError } from '../core/errors.js';
import { connectionSpec } from '../inventory/connection-vars.js';
import type { Vars } from '../inventory/model.js';
import { appendRemoteAudit, hostResult, type AuditRecord } from './audit.js';
import type { RunState } from './context.js';
import { acquireLock, peekLock, releaseLock, type LockHolder } from './host-lock.js';
import type { HostState } from './host-state.js';
import { lockKey, lockSlots, takeAll, type TakeResult } from './lock-set.js';

/** @defaultValue of the `omsrun_lock_path` variable: tmpfs, so a reboot clears a crashed run's lock. */
export const DEFAULT_LOCK_PATH = '/run/omsrun.lock';
/** @defaultValue of the `omsrun_audit_log` variable. */
export const DEFAULT_AUDIT_LOG = '/var/log/omsrun/audit.log';

/** Root through sudo when the connection's user is not root (on the controller: the user running omsrun). */
export function adminBecome(conn: Connection, vars: Vars): Become | undefined {
  const spec = connectionSpec(conn.host, vars);
  const user = conn.capabilities.runsOnController ? userInfo().username : spec.user;
  return user === 'root' ? undefined : { user: 'root', password: spec.becomePassword };
}

/** A reachable host's deploy lock: its path and its identity (see lockKey). */
export interface HostLock {
  host: HostState;
  path: string;
  key: string;
}

/** Reads the host's lock and audit settings from the variables it was connected with; returns its lock if the run takes one. */
export function prepareHost(run: RunState, h: HostState, vars: Vars): HostLock | undefined {
  const { opts } = run;
  if (!h.conn) return undefined;
  h.admin = adminBecome(h.conn, vars);
  h.auditPath = opts.audit ? String(vars.omsrun_audit_log ?? DEFAULT_AUDIT_LOG) : undefined;
  if (!opts.lock) return undefined;
  const path = String(vars.omsrun_lock_path ?? DEFAULT_LOCK_PATH);
  const spec = connectionSpec(h.name, vars);
  return { host: h, path, key: lockKey({ local: h.conn.capabilities.runsOnController, address: spec.host, port: spec.port, jumpHost: spec.jumpHost, path }) };
}

interface Slot {
  hosts: HostState[];
  path: string;
}

/** Takes the deploy locks of all the run's reachable hosts or none (see lock-set.ts); a lost set fails every host with the holder's details. */
export async function lockHosts(run: RunState, locks: HostLock[]): Promise<void> {
  const { opts } = run;
  const slots: Slot[] = lockSlots(locks).map((group) => ({ hosts: group.map((l) => l.host), path: group[0]!.path }));
  if (slots.length === 0) return;
  const holder: LockHolder = { run_id: opts.run.id, user: opts.run.user, controller: opts.run.controller, pid: process.pid, playbook: opts.run.playbook, started: opts.run.started };
  const limit = pLimit(opts.forks);
  const unsupported = new Set<Slot>();
  const got = await takeAll(
    slots,
    { take: (slot) => limit(() => takeSlot(run, slot, holder, unsupported)), release: (slot) => limit(() => releaseSlot(run, slot)) },
    {
      waitMs: opts.lockWaitMs,
      signal: opts.signal,
      onWait: (held) => run.emit({ kind: 'warning', host: held.slot.hosts[0]!.name, msg: `locked by another run: ${held.holder}; waiting up to ${Math.ceil(opts.lockWaitMs / 1000)} s for it (--lock-wait)` }),
    },
  );
  if (got.kind === 'acquired') {
    for (const slot of got.taken) for (const h of slot.hosts) h.lockPath = slot.path;
    return;
  }
  // The locks not seen held are looked at (not taken), so that each host names its own holder where it has one.
  const holders = new Map(got.found);
  await Promise.all(
    slots.filter((s) => !holders.has(s)).map((s) => limit(async () => {
      const h = s.hosts.find((x) => x.active && x.conn);
      const seen = h && (await peekLock(h.conn!, s.path, h.admin).catch(() => undefined));
      if (seen) holders.set(s, seen);
    })),
  );
  const where = got.slot.hosts[0]!.name;
  for (const slot of slots) {
    for (const h of slot.hosts.filter((x) => x.active)) {
      const own = holders.get(slot);
      failHost(run, h, own ? lockedBy(own, h.name) : `not started: ${where} is ${lockedBy(got.holder, where)}`);
    }
  }
}

const lockedBy = (holder: string, host: string) =>
  `locked by another run: ${holder}; wait for it (--lock-wait SECONDS) or, if it crashed, release it with: omsrun unlock -i INVENTORY -l ${host}`;

// One try at a slot's lock through one of its hosts; a host whose lock step fails is failed (or unreachable) and the next one tries.
async function takeSlot(run: RunState, slot: Slot, holder: LockHolder, unsupported: Set<Slot>): Promise<TakeResult> {
  for (;;) {
    const h = slot.hosts.find((x) => x.active && x.conn);
    if (!h || unsupported.has(slot)) return { kind: 'skipped' };
    try {
      const got = await acquireLock(h.conn!, slot.path, holder, { become: h.admin, signal: run.opts.signal });
      if (got.kind === 'held') return got;
      if (got.kind === 'acquired') {
        if (got.replaced) run.emit({ kind: 'warning', host: h.name, msg: `took over a stale deploy lock: ${got.replaced} (no longer running)` });
        return got;
      }
      unsupported.add(slot);
      for (const x of slot.hosts) run.emit({ kind: 'warning', host: x.name, msg: `deploy lock not taken (${got.reason}); set omsrun_lock_path to a writable path` });
    } catch (err) {
      lockStepFailed(run, h, err);
    }
  }
}

async function releaseSlot(run: RunState, slot: Slot): Promise<void> {
  const h = slot.hosts.find((x) => x.conn);
  if (!h) return;
  await releaseLock(h.conn!, slot.path, run.opts.run.id, h.admin).catch((err: unknown) => {
    run.emit({ kind: 'warning', host: h.name, msg: `could not release the deploy lock: ${err instanceof Error ? err.message : String(err)}` });
  });
}

// A reachable host whose lock step failed (a wrong sudo password, say) is failed; one that dropped off is unreachable.
function lockStepFailed(run: RunState, h: HostState, err: unknown): void {
  if (!(err instanceof OmsrunError)) throw err;
  if (err instanceof ConnectionError) return markUnreachable(run, h, err);
  failHost(run, h, err.message);
}

/** Marks a host unreachable with the connection error's text. */
export function markUnreachable(run: RunState, h: HostState, err: OmsrunError): void {
  h.unreachable = true;
  h.stats.unreachable++;
  const msg = err instanceof ConnectionError ? err.detail : err.message;
  run.emit({ kind: 'host_unreachable', host: h.name, msg });
}

function failHost(run: RunState, h: HostState, msg: string): void {
  h.failed = true;
  h.stats.failed++;
  run.emit({ kind: 'host_task_result', host: h.name, task: { id: 'lock', name: 'deploy lock', module: 'lock' }, result: { status: 'failed', msg, durationMs: 0 } });
}

/** Appends the audit record and releases the lock; errors here only warn. */
export async function finishHost(run: RunState, h: HostState, interrupted: boolean): Promise<void> {
  if (!h.conn) return;
  const { opts } = run;
  try {
    if (h.auditPath) {
      const record: AuditRecord = {
        time: new Date().toISOString(),
        run_id: opts.run.id,
        user: opts.run.user,
        controller: opts.run.controller,
        playbook: opts.run.playbook,
        host: h.name,
        check: opts.checkMode,
        result: hostResult(h.stats, interrupted),
        stats: h.stats,
        changed_tasks: h.changedTasks,
      };
      const release = h.lockPath ? { lockPath: h.lockPath, runId: opts.run.id } : undefined;
      const ok = await appendRemoteAudit(h.conn, h.auditPath, opts.redactor.mask(JSON.stringify(record)), h.admin, release);
      if (!ok) run.emit({ kind: 'warning', host: h.name, msg: `could not append to the audit log ${h.auditPath}` });
    } else if (h.lockPath) await releaseLock(h.conn, h.lockPath, opts.run.id, h.admin);
  } catch (err) {
    run.emit({ kind: 'warning', host: h.name, msg: `could not finish: ${err instanceof Error ? err.message : String(err)}` });
  }
}
