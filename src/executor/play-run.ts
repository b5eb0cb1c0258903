// One play on one batch of hosts: strategies, blocks with rescue/always, run_once, handlers.
import pLimit from 'p-limit';
import type { Connection } from '../connection/connection.js';
import type { TaskRef } from '../core/events.js';
import { isChanged, isFailed, type TaskResult } from '../core/result.js';
import type { AddHostData } from '../modules/add-host.js';
import type { MetaAction } from '../modules/meta.js';
import { joinGroups } from '../inventory/inventory-data.js';
import { inventoryChanged } from '../template/vars.js';
import type { Play, Task, TaskNode } from '../playbook/model.js';
import type { RunState } from './context.js';
import { addModuleFacts } from './host-facts.js';
import type { HostState } from './host-state.js';
import type { Facts } from '../facts/parse.js';
import { innerScope, playScope, type Scope } from './scope.js';
import { filterNodes } from '../playbook/select-tasks.js';
import { registerValue } from './task-result.js';
import { flagValue } from './task-keywords.js';
import { delegateOf, renderContext, runTaskOnHost, type TaskPlay, type TaskRun } from './task-runner.js';

export interface PlayRunOptions {
  run: RunState;
  play: Play;
  playIndex: number;
  /** Every host of the play (all batches), for `play_hosts`. */
  playHosts: string[];
  baseDir: string;
  varsFor: TaskPlay['varsFor'];
  /** Connections to delegated hosts, shared by the run. */
  delegateConnection: TaskPlay['delegateConnection'];
}

export class PlayRun implements TaskPlay {
  readonly run: RunState;
  readonly play: Play;
  readonly baseDir: string;
  readonly varsFor: PlayRunOptions['varsFor'];
  readonly delegateConnection: PlayRunOptions['delegateConnection'];
  private readonly playIndex: number;
  private aborted = false;
  /** meta: end_batch: nothing more runs in this batch. */
  private batchEnded = false;
  /** meta: end_host: hosts done with this play. */
  private readonly ended = new Set<HostState>();
  private batch: HostState[] = [];
  private local?: Connection;

  constructor(o: PlayRunOptions) {
    this.run = o.run;
    this.play = o.play;
    this.playIndex = o.playIndex;
    this.baseDir = o.baseDir;
    this.varsFor = o.varsFor;
    this.delegateConnection = o.delegateConnection;
  }

  localConnection(): Connection {
    this.local ??= this.run.opts.localConnection();
    return this.local;
  }

  /** Runs the play's tasks and then its notified handlers on one batch. */
  async runBatch(batch: HostState[]): Promise<void> {
    const scope = playScope(this.play);
    const tasks = filterNodes(this.play.tasks, this.run.opts.filter);
    this.batch = batch;
    this.batchEnded = false;
    if (this.play.strategy === 'free') {
      const limit = pLimit(this.run.opts.forks);
      await Promise.all(batch.map((h) => limit(() => this.runNodes(tasks, [h], scope))));
    } else {
      await this.runNodes(tasks, batch, scope);
    }
    await this.runHandlers(batch, scope);
    await this.local?.close();
    this.local = undefined;
  }

  private stopped(): boolean {
    return this.aborted || this.batchEnded || this.run.opts.signal.aborted;
  }

  private live(hosts: HostState[]): HostState[] {
    return hosts.filter((h) => h.active && !this.ended.has(h));
  }

  private async runNodes(nodes: readonly TaskNode[], hosts: HostState[], scope: Scope): Promise<void> {
    for (const node of nodes) {
      const active = this.live(hosts);
      if (active.length === 0 || this.stopped()) return;
      if (node.kind === 'task') await this.runTask(node, active, innerScope(scope, node));
      else await this.runBlock(node, active, innerScope(scope, node));
    }
  }

  private async runBlock(node: Extract<TaskNode, { kind: 'block' }>, hosts: HostState[], scope: Scope): Promise<void> {
    const failedBefore = new Map(hosts.map((h) => [h, h.stats.failed]));
    await this.runNodes(node.block, hosts, scope);
    const failedInBlock = hosts.filter((h) => h.failed && !h.unreachable);
    if (node.rescue.length && failedInBlock.length && !this.stopped()) {
      for (const h of failedInBlock) h.failed = false;
      await this.runNodes(node.rescue, failedInBlock, scope);
      for (const h of failedInBlock) {
        if (h.failed) continue;
        h.stats.failed = failedBefore.get(h) ?? 0;
        h.stats.rescued++;
      }
    }
    if (node.always.length && !this.run.opts.signal.aborted) {
      const reachable = hosts.filter((h) => !h.unreachable);
      const wasFailed = new Map(reachable.map((h) => [h, h.failed]));
      for (const h of reachable) h.failed = false;
      await this.runNodes(node.always, reachable, scope);
      for (const h of reachable) h.failed ||= wasFailed.get(h) ?? false;
    }
  }

