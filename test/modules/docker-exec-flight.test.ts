// Single-flight docker_exec: the command lines it builds, the status lines it parses, and its scripts run for real
// under dash and busybox sh, with a stand-in `docker` on PATH whose `exec CONTAINER CMD...` runs CMD on this machine.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, InterruptedError } from '../../src/core/errors.js';
import { commandLabel } from '../../src/modules/support/docker-exec-flight.js';
import { dockerExecModule } from '../../src/modules/docker-exec.js';
import {
  FOLLOW_SCRIPT, RUNNER_SCRIPT, STOP_SCRIPT, flightDir, flightRunArgv, flightStopArgv, parseFlightLine,
} from '../../src/modules/support/flight-scripts.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { makeContext } from '../helpers/module-context.js';
import { runYaml } from '../helpers/run-playbook.js';

describe('single-flight command lines', () => {
  it('one docker exec: the scripts are constants, the command line comes after them as data', () => {
    const argv = flightRunArgv('oms', ['bash', '/root/docker_init.sh']);
    expect(argv).toEqual(['docker', 'exec', 'oms', 'sh', '-c', FOLLOW_SCRIPT, 'sh', RUNNER_SCRIPT, flightDir(['bash', '/root/docker_init.sh']), 'bash', '/root/docker_init.sh']);
    expect(flightDir(['bash', '/root/docker_init.sh'])).toMatch(/^\/tmp\/omsrun-exec\/[0-9a-f]{16}$/);
    const odd = ['sh', '-c', "echo '$(rm -rf /)'; `x`"];
    expect(flightRunArgv('oms', odd).slice(-3)).toEqual(odd);
    for (const script of [FOLLOW_SCRIPT, RUNNER_SCRIPT, STOP_SCRIPT]) expect(script).not.toContain('docker_init');
  });

  it('one state folder per command line', () => {
    expect(flightDir(['a', 'b c'])).not.toBe(flightDir(['a b', 'c']));
    expect(flightDir(['python', '-m', 'x'])).toBe(flightDir(['python', '-m', 'x']));
  });

  it('stop: TERM to the group, KILL after the grace seconds', () => {
    expect(flightStopArgv('oms', '/tmp/omsrun-exec/0123456789abcdef', 5)).toEqual(['docker', 'exec', 'oms', 'sh', '-c', STOP_SCRIPT, 'sh', '/tmp/omsrun-exec/0123456789abcdef', '5']);
  });

  it('labels name the script an interpreter runs', () => {
    expect(commandLabel(['bash', '/root/docker_init.sh'])).toBe('docker_init.sh');
    expect(commandLabel(['python', '-m', 'omsflow.scripts.units.oms_init_manager', '--init-config-file'])).toBe('python -m omsflow.scripts.units.oms_init_manager --init-config-file');
    expect(commandLabel(['supervisorctl', 'restart', 'oms_console', 'oms_drc_supervisor'])).toBe('supervisorctl restart oms_console oms_drc_supervisor');
    expect(commandLabel(['bash', '-c', `echo ${'x'.repeat(80)}`])).toBe(`bash -c 'echo ${'x'.repeat(63)}...`);
  });

  it('status lines parse; any other line is output', () => {
    expect(parseFlightLine('omsrun-exec: started 57 51806 2026-11-30T09:17:46Z')).toEqual({ kind: 'started', pid: '57', start: '51806', since: '2026-11-30T09:17:46Z' });
    expect(parseFlightLine('omsrun-exec: attached 57 51806 2026-11-30T09:17:46Z')).toMatchObject({ kind: 'attached', pid: '57' });
    expect(parseFlightLine('omsrun-exec: finished - - unknown')).toEqual({ kind: 'finished', pid: '-', start: '-', since: 'unknown' });
    expect(parseFlightLine('omsrun-exec: stale 57 2026-11-30T09:17:46Z')).toEqual({ kind: 'stale', pid: '57', since: '2026-11-30T09:17:46Z' });
    expect(parseFlightLine('omsrun-exec: rc 3')).toEqual({ kind: 'rc', rc: 3 });
    expect(parseFlightLine('omsrun-exec: rc x')).toBeUndefined();
    expect(parseFlightLine('omsrun-exec: killed 9')).toEqual({ kind: 'killed', pid: '9' });
    expect(parseFlightLine('omsrun-exec: not-running')).toEqual({ kind: 'not-running' });
    expect(parseFlightLine('omsrun-exec: error setsid is not installed in the container')).toEqual({ kind: 'error', text: 'setsid is not installed in the container' });
    expect(parseFlightLine('omsrun-exec: nonsense')).toBeUndefined();
    expect(parseFlightLine('ERROR omsrun-exec: rc 0')).toBeUndefined();
  });
});

