// The top of the engine: plays in order, hosts connected once, batches, the recap.
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import pLimit from 'p-limit';
import type { Connection } from '../connection/connection.js';
import { didYouMean } from '../core/did-you-mean.js';
import { ConfigError, ConnectionError, OmsrunError } from '../core/errors.js';
import type { HostStats } from '../core/result.js';
import type { Vars } from '../inventory/model.js';
import { connectionSpec, withDefaultUser } from '../inventory/connection-vars.js';
import { selectHosts } from '../inventory/pattern.js';
import { getModule } from '../modules/support/registry.js';
import type { Play, Playbook, TaskNode } from '../playbook/model.js';
import { buildVars, inventoryLayers, magicVars } from '../template/vars.js';
import { createRunState, type ExecutorOptions, type RunState } from './context.js';
import { finishHost, lockHosts, markUnreachable, prepareHost, type HostLock } from './host-admin.js';
import { factsLayer } from './host-facts.js';
import { HostState } from './host-state.js';
import { PlayRun } from './play-run.js';
import { serialBatches } from './serial.js';

export interface RunSummary {
  stats: Record<string, HostStats>;
  interrupted: boolean;
  durationMs: number;
}

/** Runs every play of a playbook; host failures are data in the summary, never exceptions. */
export async function runPlaybook(playbook: Playbook, opts: ExecutorOptions): Promise<RunSummary> {
  const started = Date.now();
  const hosts = new Map<string, HostState>();
  const run = createRunState(opts, hosts);
  // Every running host task listens on the run's signal (Ctrl-C): one listener per fork is expected, not a leak.
  setMaxListeners(0, opts.signal);
  run.emit({ kind: 'run_start', playbook: playbook.file, check: opts.checkMode, diff: opts.diffMode });
  // A playbook with add_host or group_by may name groups that its earlier plays make: such a play's hosts are chosen
  // again when it starts, and hosts new to the run are connected and locked then.
  const dynamic = changesInventory(playbook);
  const plays = playbook.plays.map((play) => ({ play, hosts: selectedHosts(run, play, dynamic) }));
  let opening: Promise<void> | undefined;
  const open = () => (opening ??= openHosts(run, plays));
  const delegates = new Map<string, Promise<HostState>>();
  try {
    for (const [index, { play, hosts: atStart }] of plays.entries()) {
      if (opts.signal.aborted) break;
      const selected = dynamic ? selectedHosts(run, play, true) : atStart;
      const late = opening ? selected.filter((name) => !run.hosts.has(name)) : [];
      await runPlay(run, play, index, selected, async () => {
        await open();
        if (late.length > 0) await openHosts(run, [{ play, hosts: late }], selected);
      }, delegates);
    }
  } finally {
    await Promise.all([...hosts.values()].map((h) => finishHost(run, h, opts.signal.aborted).finally(() => h.close())));
    await Promise.all([...delegates.values()].map((d) => d.then((h) => h.close(), () => undefined)));
  }
  const stats: Record<string, HostStats> = {};
  for (const h of hosts.values()) stats[h.name] = h.stats;
  const durationMs = Date.now() - started;
  run.emit({ kind: 'recap', stats, durationMs, interrupted: opts.signal.aborted });
  return { stats, interrupted: opts.signal.aborted, durationMs };
}

interface PlayHosts {
  play: Play;
  /** The hosts the play selects, after --limit. */
  hosts: string[];
}

// With add_host or group_by in the playbook, a pattern naming what does not exist yet selects no host (for now).
function selectedHosts(run: RunState, play: Play, dynamic = false): string[] {
  const { opts } = run;
  let names: string[];
  try {
    names = selectHosts(opts.inventory, play.hosts, process.cwd());
  } catch (err) {
    if (!dynamic || !(err instanceof ConfigError)) throw err;
    names = [];
  }
  return names.filter((name) => !opts.limitHosts || opts.limitHosts.has(name));
}

