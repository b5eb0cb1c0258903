// Per-host bookkeeping around a run: the deploy lock when a host is first reached, the audit record at the end.
import type { Become } from '../connection/connection.js';
import { connectionSpec } from '../inventory/connection-vars.js';
import type { Vars } from '../inventory/model.js';
import { appendRemoteAudit, hostResult, type AuditRecord } from './audit.js';
import type { RunState } from './context.js';
import { acquireLock, releaseLock } from './host-lock.js';
import type { HostState } from './host-state.js';

/** @defaultValue of the `omsrun_lock_path` variable: tmpfs, so a reboot clears a crashed run's lock. */
export const DEFAULT_LOCK_PATH = '/run/omsrun.lock';
/** @defaultValue of the `omsrun_audit_log` variable. */
export const DEFAULT_AUDIT_LOG = '/var/log/omsrun/audit.log';

/** Root through sudo when the connection's user is not root. */
export function adminBecome(host: string, vars: Vars): Become | undefined {
  const spec = connectionSpec(host, vars);
  const user = spec.connection === 'local' ? (process.getuid?.() === 0 ? 'root' : spec.user) : spec.user;
  return user === 'root' ? undefined : { user: 'root', password: spec.becomePassword };
}

/** Takes the host's deploy lock; a host held by another run is failed with the holder's details. */
export async function lockHost(run: RunState, h: HostState, vars: Vars): Promise<void> {
  const { opts } = run;
  h.admin = adminBecome(h.name, vars);
  h.auditPath = opts.audit ? String(vars.omsrun_audit_log ?? DEFAULT_AUDIT_LOG) : undefined;
  if (!opts.lock || !h.conn) return;
  const path = String(vars.omsrun_lock_path ?? DEFAULT_LOCK_PATH);
  const holder = { run_id: opts.run.id, user: opts.run.user, controller: opts.run.controller, pid: process.pid, playbook: opts.run.playbook, started: opts.run.started };
  const got = await acquireLock(h.conn, path, holder, { become: h.admin, waitMs: opts.lockWaitMs, signal: opts.signal });
  if (got.kind === 'acquired') {
    if (got.replaced) run.emit({ kind: 'warning', host: h.name, msg: `took over a stale deploy lock: ${got.replaced} (no longer running)` });
    h.lockPath = path;
    return;
  }
  if (got.kind === 'unsupported') {
    run.emit({ kind: 'warning', host: h.name, msg: `deploy lock not taken (${got.reason}); set omsrun_lock_path to a writable path` });
    return;
  }
  h.failed = true;
  h.stats.failed++;
  const msg = `locked by another run: ${got.holder}; wait for it (--lock-wait SECONDS) or, if it crashed, release it with: omsrun unlock -i INVENTORY -l ${h.name}`;
  run.emit({ kind: 'host_task_result', host: h.name, task: { id: 'lock', name: 'deploy lock', module: 'lock' }, result: { status: 'failed', changed: false, failed: true, msg, durationMs: 0 } });
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
