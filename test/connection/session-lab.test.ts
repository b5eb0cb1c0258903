import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { omsrun, workdir } from '../cli/cli-helper.js';
import { labInventory, useSideLab } from '../lab/side-lab.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import type { SessionOptions } from '../../src/connection/ssh/session-pool.js';
import type { SshTarget } from '../../src/connection/ssh/target.js';
import { countChannels } from '../../scripts/lab/count-channels.js';
import { labEnabled, runOnHost, type Lab, type LabHost } from '../lab/lab-helper.js';

let lab: Lab;
let h1: LabHost;
const open: SshConnection[] = [];

function target(h: LabHost, over: Partial<SshTarget> = {}): SshTarget {
  return {
    host: h.name, address: h.ip, port: 22, user: 'root', privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict',
    knownHostsFile: lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000, ...over,
  };
}

/** A session connection whose exec channels (session channels included) are counted. */
interface Counted {
  c: SshConnection;
  channels: () => number;
}

async function sessionConn(over: Partial<SshTarget> = {}, session: SessionOptions = {}): Promise<Counted> {
  const c = new SshConnection(target(h1, over), { session });
  open.push(c);
  await c.connect();
  return { c, channels: countChannels(c) };
}

// The side lab's folder is private to root, so tester logs in with its password (sshd reads keys as the user).
function asTester(): Partial<SshTarget> {
  return { user: 'tester', privateKeyFile: undefined, password: lab.tester.password, authMethods: ['password'] };
}

async function gone(pattern: string): Promise<string> {
  return (await runOnHost(h1, `pgrep -f '${pattern}' || echo gone`)).stdout;
}

