// A task result is data: modules return it, the executor counts it, the views print it.

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface FileDiff {
  /** Path shown in the diff header. */
  path: string;
  before: string;
  after: string;
}

export interface TaskResult {
  /** The one outcome; the Ansible flags derive from it (isFailed, isChanged). */
  status: TaskStatus;
  msg?: string;
  rc?: number;
  stdout?: string;
  stderr?: string;
  /** Unified diffs of files this task changed (or would change in check mode). */
  diff?: FileDiff[];
  durationMs: number;
  /** Module specific return values (e.g. `stat` for the stat module); exposed under `register`. */
  data?: Record<string, unknown>;
  /** Set when failed but `ignore_errors` was set. */
  ignored?: boolean;
  /** Per-item results of a loop. */
  results?: TaskResult[];
  /** The loop item this result belongs to. */
  item?: unknown;
  /** What the output shows instead of the item (`loop_control.label`). */
  label?: string;
  /** Attempts used by until/retries. */
  attempts?: number;
}

/** Failed, as Ansible registers it: an unreachable host is a failure too. */
export function isFailed(r: Pick<TaskResult, 'status'>): boolean {
  return r.status === 'failed' || r.status === 'unreachable';
}

export function isChanged(r: Pick<TaskResult, 'status'>): boolean {
  return r.status === 'changed';
}

/** The status from the flags a module, a loop or changed_when / failed_when decided: a failure wins, then a skip. */
export function statusOf(o: { failed?: boolean; skipped?: boolean; changed?: boolean }): TaskStatus {
  return o.failed ? 'failed' : o.skipped ? 'skipped' : o.changed ? 'changed' : 'ok';
}

/** The result with its derived flags (loop items too), for readers outside omsrun: the --json stream and the run log. */
export function withFlags(r: TaskResult): TaskResult & { changed: boolean; failed: boolean } {
  return { ...r, changed: isChanged(r), failed: isFailed(r), ...(r.results ? { results: r.results.map(withFlags) } : {}) };
}

export interface HostStats {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  rescued: number;
  ignored: number;
  durationMs: number;
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0, durationMs: 0 };
}
