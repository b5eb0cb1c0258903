// One audit record per host per run: who ran what, when, the result and the changed tasks.
import type { Become, Connection } from '../connection/connection.js';
import type { HostStats } from '../core/result.js';

export interface AuditRecord {
  time: string;
  run_id: string;
  user: string;
  controller: string;
  playbook: string;
  host: string;
  check: boolean;
  result: 'ok' | 'failed' | 'unreachable' | 'interrupted';
  stats: HostStats;
  changed_tasks: string[];
}

export function hostResult(stats: HostStats, interrupted: boolean): AuditRecord['result'] {
  if (stats.unreachable > 0) return 'unreachable';
  if (stats.failed > 0) return 'failed';
  return interrupted ? 'interrupted' : 'ok';
}

const APPEND = 'umask 077; mkdir -p "$(dirname "$1")" && cat >> "$1"';

/** Appends one JSON line to the host's audit log. */
export async function appendRemoteAudit(conn: Connection, path: string, line: string, become?: Become): Promise<boolean> {
  const r = await conn.exec(['/bin/sh', '-c', APPEND, 'sh', path], { stdin: `${line}\n`, become });
  return r.rc === 0;
}