function changesInventory(playbook: Playbook): boolean {
  const visit = (nodes: TaskNode[]): boolean =>
    nodes.some((n) => (n.kind === 'block' ? visit(n.block) || visit(n.rescue) || visit(n.always) : ['add_host', 'group_by'].includes(getModule(n.module)?.name ?? '')));
  return playbook.plays.some((p) => visit(p.tasks) || visit(p.handlers));
}

// `open` connects and locks every host of the run once, when the first play with hosts starts.
async function runPlay(run: RunState, play: Play, index: number, selected: string[], open: () => Promise<void>, delegates: Map<string, Promise<HostState>>): Promise<void> {
  const { opts } = run;
  const baseDir = path.dirname(path.resolve(play.file));
  const states = selected.map((name) => stateFor(run, name));
  const live = states.filter((h) => h.active);
  run.emit({ kind: 'play_start', play: play.name, hosts: live.map((h) => h.name), index });
  if (live.length === 0) {
    run.emit({ kind: 'warning', msg: `play "${play.name}": no hosts matched "${play.hosts}"${opts.limitHosts ? ' with --limit' : ''}` });
    run.emit({ kind: 'play_end', play: play.name });
    return;
  }
  const playHosts = live.map((h) => h.name);
  await open();
  for (const h of live) warnOtherUser(run, play, playHosts, h);
  const playRun = new PlayRun({
    run,
    play,
    playIndex: index,
    playHosts,
    baseDir,
    varsFor: (host, taskVars, loopVars, defaults) => varsFor(run, play, playHosts, host, taskVars, loopVars, defaults),
    delegateConnection: (name) => delegateConnection(run, play, delegates, name),
  });
  const batches = serialBatches(live, play.serial);
  for (const [i, batch] of batches.entries()) {
    if (opts.signal.aborted) break;
    const started = batch.filter((h) => h.active);
    await playRun.runBatch(started);
    // As Ansible does: a rolling play stops when every host of a batch failed, so one broken step is not repeated on
    // the hosts still to come (a batch whose hosts were all unreachable from the start ran nothing and does not count).
    const rest = batches.slice(i + 1).flat().filter((h) => h.active);
    if (started.length > 0 && started.every((h) => !h.active) && rest.length > 0) {
      const names = (hosts: HostState[]) => hosts.map((h) => h.name).join(', ');
      run.emit({ kind: 'warning', msg: `stopping play "${play.name}": every host of the batch failed (${names(started)}); not started on ${names(rest)}` });
      break;
    }
  }
  run.emit({ kind: 'play_end', play: play.name });
}

// delegate_to another inventory host: its connection in this run, or one opened for delegation (once per run, with
// the host's own variables); a host that cannot be reached fails the delegated task, not the task's host.
async function delegateConnection(run: RunState, play: Play, delegates: Map<string, Promise<HostState>>, name: string): Promise<Connection> {
  const own = run.hosts.get(name);
  if (own?.conn) return own.conn;
  if (!run.opts.inventory.hosts.has(name)) {
    const hint = didYouMean(name, run.opts.inventory.hosts.keys());
    throw new OmsrunError(`delegate_to: ${JSON.stringify(name)} is not a host of the inventory${hint ? ` (${hint})` : ''}`);
  }
  let opened = delegates.get(name);
  if (!opened) {
    const h = new HostState(name);
    opened = h.connect(() => run.opts.connect(name, playConnectionVars(play, varsFor(run, play, [], h, {})))).then(() => h);
    delegates.set(name, opened);
  }
  try {
    return (await opened).conn!;
  } catch (err) {
    if (err instanceof ConnectionError) throw new OmsrunError(`delegate_to ${name}: ${err.detail}`);
    throw err;
  }
}

function stateFor(run: RunState, name: string): HostState {
  let h = run.hosts.get(name);
  if (!h) {
    h = new HostState(name);
    run.hosts.set(name, h);
  }
  return h;
}