  private async runTask(task: Task, hosts: HostState[], scope: Scope, handler = false): Promise<void> {
    if (!this.run.started && !handler) {
      if (task.name !== this.run.opts.startAtTask) return;
      this.run.started = true;
    }
    const taskRun: TaskRun = { task, scope, ref: { ...this.ref(task), handler } };
    const targets = this.runsOnce(taskRun, hosts) ? hosts.slice(0, 1) : hosts;
    this.run.emit({ kind: 'task_start', play: this.play.name, task: taskRun.ref, hosts: targets.map((h) => h.name) });
    const limit = pLimit(Math.min(this.run.opts.forks, scope.throttle ?? Infinity));
    const results = await Promise.all(targets.map((h) => limit(() => this.runOn(taskRun, h, hosts))));
    this.checkFailureLimits();
    this.changeInventory(targets, results);
    if (task.module !== 'meta') return;
    const ran = targets.filter((_h, i) => results[i]?.status === 'ok');
    const action = results.find((r) => r?.status === 'ok')?.data?.meta as MetaAction | undefined;
    if (action) await this.meta(action, ran, scope);
  }

  // add_host and group_by: what their results ask for joins the run's inventory (loop items each), for later plays.
  private changeInventory(targets: HostState[], results: (TaskResult | undefined)[]): void {
    let changed = false;
    results.forEach((result, i) => {
      for (const r of result ? [result, ...(result.results ?? [])] : []) {
        if (isFailed(r) || r.status === 'skipped') continue;
        const added = r.data?.add_host as AddHostData | undefined;
        if (added) joinGroups(this.run.opts.inventory, added.host_name, added.groups, { vars: added.host_vars });
        const group = r.data?.add_group;
        if (typeof group === 'string') joinGroups(this.run.opts.inventory, targets[i]!.name, [group], { parents: r.data?.parent_groups as string[] });
        changed ||= Boolean(added) || typeof group === 'string';
      }
    });
    if (changed) inventoryChanged(this.run.opts.inventory);
  }

  // What a meta task asks for, on the hosts where it ran (its `when` held).
  private async meta(action: MetaAction, hosts: HostState[], scope: Scope): Promise<void> {
    switch (action) {
      case 'flush_handlers':
        return this.runHandlers(this.batch, scope);
      case 'end_play':
        this.aborted = true;
        return;
      case 'end_batch':
        this.batchEnded = true;
        return;
      case 'end_host':
        for (const h of hosts) this.ended.add(h);
        return;
      case 'clear_host_errors':
        for (const h of this.batch) if (!h.unreachable) h.failed = false;
        return;
      case 'clear_facts':
        for (const h of hosts) [h.gathered, h.gathering] = [undefined, undefined];
        return;
      case 'reset_connection':
        await Promise.all(hosts.map((h) => this.reconnect(h)));
        return;
      default:
        return;
    }
  }

  // run_once, or a module that runs once for the play by nature (pause, add_host). run_once written as a template is
  // read with the first host's variables; one that cannot be read runs everywhere, where each host's task fails naming
  // the keyword.
  private runsOnce(taskRun: TaskRun, hosts: HostState[]): boolean {
    const { scope } = taskRun;
    if (taskRun.task.moduleRunsOnce) return true;
    if (typeof scope.runOnce !== 'string') return scope.runOnce === true;
    const first = hosts[0];
    if (!first) return false;
    try {
      return flagValue(scope.runOnce, 'run_once', this.varsFor(first, scope.vars, undefined, scope.defaults), renderContext(taskRun)) === true;
    } catch {
      return false;
    }
  }

  // A new login (new group memberships apply, as after Ansible's reset_connection); a host that cannot log in again is unreachable.
  private async reconnect(h: HostState): Promise<void> {
    const conn = h.conn;
    if (!conn) return;
    await conn.close();
    try {
      await conn.connect();
    } catch (err) {
      h.unreachable = true;
      h.stats.unreachable++;
      this.run.emit({ kind: 'warning', host: h.name, msg: `reset_connection: cannot connect again: ${(err as Error).message}` });
    }
  }

