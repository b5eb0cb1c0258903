// The controller's run log: every (masked) event of a run in its own file, and one audit line per host per run.
import { appendFileSync, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { eventLine, type RunEvent } from '../core/events.js';
import { isChanged } from '../core/result.js';
import { hostResult, type AuditRecord } from '../executor/audit.js';
import type { RunIdentity } from '../executor/context.js';
import type { View } from './view.js';

/** @defaultValue folder for run logs, relative to the working directory */
export const DEFAULT_LOG_DIR = '.omsrun/runs';

export function runLog(dir: string, id: RunIdentity, check: boolean): View & { file: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = id.started.replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}-${path.basename(id.playbook).replace(/\.ya?ml$/, '')}.jsonl`);
  const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
  const changed = new Map<string, string[]>();
  const listener = (e: RunEvent) => {
    out.write(eventLine(e));
    if (e.kind === 'host_task_result' && isChanged(e.result)) {
      changed.set(e.host, [...(changed.get(e.host) ?? []), e.task.name]);
    }
    if (e.kind === 'recap') {
      const lines = Object.entries(e.stats).map(([host, stats]) => {
        const record: AuditRecord = {
          time: new Date(e.time).toISOString(),
          run_id: id.id,
          user: id.user,
          controller: id.controller,
          playbook: id.playbook,
          host,
          check,
          result: hostResult(stats, e.interrupted),
          stats,
          changed_tasks: changed.get(host) ?? [],
        };
        return `${JSON.stringify(record)}\n`;
      });
      appendFileSync(path.join(dir, 'audit.jsonl'), lines.join(''), { mode: 0o600 });
    }
  };
  return { file, listener, close: () => new Promise((resolve) => out.end(resolve)) };
}
