// A task result is data: modules return it, the executor counts it, the views print it.

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface FileDiff {
  /** Path shown in the diff header. */
  path: string;
  before: string;
  after: string;
}

export interface TaskResult {
  status: TaskStatus;
  changed: boolean;
  failed: boolean;
  skipped?: boolean;
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
  /** Attempts used by until/retries. */
  attempts?: number;
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