describe.skipIf(!labEnabled())('session transport against lab hosts', () => {
  // A private lab: these tests kill shells and process groups on their host.
  const side = useSideLab('seslab', 2, '/var/tmp/omsrun-session-lab');
  beforeAll(() => {
    lab = side.lab;
    h1 = lab.hosts[0] as LabHost;
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
  });

  it('runs many commands through one channel and one remote shell', async () => {
    const { c, channels } = await sessionConn();
    const parents = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const r = await c.exec(['sh', '-c', 'ps -o ppid= -p "$PPID"; echo "$0 $1"', 'zero', String(i)]);
      expect(r).toMatchObject({ rc: 0, stderr: '', timedOut: false });
      const [grandparent, echo] = r.stdout.trim().split('\n');
      expect(echo).toBe(`zero ${i}`);
      parents.add((grandparent as string).trim());
    }
    expect(channels()).toBe(1);
    expect(parents).toEqual(new Set([String(await c.sessions?.sessionPid(undefined))]));
    expect((await c.exec(['sh', '-c', 'exit 7'])).rc).toBe(7);
    expect(c.sessions?.opened).toBe(1);
  });

  it('gives each command its own stdin, env and cwd; hostile values arrive literally', async () => {
    const { c, channels } = await sessionConn();
    const hostile = ['; rm -rf /tmp/x', '$(touch /tmp/omsrun-ses-pwned)', '`id`', `it's "q"`, 'a\nb', '-n', '*', ''];
    const r = await c.exec(['printf', '%s|', ...hostile], { env: { V: '$(touch /tmp/omsrun-ses-pwned)' }, cwd: '/' });
    expect(r.stdout).toBe(`${hostile.join('|')}|`);
    expect((await c.exec(['sh', '-c', 'pwd; printf %s "$V"'], { env: { V: '$(x) `y`' }, cwd: '/tmp' })).stdout).toBe('/tmp\n$(x) `y`');
    expect((await c.exec(['pwd'])).stdout).toBe('/root\n');
    expect((await c.exec(['sh', '-c', 'printf %s "${V-unset}"'])).stdout).toBe('unset');
    const input = "line 1\n'quoted' $(x) `y`\n\\n no newline at the end";
    expect((await c.exec(['cat'], { stdin: input })).stdout).toBe(input);
    expect((await c.exec(['cat'], { stdin: Buffer.from('bytes\n') })).stdout).toBe('bytes\n');
    expect((await c.exec(['cat'])).stdout).toBe('');
    expect((await runOnHost(h1, 'test -e /tmp/omsrun-ses-pwned')).exitCode).toBe(1);
    expect(channels()).toBe(1);
  });

  it('passes output bytes unchanged, fake markers included, and streams lines as they come', async () => {
    const { c } = await sessionConn();
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const octal = [...bytes].map((b) => `\\0${b.toString(8).padStart(3, '0')}`).join('');
    const r = await c.exec(['sh', '-c', `printf '%b' "$1"; printf 'omsrun-end-x 0\\nomsrun-ready-x 1\\n' >&2`, 'sh', octal]);
    expect(r.stdout).toBe(bytes.toString('utf8'));
    expect(r.stderr).toBe('omsrun-end-x 0\nomsrun-ready-x 1\n');
    const sum = await c.exec(['sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" "a"; echo']);
    expect(createHash('sha256').update(sum.stdout).digest('hex')).toBe(createHash('sha256').update(`${'a'.repeat(300000)}\n`).digest('hex'));
    const lines: string[] = [];
    const seen: string[] = [];
    const live = await c.exec(['sh', '-c', 'echo one; echo two >&2; read go; echo three; printf tail'], {
      stdin: 'go\n',
      onLine: (s, l) => lines.push(`${s}:${l}`),
    });
    seen.push(...lines);
    expect(live).toMatchObject({ rc: 0, stdout: 'one\nthree\ntail', stderr: 'two\n' });
    expect(seen.filter((l) => l.startsWith('stdout'))).toEqual(['stdout:one', 'stdout:three', 'stdout:tail']);
    expect(seen).toContain('stderr:two');
  });

  it('a line reaches onLine while the command still runs', async () => {
    const { c } = await sessionConn();
    let first: string | undefined;
    let stillRunning = false;
    await c.exec(['sh', '-c', 'echo early; while [ ! -e /tmp/omsrun-ses-go ]; do sleep 0.05; done; rm -f /tmp/omsrun-ses-go'], {
      onLine: (_s, line) => {
        if (first !== undefined) return;
        first = line;
        void runOnHost(h1, 'pgrep -f "[o]msrun-ses-go" >/dev/null && echo yes').then((r) => {
          stillRunning = r.stdout === 'yes\n';
          return runOnHost(h1, 'touch /tmp/omsrun-ses-go');
        });
      },
    });
    expect(first).toBe('early');
    expect(stillRunning).toBe(true);
  });

  it('a timeout kills the command\'s whole process group (rc 124) and the session goes on', async () => {
    const { c, channels } = await sessionConn();
    const r = await c.exec(['sh', '-c', 'sleep 3281 & sleep 3282; echo never'], { timeoutMs: 300 });
    expect(r).toMatchObject({ rc: 124, timedOut: true, stdout: '' });
    expect(await gone('[s]leep 328[12]')).toBe('gone\n');
    expect((await c.exec(['echo', 'after'])).stdout).toBe('after\n');
    expect(channels()).toBe(1);
  });

  it('an abort kills the command and rejects as interrupted', async () => {
    const { c } = await sessionConn();
    const ac = new AbortController();
    const run = c.exec(['sh', '-c', 'sleep 3283 & sleep 3284'], { signal: ac.signal, onLine: () => undefined });
    setTimeout(() => ac.abort(), 300);
    await expect(run).rejects.toThrow('interrupted');
    expect(await gone('[s]leep 328[34]')).toBe('gone\n');
    expect((await c.exec(['true'])).rc).toBe(0);
  });

  it("runs omsrun's own scripts as session functions: defined once, killed with their children, parse errors as sh gives them", async () => {
    const { c, channels } = await sessionConn();
    const script = 'printf "%s|" "$#" "$@"; [ "$1" = fail ] && exit 3; echo';
    for (const args of [['a b', "it's"], ['x'], ['fail']]) {
      const r = await c.exec(['/bin/sh', '-c', script, 'sh', ...args], { ownScript: true });
      expect(r.stdout).toBe(`${args.length}|${args.join('|')}|${args[0] === 'fail' ? '' : '\n'}`);
      expect(r.rc).toBe(args[0] === 'fail' ? 3 : 0);
    }
    const t = await c.exec(['/bin/sh', '-c', 'sleep 3291 & (sleep 3292; :) ; echo never', 'sh'], { ownScript: true, timeoutMs: 300 });
    expect(t).toMatchObject({ rc: 124, timedOut: true, stdout: '' });
    expect(await gone('[s]leep 329[12]')).toBe('gone\n');
    const bad = await c.exec(['/bin/sh', '-c', 'if then fi', 'sh'], { ownScript: true });
    expect(bad.rc).toBe(2);
    expect(bad.stderr).toMatch(/syntax error/i);
    expect((await c.exec(['/bin/sh', '-c', 'echo "$1"', 'sh', 'after'], { ownScript: true })).stdout).toBe('after\n');
    expect(channels()).toBe(1);
  });

  it('become with a password: one sudo for many commands, the password on no command line', async () => {
    const { c, channels } = await sessionConn(asTester());
    const become = { user: 'root', password: lab.tester.password };
    for (let i = 0; i < 5; i++) expect((await c.exec(['id', '-u'], { become })).stdout).toBe('0\n');
    expect((await c.exec(['sh', '-c', 'id -un; cat'], { become, stdin: 'payload\n', cwd: '/root' })).stdout).toBe('root\npayload\n');
    expect((await c.exec(['id', '-un'])).stdout).toBe('tester\n');
    expect(channels()).toBe(2);
    const ps = await runOnHost(h1, 'ps -eo args');
    expect(ps.stdout).not.toContain(lab.tester.password);
    const t = await c.exec(['sh', '-c', 'sleep 3285'], { become, timeoutMs: 300 });
    expect(t).toMatchObject({ rc: 124, timedOut: true });
    expect(await gone('[s]leep 3285')).toBe('gone\n');
  });

  it('become without a password (sudo -n), and the same errors as exec channels', async () => {
    const root = await sessionConn();
    expect((await root.c.exec(['id', '-un'], { become: { user: 'tester' } })).stdout).toBe('tester\n');
    const tester = await sessionConn(asTester());
    await expect(tester.c.exec(['id'], { become: { user: 'root' } })).rejects.toThrow('sudo: a password is required to become root on h1 (set a become password)');
    await expect(tester.c.exec(['id'], { become: { user: 'root', password: 'nope' } })).rejects.toThrow('sudo: incorrect password for become user on h1');
    expect(tester.c.sessions?.fallback).toBeUndefined();
  });

  it('reopens the session after its shell was killed; a command in flight fails clearly', async () => {
    const { c, channels } = await sessionConn();
    expect((await c.exec(['true'])).rc).toBe(0);
    await runOnHost(h1, `kill -KILL ${await c.sessions?.sessionPid(undefined)}`);
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.exec(['echo', 'again'])).stdout).toBe('again\n');
    expect(c.sessions?.opened).toBe(2);
    const pid = await c.sessions?.sessionPid(undefined);
    const running = c.exec(['sh', '-c', 'echo started; sleep 3286'], { onLine: () => void runOnHost(h1, `pkill -KILL -s ${pid}; pkill -KILL -f "[s]leep 3286"`) });
    await expect(running).rejects.toThrow('h1: the remote session ended while running sh (its shell was killed?)');
    expect((await c.exec(['echo', 'third'])).stdout).toBe('third\n');
    expect(channels()).toBe(3);
  });

  it('runs under dash, bash and busybox sh', async () => {
    for (const shell of [['/bin/dash'], ['/bin/bash'], ['busybox', 'sh']]) {
      const { c, channels } = await sessionConn({}, { shell });
      const r = await c.exec(['sh', '-c', 'cat; pwd; printf "%s" "$V"; echo err >&2'], { stdin: "it's\n", cwd: '/tmp', env: { V: 'v' } });
      expect(r).toMatchObject({ rc: 0, stdout: "it's\n/tmp\nv", stderr: 'err\n' });
      const t = await c.exec(['sh', '-c', 'sleep 3287 & sleep 3288'], { timeoutMs: 300 });
      expect(t).toMatchObject({ rc: 124, timedOut: true });
      expect(await gone('[s]leep 328[78]')).toBe('gone\n');
      expect(channels()).toBe(1);
      expect(c.sessions?.fallback).toBeUndefined();
    }
  });

  it('falls back to exec channels when the shell cannot run a session', async () => {
    const cases: [SessionOptions, string][] = [
      [{ shell: ['unshare', '-m', 'sh', '-c', 'umount -l /proc && exec /bin/sh "$@"', 'sh'] }, '/proc/self/stat is not readable'],
      [{ shell: ['/bin/false'] }, 'the session shell exited with code 1'],
      [{ shell: ['/bin/sh', '-c', 'sleep 30', 'sh'], helloTimeoutMs: 500 }, 'no session hello within 500 ms'],
    ];
    for (const [options, why] of cases) {
      const { c, channels } = await sessionConn({}, options);
      expect((await c.exec(['echo', 'works'])).stdout).toBe('works\n');
      expect(c.sessions?.fallback).toBe(why);
      expect((await c.exec(['echo', 'again'])).stdout).toBe('again\n');
      expect(channels()).toBe(3);
    }
  });

  it('a command sent while the session is busy takes its own exec channel; so does stdin with NUL bytes', async () => {
    const { c, channels } = await sessionConn();
    const [a, b] = await Promise.all([c.exec(['sh', '-c', 'sleep 0.3; echo a']), c.exec(['echo', 'b'])]);
    expect([a.stdout, b.stdout]).toEqual(['a\n', 'b\n']);
    expect(channels()).toBe(2);
    expect((await c.exec(['cat'], { stdin: Buffer.from([0, 1, 2]) })).stdout).toBe('\0\x01\x02');
    expect(channels()).toBe(3);
  });

  it('the CLI runs a host through a session when its omsrun_session says so, and through channels otherwise', async () => {
    const inventory = labInventory(lab, { h1: { omsrun_session: true }, h2: { omsrun_session: 'no' } });
    const site = '- hosts: all\n  tasks:\n    - shell: ps -o args= -p "$PPID" > @DIR@/parent-{{ inventory_hostname }}\n';
    const dir = workdir({ 'inventory.yml': inventory, 'site.yml': site });
    const r = await omsrun(['site.yml', '-i', 'inventory.yml', '-l', 'h1,h2'], { cwd: dir, env: { OMSRUN_SESSION: '' } });
    expect(r.code).toBe(0);
    expect(readFileSync(`${dir}/parent-h1`, 'utf8')).toContain('token=$1 hello=$2');
    expect(readFileSync(`${dir}/parent-h2`, 'utf8')).not.toContain('token=$1');
  });
});
