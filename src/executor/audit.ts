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

// Builtins where they do (read, printf, case): the record is one JSON line, and so is the lock's holder file.
const APPEND = [
  'umask 077; case $1 in */*) dir=${1%/*} ;; *) dir=. ;; esac',
  '{ [ -d "${dir:-/}" ] || mkdir -p "$dir"; } && { IFS= read -r line || [ -n "$line" ]; } && printf \'%s\\n\' "$line" >> "$1"; rc=$?',
  'if [ -n "$2" ] && { IFS= read -r holder < "$2/holder"; } 2>/dev/null || [ -n "$holder" ]; then case $holder in *"$3"*) rm -rf "$2" ;; esac; fi',
  'exit $rc',
].join('\n');

/** The deploy lock to release in the same command as the audit append (one round trip less per host). */
export interface AuditRelease {
  lockPath: string;
  runId: string;
}

/** Appends one JSON line to the host's audit log, then releases this run's lock when asked. */
export async function appendRemoteAudit(conn: Connection, path: string, line: string, become?: Become, release?: AuditRelease): Promise<boolean> {
  const argv = ['/bin/sh', '-c', APPEND, 'sh', path, release?.lockPath ?? '', release?.runId ?? ''];
  const r = await conn.exec(argv, { stdin: `${line}\n`, become, ownScript: true });
  return r.rc === 0;
}