  private async runOn(taskRun: TaskRun, host: HostState, peers: HostState[]): Promise<TaskResult | undefined> {
    if (this.stopped()) return undefined;
    this.run.emit({ kind: 'host_task_start', host: host.name, task: taskRun.ref });
    const result: TaskResult = await runTaskOnHost(this, taskRun, host);
    this.record(taskRun, host, result, this.factsHost(taskRun, host));
    if (this.runsOnce(taskRun, peers) && taskRun.task.register) {
      const value = registerValue(result);
      for (const peer of peers) peer.facts[taskRun.task.register] = value;
    }
    return result;
  }

  // delegate_facts: the facts a delegated task sets belong to the host it ran on, when that host is in the run.
  private factsHost(taskRun: TaskRun, host: HostState): HostState {
    const { scope } = taskRun;
    if (!scope.delegateFacts || scope.delegateTo === undefined) return host;
    let target: string | undefined;
    try {
      target = delegateOf(scope, this.varsFor(host, scope.vars, undefined, scope.defaults), renderContext(taskRun));
    } catch {
      return host;
    }
    const other = target === undefined ? undefined : this.run.hosts.get(target);
    if (other) return other;
    if (target !== undefined && target !== host.name) this.run.emit({ kind: 'warning', host: host.name, msg: `delegate_facts: ${target} is not a host of this run; the facts stay on ${host.name}` });
    return host;
  }

  private record(taskRun: TaskRun, host: HostState, result: TaskResult, factsHost: HostState = host): void {
    const { task } = taskRun;
    const stats = host.stats;
    stats.durationMs += result.durationMs;
    if (task.register) host.facts[task.register] = registerValue(result);
    for (const r of [result, ...(result.results ?? [])]) {
      const facts = r.data?.facts;
      if (!isFailed(r) && facts && typeof facts === 'object') Object.assign(factsHost.facts, facts);
      const moduleFacts = task.module !== 'setup' ? r.data?.ansible_facts : undefined;
      if (!isFailed(r) && moduleFacts && typeof moduleFacts === 'object') addModuleFacts(factsHost, moduleFacts as Facts);
    }
    if (result.status === 'unreachable') {
      stats.unreachable++;
      host.unreachable = true;
      void host.close();
    } else if (result.status === 'skipped') stats.skipped++;
    else if (isFailed(result) && result.ignored) stats.ignored++;
    else if (isFailed(result)) {
      stats.failed++;
      host.failed = true;
    } else {
      stats.ok++;
      if (isChanged(result)) {
        stats.changed++;
        host.changedTasks.push(taskRun.ref.name);
        for (const n of task.notify) host.notified.add(n);
      }
    }
    this.run.emit({ kind: 'host_task_result', host: host.name, task: taskRun.ref, result });
  }

  private checkFailureLimits(): void {
    const hosts = this.batch;
    const failed = hosts.filter((h) => h.failed || h.unreachable).length;
    if (failed === 0) return;
    if (this.play.anyErrorsFatal) this.abort('any_errors_fatal: a host failed');
    const max = this.play.maxFailPercentage;
    if (max !== undefined && (failed / hosts.length) * 100 > max) {
      this.abort(`max_fail_percentage ${max}% exceeded: ${failed} of ${hosts.length} hosts failed`);
    }
  }

  private abort(reason: string): void {
    if (this.aborted) return;
    this.aborted = true;
    this.run.emit({ kind: 'warning', msg: `stopping play "${this.play.name}": ${reason}` });
  }

  private async runHandlers(batch: HostState[], scope: Scope): Promise<void> {
    for (const handler of this.play.handlers) {
      const names = [handler.name, ...(handler.listen ?? [])].filter(Boolean) as string[];
      const hosts = this.live(batch).filter((h) => names.some((n) => h.notified.has(n)));
      if (hosts.length === 0 || this.stopped()) continue;
      await this.runTask(handler, hosts, innerScope(scope, handler), true);
    }
    for (const h of batch) h.notified.clear();
  }

  private ref(task: Task): TaskRef {
    return {
      id: `${this.playIndex}${task.keyPath}`,
      name: task.name ?? task.module,
      module: task.module,
      file: task.pos.file,
      line: task.pos.line,
    };
  }
}
