// Runs a playbook in-process the way the CLI does, over local connections, and keeps every event.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { connectionFactory } from '../../src/cli/connection-factory.js';
import { LocalConnection } from '../../src/connection/local.js';
import type { RunEvent } from '../../src/core/events.js';
import { Redactor } from '../../src/core/secrets.js';
import type { TaskResult } from '../../src/core/result.js';
import type { ConnectionFactory } from '../../src/executor/context.js';
import { runPlaybook, type RunSummary } from '../../src/executor/run-playbook.js';
import { implicitInventory, loadInventory } from '../../src/inventory/load.js';
import { selectHosts } from '../../src/inventory/pattern.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { vaultSession } from '../../src/vault/index.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Three hosts that all run on the controller, in groups `web` (h1, h2) and `db` (h3). */
export const LOCAL_HOSTS = `all:
  vars:
    ansible_connection: local
  children:
    web:
      hosts:
        h1:
        h2:
    db:
      hosts:
        h3:
`;

export interface RunOptions {
  files?: Record<string, string>;
  inventory?: string;
  extraVars?: Record<string, unknown>;
  check?: boolean;
  diff?: boolean;
  tags?: string[];
  skipTags?: string[];
  startAtTask?: string;
  limit?: string;
  forks?: number;
  signal?: AbortSignal;
  secrets?: string[];
  /** Take deploy locks (set omsrun_lock_path in extraVars to keep tests apart). @defaultValue false */
  lock?: boolean;
  /** Append audit records on the hosts. @defaultValue false */
  audit?: boolean;
  /** Opens each host's connection. @defaultValue the CLI's factory (local connections for these inventories) */
  connect?: ConnectionFactory;
}

export interface RunOutput {
  dir: string;
  events: RunEvent[];
  summary: RunSummary;
  /** Results of one task (by name) per host. */
  results(task: string): Record<string, TaskResult>;
  /** Names of tasks that produced a result on `host`, in order. */
  ran(host: string): string[];
}

// Writes the playbook (and extra files) to a temp folder and runs it; `{{dir}}` in texts becomes that folder.
export async function runYaml(playbook: string, o: RunOptions = {}): Promise<RunOutput> {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'omsrun-exec-')));
  made.push(dir);
  const write = (rel: string, text: string) => {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text.replaceAll('@DIR@', dir));
  };
  write('site.yml', playbook);
  for (const [rel, text] of Object.entries(o.files ?? {})) write(rel, text);
  if (o.inventory) write('hosts.yml', o.inventory);
  const inventory = o.inventory ? await loadInventory(path.join(dir, 'hosts.yml')) : implicitInventory();
  const pb = await loadPlaybook(path.join(dir, 'site.yml'));
  const redactor = new Redactor();
  for (const s of o.secrets ?? []) redactor.add(s);
  for (const s of vaultSession().secrets) redactor.add(s);
  const events: RunEvent[] = [];
  const summary = await runPlaybook(pb, {
    inventory,
    extraVars: o.extraVars ?? {},
    checkMode: o.check ?? false,
    diffMode: o.diff ?? false,
    forks: o.forks ?? 10,
    limitHosts: o.limit ? new Set(selectHosts(inventory, o.limit, dir)) : undefined,
    filter: { tags: o.tags, skipTags: o.skipTags },
    startAtTask: o.startAtTask,
    verbosity: 0,
    redactor,
    connect: o.connect ?? connectionFactory(),
    localConnection: () => new LocalConnection('localhost'),
    signal: o.signal ?? new AbortController().signal,
    emit: (e) => events.push(e),
    run: { id: `test-${path.basename(dir)}`, user: 'tester', controller: 'test', playbook: 'site.yml', started: new Date().toISOString() },
    lock: o.lock ?? false,
    lockWaitMs: 0,
    audit: o.audit ?? false,
  });
  const resultEvents = events.filter((e): e is Extract<RunEvent, { kind: 'host_task_result' }> => e.kind === 'host_task_result');
  return {
    dir,
    events,
    summary,
    results: (task) => Object.fromEntries(resultEvents.filter((e) => e.task.name === task).map((e) => [e.host, e.result])),
    ran: (host) => resultEvents.filter((e) => e.host === host).map((e) => e.task.name),
  };
}
