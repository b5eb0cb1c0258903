// Two runs started together over the same hosts: one holds every lock and does all the work, the other stops (or
// waits) holding none; never a split, never a deadlock. Real sshd hosts, in-process runs and real CLI processes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionFactory } from '../../src/cli/connection-factory.js';
import { LocalConnection } from '../../src/connection/local.js';
import type { RunEvent } from '../../src/core/events.js';
import { Redactor } from '../../src/core/secrets.js';
import { runPlaybook, type RunSummary } from '../../src/executor/run-playbook.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/model.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import type { Playbook } from '../../src/playbook/model.js';
import { omsrun, type CliRun } from '../cli/cli-helper.js';
import { filesIn, inventoryOf, labEnabled, onHost, useSideLab, type LabHost, type SideLab } from './safety-lab.js';

// Each run marks every host, then (once, on the controller) waits for `go`, then marks every host again. The test
// creates `go` once one run has lost a lock or finished, or both are inside the play: a winner still holds its locks
// while the other run tries for them, and a double win (or a split) shows instead of hanging.
const PLAY = `- hosts: all
  tasks:
    - name: mark
      shell: echo {{ run_name }} >> /data/{{ trial }}.marks
    - name: hold
      wait_for: { path: "{{ go }}", timeout: 20, sleep: 0.02 }
      delegate_to: localhost
      run_once: true
    - name: mark again
      shell: echo {{ run_name }} >> /data/{{ trial }}.marks
`;

const HOLDER = (playbook: string, started: string) =>
  `tester@race-controller (pid ${process.pid}) running ${playbook} since ${started}`;
const lockMsg = (holder: string, host: string) =>
  `locked by another run: ${holder}; wait for it (--lock-wait SECONDS) or, if it crashed, release it with: omsrun unlock -i INVENTORY -l ${host}`;

interface Outcome {
  name: string;
  summary: RunSummary;
  events: RunEvent[];
  started: string;
}

interface Trial {
  id: string;
  /** The flag file the winner's hold task waits for, on the controller. */
  go: string;
}

let trials = 0;
function newTrial(side: SideLab): Trial {
  const id = `t${++trials}`;
  return { id, go: path.join(side.work, `${id}.go`) };
}

class Runner {
  constructor(
    readonly inventory: Inventory,
    readonly playbook: Playbook,
  ) {}

  // One run in this process, as the CLI would start it; `onHold` fires when its play reaches the hold task, `onLost` when a host lost its lock.
  run(trial: Trial, name: string, o: { limit?: string[]; lockWaitMs?: number; onHold?: () => void; onLost?: () => void }): Promise<Outcome> {
    const events: RunEvent[] = [];
    const started = new Date().toISOString();
    return runPlaybook(this.playbook, {
      inventory: this.inventory,
      extraVars: { run_name: name, trial: trial.id, go: trial.go },
      checkMode: false,
      diffMode: false,
      forks: 10,
      limitHosts: o.limit ? new Set(o.limit) : undefined,
      filter: {},
      verbosity: 0,
      redactor: new Redactor(),
      connect: connectionFactory(),
      localConnection: () => new LocalConnection('localhost'),
      signal: new AbortController().signal,
      emit: (e) => {
        events.push(e);
        if (e.kind === 'task_start' && e.task.name === 'hold') o.onHold?.();
        if (e.kind === 'host_task_result' && e.task.name === 'deploy lock') o.onLost?.();
      },
      run: { id: `${trial.id}-${name}`, user: 'tester', controller: 'race-controller', playbook: `${name}.yml`, started },
      lock: true,
      lockWaitMs: o.lockWaitMs ?? 0,
      audit: true,
    }).then((summary) => ({ name, summary, events, started }));
  }
}

// Starts two runs together and creates `go` (see PLAY).
async function race(trial: Trial, start: (o: { onHold: () => void; onLost: () => void }) => [Promise<Outcome>, Promise<Outcome>]): Promise<[Outcome, Outcome]> {
  let holding = 0;
  const go = () => writeFileSync(trial.go, '');
  const runs = start({ onHold: () => ++holding === 2 && go(), onLost: go });
  await Promise.race(runs).then(go, go);
  return Promise.all(runs);
}