const work = mkdtempSync(join(tmpdir(), 'omsrun-flight-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A bin folder whose `docker exec C CMD...` runs CMD here; for busybox, sh and the tools the scripts use are its applets.
function fakeBin(shell: 'dash' | 'busybox'): string {
  const bin = join(work, `bin-${shell}`);
  if (existsSync(bin)) return bin;
  mkdirSync(bin);
  // $FAKE_DOCKER/down: the engine does not answer; $FAKE_DOCKER/state: what inspect says of the container.
  writeFileSync(join(bin, 'docker'), [
    '#!/bin/sh',
    'f=${FAKE_DOCKER:-/nonexistent}',
    '[ -e "$f/down" ] && { echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1; }',
    'state=$(cat "$f/state" 2>/dev/null || echo running 0)',
    'case "$1" in',
    '  exec) [ "$state" = "running 0" ] || { echo "Error response from daemon: Container $2 is not running" >&2; exit 1; }; shift 2; exec "$@" ;;',
    '  version) echo 20.10.24 ;;',
    '  container) echo "$state" ;;',
    '  *) echo "fake docker: $*" >&2; exit 1 ;;',
    'esac',
    '',
  ].join('\n'), { mode: 0o755 });
  if (shell === 'busybox') {
    for (const applet of ['sh', 'setsid', 'tail', 'head', 'wc', 'sleep', 'date', 'mkdir', 'rm', 'rmdir', 'mv', 'cat', 'kill']) symlinkSync('/bin/busybox', join(bin, applet));
  } else symlinkSync('/bin/dash', join(bin, 'sh'));
  return bin;
}

const shells = (['dash', 'busybox'] as const).filter((s) => existsSync(`/bin/${s}`));

describe('why a failed command has no log tail', () => {
  const bin = fakeBin('dash');
  // The command fails and, as it ends, the engine stops answering or the container stops (the flag files).
  async function failAndThen(flag: 'down' | 'state', singleFlight: boolean): Promise<string | undefined> {
    const dir = mkdtempSync(join(work, 'fake-'));
    const ctx = makeContext({ env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, FAKE_DOCKER: dir } });
    const cmd = flag === 'down' ? `touch ${dir}/down; exit 1` : `echo exited 137 >${dir}/state; exit 1`;
    const out = await runModule(dockerExecModule, { container: 'c', cmd, single_flight: singleFlight, failure_log_glob: '/x/docker_init*.log' }, ctx);
    // With the engine "down", the state of the finished command could not be cleared: this machine is the container.
    rmSync(flightDir(['bash', '-c', cmd]), { recursive: true, force: true });
    return out.msg;
  }

  it.each([false, true])('says the engine stopped answering (single_flight %s)', async (singleFlight) => {
    expect(await failAndThen('down', singleFlight)).toBe('non-zero return code 1\nthe Docker engine on testhost stopped answering during the command (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?)');
  });

  it('says the container stopped, with its state and exit code', async () => {
    expect(await failAndThen('state', false)).toBe('non-zero return code 1\ncontainer c is no longer running (state: exited, exit code 137)');
  });

  it('still says when no log file matches', async () => {
    const ctx = makeContext({ env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    const out = await runModule(dockerExecModule, { container: 'c', cmd: 'exit 1', failure_log_glob: `${work}/none*.log` }, ctx);
    expect(out.msg).toBe(`non-zero return code 1\nno log file matches ${work}/none*.log in c`);
  });

  it('a lost connection says what may still run and that the next run waits for it', async () => {
    const ctx = makeContext({ env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    ctx.conn = { ...ctx.conn, host: 'testhost', exec: () => Promise.reject(new ConnectionError('testhost', 'connection lost')) };
    const err = await runModule(dockerExecModule, { container: 'oms', argv: ['bash', '/root/docker_init.sh'], single_flight: true }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe('testhost: connection lost; docker_init.sh may still be running in container oms; the next run waits for it and reports its outcome');
  });
});

describe.each(shells)('single-flight scripts under %s', (shell) => {
  const bin = fakeBin(shell);
  const env = { PATH: `${bin}:${process.env['PATH'] ?? ''}` };
  // A command unique to each test: it counts its starts in a file, prints its lines slowly, and exits with `rc`.
  function job(seconds: number, rc = 0): { argv: string[]; starts: () => number; file: string } {
    const file = join(work, `job-${randomBytes(4).toString('hex')}`);
    const script = `echo start >>"$1"; i=0; while [ $i -lt "$2" ]; do echo "line $i"; sleep 1; i=$((i + 1)); done; echo "all done"; exit "$3"`;
    return { argv: ['sh', '-c', script, 'job', file, String(seconds), String(rc)], file, starts: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0) };
  }
  const run = (argv: string[], over: Record<string, unknown> = {}, signal?: AbortSignal) => {
    const ctx = makeContext({ env, ...(signal ? { signal } : {}) });
    return { ctx, out: runModule(dockerExecModule, { container: 'c', argv, single_flight: true, ...over }, ctx) };
  };
  // The controller dies mid-command: the docker exec client and the follower go, the command stays.
  async function crashAfterStart(argv: string[]): Promise<void> {
    const [cmd, ...rest] = flightRunArgv('c', argv);
    const child = spawn(cmd as string, rest, { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve) => child.stderr.on('data', (b: Buffer) => b.toString().includes('omsrun-exec: started') && resolve()));
    process.kill(-(child.pid as number), 'SIGKILL');
  }
  const stateGone = (argv: string[]) => !existsSync(flightDir(argv));
  const running = (pid: string) => existsSync(`/proc/${pid}`) && !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

  it('runs the command once, streams its output, reports its code and clears its state', async () => {
    const j = job(1, 0);
    const { ctx, out } = run(j.argv, { expect_line: 'all done' });
    expect(await out).toMatchObject({ changed: true, rc: 0, stdout: 'line 0\nall done' });
    expect(ctx.logs.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['line 0', 'all done']);
    expect(j.starts()).toBe(1);
    expect(stateGone(j.argv)).toBe(true);
    const bad = job(0, 4);
    expect(await run(bad.argv).out).toMatchObject({ failed: true, rc: 4, msg: 'non-zero return code 4' });
  });

  it('a rerun attaches to the copy an earlier run left running, and it runs once', async () => {
    const j = job(3, 0);
    await crashAfterStart(j.argv);
    const { ctx, out } = run(j.argv, { expect_line: 'all done' });
    const o = await out;
    expect(o).toMatchObject({ changed: true, rc: 0, stdout: 'line 0\nline 1\nline 2\nall done' });
    expect(o.failed).toBeFalsy();
    expect(o.msg).toMatch(/^attached to the sh -c .* started at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by an earlier run \(pid \d+\); it ended with rc 0$/);
    expect(ctx.logs.find((l) => l.stream === 'warning')?.line).toMatch(/^attached to the .* by an earlier run \(pid \d+\) in container c: waiting for it; its output from the start, then its outcome$/);
    expect(j.starts()).toBe(1);
    expect(stateGone(j.argv)).toBe(true);
  });

  it('a result no run collected is reported once, then the command runs again', async () => {
    const j = job(1, 5);
    await crashAfterStart(j.argv);
    while (!existsSync(join(flightDir(j.argv), 'rc'))) await sleep(100);
    const collect = run(j.argv);
    const first = await collect.out;
    expect(first).toMatchObject({ failed: true, rc: 5, stdout: 'line 0\nall done' });
    expect(collect.ctx.logs.find((l) => l.stream === 'warning')?.line).toMatch(/^the sh -c .* started at \S+ by an earlier run in container c had ended: its output and outcome, reported once$/);
    expect(first.msg).toMatch(/^the sh -c .* started at \S+ by an earlier run had ended before this run: its outcome, reported once; non-zero return code 5$/);
    expect(j.starts()).toBe(1);
    expect(stateGone(j.argv)).toBe(true);
    expect(await run(j.argv).out).toMatchObject({ failed: true, rc: 5 });
    expect(j.starts()).toBe(2);
  });

  it('a copy that died without an exit code is started again', async () => {
    const j = job(0, 0);
    const dir = flightDir(j.argv);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pid'), `${process.pid} 1\n`);
    writeFileSync(join(dir, 'started'), '2026-01-01T00:00:00Z\n');
    const { ctx, out } = run(j.argv);
    expect(await out).toMatchObject({ changed: true, rc: 0 });
    expect(ctx.logs.find((l) => l.stream === 'warning')?.line).toMatch(new RegExp(`^the sh -c .*\\.\\.\\. started at 2026-01-01T00:00:00Z \\(pid ${process.pid}\\) in container c ended without an exit code \\(container restarted\\?\\): starting it again$`));
    expect(j.starts()).toBe(1);
  });

  it('Ctrl-C stops the command inside the container and says so', async () => {
    const j = job(30, 0);
    const abort = new AbortController();
    const { out } = run(j.argv, {}, abort.signal);
    while (!existsSync(join(flightDir(j.argv), 'pid'))) await sleep(50);
    const [pid] = readFileSync(join(flightDir(j.argv), 'pid'), 'utf8').split(' ');
    abort.abort();
    const err = await out.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as Error).message).toMatch(new RegExp(`^interrupted: stopped sh -c .* \\(pid ${pid}\\) in container c$`));
    expect(running(pid as string)).toBe(false);
    expect(stateGone(j.argv)).toBe(true);
  });

  it('the task timeout of a playbook stops it too, and the message says so', async () => {
    const j = job(30, 0);
    const task = { name: 'init', docker_exec: { container: 'c', argv: j.argv, single_flight: true }, timeout: 1, environment: env };
    const r = await runYaml(JSON.stringify([{ hosts: 'localhost', tasks: [task] }]));
    expect(r.results('init').localhost?.msg).toMatch(/^task timed out after 1 s: stopped sh -c .* \(pid \d+\) in container c$/);
    expect(stateGone(j.argv)).toBe(true);
  });

  it('the timeout stops it too', async () => {
    const j = job(30, 0);
    const o = await run(j.argv, { timeout: 1.5 }).out;
    expect(o).toMatchObject({ failed: true });
    expect(o.msg).toMatch(/^timed out after 1\.5 s: stopped sh -c .* \(pid \d+\) in container c$/);
    expect(stateGone(j.argv)).toBe(true);
  });

  it('a command that ignores TERM is killed after the grace period', () => {
    const dir = join(work, `state-${shell}`);
    mkdirSync(dir);
    const started = spawnSync('sh', ['-c', 'setsid sh -c "$1" sh "$2" sh -c \'trap "" TERM; sleep 30\' </dev/null >/dev/null 2>&1 & i=0; while [ ! -f "$2/pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done', 'sh', RUNNER_SCRIPT, dir], { env: { ...process.env, ...env } });
    expect(started.status).toBe(0);
    const [pid] = readFileSync(join(dir, 'pid'), 'utf8').split(' ');
    const [cmd, ...rest] = flightStopArgv('c', dir, 1);
    const stop = spawnSync(cmd as string, rest, { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(stop.stderr).toBe(`omsrun-exec: killed ${pid}\n`);
    expect(existsSync(dir)).toBe(false);
    const again = spawnSync(cmd as string, rest, { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(again.stderr).toBe('omsrun-exec: not-running\n');
  });
});
