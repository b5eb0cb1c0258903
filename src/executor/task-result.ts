// Turning module outcomes into task results and registered variables.
import { isChanged, isFailed, statusOf, type TaskResult } from '../core/result.js';
import type { ModuleOutcome } from '../modules/support/module.js';

export const NO_LOG_MSG = 'the output has been hidden due to no_log: true';

export function fromOutcome(outcome: ModuleOutcome, durationMs: number): TaskResult {
  const { changed: _changed, failed: _failed, skipped: _skipped, ...rest } = outcome;
  return { ...rest, status: statusOf(outcome), durationMs };
}

export function failure(msg: string, durationMs = 0, extra: Partial<TaskResult> = {}): TaskResult {
  return { status: 'failed', msg, durationMs, ...extra };
}

export function skipped(msg: string): TaskResult {
  return { status: 'skipped', msg, durationMs: 0 };
}

/** What `register: name` stores: Ansible-shaped keys plus module data at the top level. */
export function registerValue(r: TaskResult): Record<string, unknown> {
  const value: Record<string, unknown> = {
    ...(r.data ?? {}),
    changed: isChanged(r),
    failed: isFailed(r),
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
    ignored: r.ignored,
    durationMs: r.durationMs,
    msg: NO_LOG_MSG,
    attempts: r.attempts,
  };
}

/** Aggregates the per-item results of a loop into one task result. */
export function loopResult(results: TaskResult[], durationMs: number): TaskResult {
  const firstFailure = results.find(isFailed);
  return {
    status: statusOf({
      failed: firstFailure !== undefined,
      skipped: results.length > 0 && results.every((r) => r.status === 'skipped'),
      changed: results.some(isChanged),
    }),
    msg: firstFailure ? `one or more items failed: ${firstFailure.msg ?? ''}`.trim() : undefined,
    results,
    durationMs,
  };
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  return s.replace(/\n$/, '').split('\n');
}