const marks = (h: LabHost, trial: Trial): string[] => {
  const p = onHost(h, `/data/${trial.id}.marks`);
  return existsSync(p) ? readFileSync(p, 'utf8').trim().split('\n') : [];
};
const ok = (o: Outcome) => Object.values(o.summary.stats).every((s) => s.failed === 0 && s.unreachable === 0);
const lockResults = (o: Outcome) =>
  Object.fromEntries(
    o.events.flatMap((e) => (e.kind === 'host_task_result' && e.task.name === 'deploy lock' ? [[e.host, e.result.msg]] : [])),
  );
const ranTasks = (o: Outcome) => o.events.filter((e) => e.kind === 'host_task_start').length;

function expectNoLockLeft(side: SideLab): void {
  for (const h of side.lab.hosts) expect(existsSync(onHost(h, '/run/omsrun.lock')), `lock left on ${h.name}`).toBe(false);
}

// One winner that did everything on each of its hosts, one loser that did nothing and names the winner on each host.
function expectOneWinner(side: SideLab, trial: Trial, pair: Outcome[], hostsOf: (o: Outcome) => string[]): void {
  const winners = pair.filter(ok);
  expect(winners.map((w) => w.name), `trial ${trial.id}: exactly one run succeeds`).toHaveLength(1);
  const winner = winners[0]!;
  const loser = pair.find((o) => o !== winner)!;
  expect(ranTasks(loser), `trial ${trial.id}: the loser ran nothing`).toBe(0);
  const holder = HOLDER(`${winner.name}.yml`, winner.started);
  const loserHosts = hostsOf(loser);
  const msgs = lockResults(loser);
  expect(Object.keys(msgs).sort()).toEqual(loserHosts);
  expectLoserMessages(trial, msgs, holder);
  for (const s of Object.values(loser.summary.stats)) expect(s).toMatchObject({ ok: 0, changed: 0, failed: 1 });
  for (const h of side.lab.hosts) {
    expect(marks(h, trial), `trial ${trial.id} on ${h.name}`).toEqual(hostsOf(winner).includes(h.name) ? [winner.name, winner.name] : []);
  }
  expectNoLockLeft(side);
}

// Each host names the holder on its own lock, or (its lock free when looked at) the host whose lock stopped the run.
function expectLoserMessages(trial: Trial, msgs: Record<string, string | undefined>, holder: string): void {
  const blocked = Object.keys(msgs).filter((host) => msgs[host] === lockMsg(holder, host));
  expect(blocked.length, `trial ${trial.id}: ${JSON.stringify(msgs)}`).toBeGreaterThan(0);
  for (const [host, msg] of Object.entries(msgs)) {
    expect(blocked.flatMap((b) => [lockMsg(holder, host), `not started: ${b} is ${lockMsg(holder, b)}`])).toContain(msg);
  }
}

