// `omsrun PLAYBOOK ...`: load and validate everything, pick a view, run, map the outcome to an exit code.
import { writeFile, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { connectionFactory } from './connection-factory.js';
import { LocalConnection } from '../connection/local.js';
import { EventBus } from '../core/events.js';
import { ExitCode } from '../core/errors.js';
import { Redactor } from '../core/secrets.js';
import { displayPath } from '../core/yaml-source.js';
import type { RunIdentity } from '../executor/context.js';
import { runPlaybook, type RunSummary } from '../executor/run-playbook.js';
import { runLog } from '../report/run-log.js';
import { resolveInventory } from '../inventory/load.js';
import { selectHosts } from '../inventory/pattern.js';
import { loadPlaybook } from '../playbook/load.js';
import { jsonView } from '../report/json-view.js';
import { plainView } from '../report/plain-view.js';
import type { View } from '../report/view.js';
import { loadExtraVars } from '../template/extra-vars.js';
import { setVaultSession, VaultSession, vaultPasswordSource, vaultSession } from '../vault/index.js';
import { listHosts, listTaskLines } from './listings.js';
import type { CliOptions } from './options.js';

export async function runCommand(playbookPath: string, o: CliOptions): Promise<void> {
  const cwd = process.cwd();
  const { passwordFile, environ } = vaultPasswordSource(o.vaultPasswordFile, o.vaultIds);
  setVaultSession(new VaultSession({ passwordFile, environ, prompt: Boolean(process.stdin.isTTY) }));
  const inventory = await resolveInventory(o.inventory, cwd);
  const playbook = await loadPlaybook(path.resolve(cwd, playbookPath));
  const extraVars = await loadExtraVars(o.extraVars, cwd, (text, file) => vaultSession().prepare(text, displayPath(file)));
  const limitHosts = o.limit ? new Set(selectHosts(inventory, o.limit, cwd)) : undefined;
  const out = process.stdout;
  if (o.syntaxCheck) {
    out.write(`playbook: ${playbookPath}: syntax OK (${playbook.plays.length} play${playbook.plays.length === 1 ? '' : 's'})\n`);
    return;
  }
  if (o.listHosts || o.listTasks) {
    const lines = o.listHosts ? listHosts(playbook, inventory, limitHosts, cwd) : listTaskLines(playbook, o);
    out.write(`${lines.join('\n')}\n`);
    return;
  }

  const redactor = new Redactor();
  for (const s of vaultSession().secrets) redactor.add(s);
  redactor.addFromVars(extraVars);
  for (const h of inventory.hosts.values()) redactor.addFromVars(h.vars);
  for (const g of inventory.groups.values()) for (const v of [g.vars, g.dirVars]) redactor.addFromVars(v);
  for (const p of playbook.plays) redactor.addFromVars({ ...p.varsFromFiles, ...p.vars });

  const interactive = Boolean(out.isTTY) && !process.env.CI && o.color && !o.json;
  const viewOptions = { color: o.color && Boolean(out.isTTY) && !process.env.NO_COLOR, verbosity: o.verbose, diff: o.diff, out };
  const view: View = o.json ? jsonView(out) : interactive ? (await import('../report/live-view.js')).liveView(viewOptions) : plainView(viewOptions);
  const bus = new EventBus();
  bus.on(view.listener);
  const identity = runIdentity(playbookPath);
  const log = runLog(path.resolve(cwd, o.logDir), identity, o.check);
  bus.on(log.listener);

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    process.stderr.write('\ninterrupted: stopping running commands, including single-flight commands inside containers; each task says what it stopped and what may still run (press Ctrl-C again to quit at once: nothing more is stopped)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (o.hostKeyChecking === 'off') {
    process.stderr.write('WARNING: SSH host key checking is OFF: connections can be intercepted without notice\n');
  }

  let summary: RunSummary;
  try {
    summary = await runPlaybook(playbook, {
      inventory,
      extraVars,
      checkMode: o.check,
      diffMode: o.diff,
      forks: o.forks,
      limitHosts,
      filter: { tags: o.tags, skipTags: o.skipTags },
      startAtTask: o.startAtTask,
      verbosity: o.verbose,
      redactor,
      connect: connectionFactory({ hostKeyPolicy: o.hostKeyChecking }),
      localConnection: () => new LocalConnection('localhost'),
      signal: controller.signal,
      emit: (e) => bus.emit(e),
      run: identity,
      lock: o.lock,
      lockWaitMs: o.lockWait * 1000,
      audit: true,
    });
  } catch (err) {
    // A bug ended the run: the view gives the terminal back (and what it held) before the error is printed.
    await view.close();
    await log.close();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await view.close();
  await log.close();
  await writeRetryFile(playbookPath, summary);
  process.exitCode = exitCodeOf(summary);
}

/** Who runs what: recorded in deploy locks, audit records and run logs. */
export function runIdentity(playbook: string): RunIdentity {
  return {
    id: randomUUID(),
    user: userInfo().username,
    controller: hostname(),
    playbook,
    started: new Date().toISOString(),
  };
}

/** 0 ok; 2 a task failed; 3 only unreachable hosts; 130 interrupted. */
export function exitCodeOf(s: RunSummary): number {
  if (s.interrupted) return ExitCode.interrupted;
  const all = Object.values(s.stats);
  if (all.some((h) => h.failed > 0)) return ExitCode.taskFailed;
  if (all.some((h) => h.unreachable > 0)) return ExitCode.unreachable;
  return ExitCode.ok;
}

/** PLAYBOOK.retry lists failed and unreachable hosts for `--limit @PLAYBOOK.retry`; removed after a clean run. */
async function writeRetryFile(playbookPath: string, s: RunSummary): Promise<void> {
  const file = playbookPath.replace(/\.ya?ml$/, '') + '.retry';
  const bad = Object.entries(s.stats)
    .filter(([, h]) => h.failed > 0 || h.unreachable > 0)
    .map(([name]) => name);
  if (bad.length) await writeFile(file, `${bad.join('\n')}\n`);
  else if (!s.interrupted) await rm(file, { force: true });
}
