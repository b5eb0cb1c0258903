// Turning module outcomes into task results and registered variables.
import type { TaskResult, TaskStatus } from '../core/result.js';
import type { ModuleOutcome } from '../modules/module.js';

export const NO_LOG_MSG = 'the output has been hidden due to no_log: true';

export function fromOutcome(outcome: ModuleOutcome, durationMs: number): TaskResult {
  const failed = outcome.failed === true;
  const status: TaskStatus = failed ? 'failed' : outcome.skipped ? 'skipped' : outcome.changed ? 'changed' : 'ok';
  return { ...outcome, status, failed, changed: !failed && outcome.changed, durationMs };
}

export function failure(msg: string, durationMs = 0, extra: Partial<TaskResult> = {}): TaskResult {
  return { status: 'failed', changed: false, failed: true, msg, durationMs, ...extra };
}

export function skipped(msg: string): TaskResult {
  return { status: 'skipped', changed: false, failed: false, skipped: true, msg, durationMs: 0 };
}

/** Recomputes status after changed_when / failed_when / ignore_errors adjusted the flags. */
export function withStatus(r: TaskResult): TaskResult {
  const status: TaskStatus = r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok';
  return { ...r, status };
}

/** What `register: name` stores: Ansible-shaped keys plus module data at the top level. */
export function registerValue(r: TaskResult): Record<string, unknown> {
  const value: Record<string, unknown> = {
    ...(r.data ?? {}),
    changed: r.changed,
    failed: r.failed,
    skipped: r.status === 'skipped',
    status: r.status,
    msg: r.msg ?? '',
  };
  // A module's own `status` (uri's HTTP status code, as Ansible registers it) wins over the task's.
  if (r.data && 'status' in r.data) value.status = r.data.status;
  if (r.rc !== undefined) value.rc = r.rc;
  if (r.stdout !== undefined) {
    value.stdout = r.stdout;
    value.stdout_lines = splitLines(r.stdout);
  }
  if (r.stderr !== undefined) {
    value.stderr = r.stderr;
    value.stderr_lines = splitLines(r.stderr);
  }
  if (r.attempts !== undefined) value.attempts = r.attempts;
  if (r.results) value.results = r.results.map((x) => ({ ...registerValue(x), item: x.item }));
  return value;
}

/** Replaces everything a no_log task could reveal. */
export function censor(r: TaskResult): TaskResult {
  return {
    status: r.status,
    changed: r.changed,
    failed: r.failed,
    skipped: r.skipped,
    ignored: r.ignored,
    durationMs: r.durationMs,
    msg: NO_LOG_MSG,
    attempts: r.attempts,
  };
}

/** Aggregates the per-item results of a loop into one task result. */
export function loopResult(results: TaskResult[], durationMs: number): TaskResult {
  const failed = results.some((r) => r.failed);
  const changed = results.some((r) => r.changed);
  const allSkipped = results.length > 0 && results.every((r) => r.status === 'skipped');
  const status: TaskStatus = failed ? 'failed' : allSkipped ? 'skipped' : changed ? 'changed' : 'ok';
  const firstFailure = results.find((r) => r.failed);
  return {
    status,
    changed,
    failed,
    skipped: allSkipped,
    msg: firstFailure ? `one or more items failed: ${firstFailure.msg ?? ''}`.trim() : undefined,
    results,
    durationMs,
  };
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  return s.replace(/\n$/, '').split('\n');
}