describe.skipIf(!labEnabled())('deploy locks: two simultaneous runs, all locks or none', () => {
  const side = useSideLab('lkrace', 3);
  const all = ['h1', 'h2', 'h3'];
  let runner: Runner;
  let dir = '';

  const setUp = async () => {
    if (runner) return;
    dir = filesIn(side, { 'inventory.yml': inventoryOf(side.lab), 'site.yml': PLAY });
    runner = new Runner(await loadInventory(path.join(dir, 'inventory.yml')), await loadPlaybook(path.join(dir, 'site.yml')));
  };

  it('100 trials in one process: exactly one run works on every host, the other stops naming it, no lock left', async () => {
    await setUp();
    for (let i = 0; i < 100; i++) {
      const trial = newTrial(side);
      const pair = await race(trial, (o) => [runner.run(trial, 'a', o), runner.run(trial, 'b', o)]);
      expectOneWinner(side, trial, pair, () => all);
    }
  }, 120_000);

  it('with --lock-wait both runs finish, one after the other on every host; the one that waits names the other', async () => {
    await setUp();
    let waits = 0;
    for (let i = 0; i < 5; i++) {
      const trial = newTrial(side);
      writeFileSync(trial.go, '');
      const pair = await Promise.all([runner.run(trial, 'a', { lockWaitMs: 20_000 }), runner.run(trial, 'b', { lockWaitMs: 20_000 })]);
      expect(pair.map(ok), `trial ${trial.id}`).toEqual([true, true]);
      const order = marks(side.lab.hosts[0]!, trial);
      expect([['a', 'a', 'b', 'b'], ['b', 'b', 'a', 'a']]).toContainEqual(order);
      for (const h of side.lab.hosts) expect(marks(h, trial), `trial ${trial.id} on ${h.name}`).toEqual(order);
      for (const o of pair) {
        const other = pair.find((p) => p !== o)!;
        for (const e of o.events) {
          if (e.kind !== 'warning') continue;
          expect(e.msg).toBe(`locked by another run: ${HOLDER(`${other.name}.yml`, other.started)}; waiting up to 20 s for it (--lock-wait)`);
          waits++;
        }
      }
      expectNoLockLeft(side);
    }
    expect(waits).toBeGreaterThan(0);
  }, 120_000);

  it('partial overlap (h1 h2 against h2 h3): one run does all of its hosts, the other none of its own', async () => {
    await setUp();
    const hostsOf = (o: Outcome) => (o.name === 'a' ? ['h1', 'h2'] : ['h2', 'h3']);
    for (let i = 0; i < 10; i++) {
      const trial = newTrial(side);
      const pair = await race(trial, (o) => [runner.run(trial, 'a', { ...o, limit: ['h1', 'h2'] }), runner.run(trial, 'b', { ...o, limit: ['h2', 'h3'] })]);
      expectOneWinner(side, trial, pair, hostsOf);
    }
  }, 60_000);

  it('5 trials of two CLI processes: exit 0 and exit 2 with the holder on each host, no split, no lock left', async () => {
    await setUp();
    for (let i = 0; i < 5; i++) {
      const trial = newTrial(side);
      const holding = new Set<string>();
      const go = () => writeFileSync(trial.go, '');
      const cli = (name: string): Promise<CliRun> =>
        omsrun(['site.yml', '-i', 'inventory.yml', '-e', `run_name=${name}`, '-e', `trial=${trial.id}`, '-e', `go=${trial.go}`], {
          cwd: dir,
          isolate: false,
          onStdout: (text) => {
            if (text.includes('TASK [hold]') && holding.add(name).size === 2) go();
            if (/^failed: \[\w+\] => (locked by another run|not started): /m.test(text)) go();
          },
        });
      const runs = [cli('a'), cli('b')];
      await Promise.race(runs).then(go, go);
      const [a, b] = await Promise.all(runs);
      const codes = [a!.code, b!.code].sort();
      expect(codes, `trial ${trial.id}: ${a!.stdout}\n${b!.stdout}`).toEqual([0, 2]);
      const [winner, loser] = a!.code === 0 ? ['a', b!] : ['b', a!];
      expect(loser.stdout).not.toContain('TASK [mark]');
      const msgs = Object.fromEntries([...loser.stdout.matchAll(/^failed: \[(\w+)\] => (.*)$/gm)].map((m) => [m[1], m[2]]));
      expect(Object.keys(msgs).sort()).toEqual(all);
      const holder = /locked by another run: (.+?); wait for it/.exec(msgs.h1!)?.[1] ?? '';
      expect(holder).toMatch(/^\S+@\S+ \(pid \d+\) running site\.yml since \S+$/);
      expectLoserMessages(trial, msgs, holder);
      for (const h of side.lab.hosts) expect(marks(h, trial)).toEqual([winner, winner]);
      expectNoLockLeft(side);
    }
  }, 60_000);
});