// Before the first task: connects every host of every play (each with the variables of the first play that selects
// it), then takes all their deploy locks or none, so a run never holds some of its hosts (serial batches included).
async function openHosts(run: RunState, plays: PlayHosts[], playHosts?: string[]): Promise<void> {
  const firstPlay = new Map<string, PlayHosts>();
  for (const p of plays) for (const name of p.hosts) if (!firstPlay.has(name)) firstPlay.set(name, p);
  const limit = pLimit(run.opts.forks);
  const locks = await Promise.all(
    [...firstPlay].map(([name, p]) => limit(() => connectHost(run, p.play, playHosts ?? p.hosts, stateFor(run, name)))),
  );
  if (!run.opts.signal.aborted) await lockHosts(run, locks.filter((l): l is HostLock => l !== undefined));
}

async function connectHost(run: RunState, play: Play, playHosts: string[], h: HostState): Promise<HostLock | undefined> {
  if (run.opts.signal.aborted || !h.active) return undefined;
  const started = Date.now();
  try {
    const vars = connectVars(run, play, playHosts, h);
    h.loginUser = connectionSpec(h.name, vars).user;
    await h.connect(() => run.opts.connect(h.name, vars));
    run.emit({ kind: 'verbose', level: 3, host: h.name, msg: `connected in ${Date.now() - started} ms` });
    return prepareHost(run, h, vars);
  } catch (err) {
    if (!(err instanceof OmsrunError)) throw err;
    markUnreachable(run, h, err);
    return undefined;
  }
}

// The host's variables as the play connects it: the play's remote_user where the inventory names no user.
function connectVars(run: RunState, play: Play, playHosts: string[], h: HostState): Vars {
  return playConnectionVars(play, varsFor(run, play, playHosts, h, {}));
}

// The play's remote_user and connection apply where the host's variables name none (variables win, as in Ansible).
function playConnectionVars(play: Play, vars: Vars): Vars {
  const withUser = withDefaultUser(vars, play.remoteUser);
  if (play.connection === undefined || withUser.ansible_connection !== undefined || withUser.connection !== undefined) return withUser;
  const out = Object.create(withUser) as Vars;
  out.ansible_connection = play.connection;
  return out;
}

// A host stays on the connection it opened for an earlier play: a later play's remote_user cannot change its user.
function warnOtherUser(run: RunState, play: Play, playHosts: string[], h: HostState): void {
  if (play.remoteUser === undefined || !h.conn || h.conn.capabilities.runsOnController) return;
  let user: string;
  try {
    user = connectionSpec(h.name, connectVars(run, play, playHosts, h)).user;
  } catch {
    return;
  }
  if (user === h.loginUser) return;
  run.emit({ kind: 'warning', host: h.name, msg: `play "${play.name}" asks for remote_user ${user}, but the host stays logged in as ${h.loginUser} (one connection per host per run): set ansible_user in the inventory instead` });
}

function varsFor(run: RunState, play: Play, playHosts: string[], host: HostState, taskVars: Vars, loopVars?: Vars, defaults?: Vars): Vars {
  const { opts } = run;
  const hostvarsOf = (name: string): Vars => {
    const other = run.hosts.get(name);
    return buildVars({
      ...inventoryLayers(opts.inventory, name),
      gatheredFacts: factsLayer(run, name, play.gatherFacts),
      varsFiles: play.varsFromFiles,
      playVars: play.vars,
      facts: other?.facts,
      extraVars: opts.extraVars,
      magic: magicVars({ inventory: opts.inventory, host: name, playHosts, checkMode: opts.checkMode, hostvarsOf }),
    });
  };
  return buildVars({
    roleDefaults: defaults,
    ...inventoryLayers(opts.inventory, host.name),
    gatheredFacts: factsLayer(run, host.name, play.gatherFacts),
    varsFiles: play.varsFromFiles,
    playVars: play.vars,
    facts: host.facts,
    taskVars: [taskVars],
    loopVars,
    extraVars: opts.extraVars,
    magic: magicVars({ inventory: opts.inventory, host: host.name, playHosts, checkMode: opts.checkMode, hostvarsOf }),
  });
}
