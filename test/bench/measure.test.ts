import { describe, expect, it } from 'vitest';
import { measure, type Measured } from '../../scripts/bench/measure.js';
import { parsePyinfraResults } from '../../scripts/bench/pyinfra.js';
import { omsrunCommand, parseRecap, stateDifferences } from '../../scripts/bench/tools.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCheckLines, ratioLines } from '../../scripts/bench/report.js';
import { hostCpuMeter } from '../../scripts/bench/host-cpu.js';
import { spawn } from 'node:child_process';
import { labEnabled } from '../lab/lab-helper.js';

describe('bench measurements', () => {
  it("hands back the command's exit code and output, GNU time's own line taken off stderr", async () => {
    const m = await measure('sh', ['-c', 'echo done; echo warn >&2; exit 3']);
    expect({ exitCode: m.exitCode, stdout: m.stdout, stderr: m.stderr }).toEqual({ exitCode: 3, stdout: 'done\n', stderr: 'warn\n' });
  });

  it('reads the recap counters omsrun and Ansible both print', () => {
    const text = [
      'PLAY RECAP *****',
      'h1                         : ok=20   changed=14   unreachable=0    failed=0    skipped=0',
      'h2   : ok=19   changed=0    failed=1    skipped=0    unreachable=0    rescued=0    ignored=0    time=1.2s',
      '',
      'OK: 2 hosts',
    ].join('\n');
    expect(parseRecap(text)).toEqual({ hosts: 2, changed: 14, failed: 1, unreachable: 0 });
  });

  it("reads pyinfra's results table: Success is a change, Error a failure, SSH errors unreachable hosts", () => {
    const text = [
      '    [h3] SSH error (Error reading SSH protocol banner)',
      '--> Results:',
      '    Operation               Hosts   Success   Error   No Change   ',
      '    app root                2       2         -       -           ',
      '    read config state       2       -         1       1           ',
      '    no leftover temp dir    2       -         -       2           ',
      '',
      '--> Disconnecting from hosts...',
    ].join('\n');
    expect(parsePyinfraResults(text)).toEqual({ hosts: 3, changed: 2, failed: 1, unreachable: 1 });
    expect(parsePyinfraResults('--> Connecting to hosts...\n')).toEqual({ hosts: 0, changed: 0, failed: 0, unreachable: 0 });
  });

  it('names the hosts a peer left differently, with the first line that differs', () => {
    const omsrun = new Map([['h1', './VERSION f 644 0:0\n./run.sh f 755 0:0'], ['h2', './VERSION f 644 0:0']]);
    expect(stateDifferences(omsrun, new Map(omsrun))).toEqual([]);
    expect(stateDifferences(omsrun, new Map([['h1', './VERSION f 644 0:0\n./run.sh f 644 0:0'], ['h2', '']]))).toEqual([
      'h1: "./run.sh f 755 0:0" vs "./run.sh f 644 0:0"',
      'h2: "./VERSION f 644 0:0" vs ""',
    ]);
  });
});

describe('bench report', () => {
  const run = (wallMs: number) => ({ wallMs, cpuMs: wallMs / 2, peakRssMb: 120, exitCode: 0, stdout: '', stderr: '', hosts: 0, changed: 0, failed: 0, unreachable: 0, problem: '' });
  const sized = (hosts: number) => ({
    hosts,
    omsrun: { first: run(5000), second: run(4000) },
    ansible: { first: run(110_000), second: run(110_000) },
    pyinfra: { first: run(40_000), second: run(30_000) },
    floor: { first: run(3000), second: run(3100) },
    sameWork: ['pyinfra left the same files, modes and contents as omsrun on all 50 hosts'],
  });

  it('judges the targets at 50 hosts and prints the bare ratios at other sizes', () => {
    expect(ratioLines(sized(50))).toEqual([
      'pyinfra/omsrun wall, first run: 8.00× (target ≥4×: met)',
      'pyinfra/omsrun wall, idempotent: 7.50× (target ≥4×: met)',
      'pyinfra/omsrun cpu, first / idempotent: 8.00× / 7.50×',
      'ansible/omsrun wall, first run: 22.00× (target ≥20×: met)',
      'ansible/omsrun wall, idempotent: 27.50× (target ≥25×: met)',
      'ansible/omsrun cpu, first / idempotent: 22.00× / 27.50×',
      'omsrun/floor wall, first run: 1.67× (target ≤0.8×: NOT MET)',
      'omsrun/floor wall, idempotent: 1.33× (target ≤0.8×: NOT MET)',
      "omsrun peak memory: 120 MB, 1.00× pyinfra's (target ≤ 1×: met)",
      'pyinfra peak memory: 120 MB',
      'ansible peak memory: 120 MB',
      'pyinfra left the same files, modes and contents as omsrun on all 50 hosts',
    ]);
    const ten = ratioLines(sized(10));
    expect(ten).toContain('omsrun/floor wall, idempotent: 1.33×');
    expect(ten.join('\n')).not.toMatch(/target|MET/);
  });

  it('puts the exec-channel column beside the default and judges the live view against the plain run', () => {
    const lines = ratioLines({
      ...sized(50),
      channels: { first: run(2000), second: run(2400) },
      liveView: { pty: { ...run(4100), cpuMs: 2300 }, plain: run(4000) },
    });
    expect(lines).toContain('pyinfra/omsrun+channels wall, first run: 20.00× (target ≥4×: met)');
    expect(lines).toContain('omsrun+channels/floor wall, first run: 0.67× (target ≤0.8×: met)');
    expect(lines).toContain('omsrun+channels/floor wall, idempotent: 0.80× (target ≤0.8×: met)');
    expect(lines).toContain('live view cost (pseudo-terminal against plain, idempotent), wall: 2.5 % (target < 3 %: met), cpu: 15.0 %');
  });

  it("adds the hosts' CPU to the controller's when it was measured: the floor ratio a loaded machine does not move", () => {
    const withHosts = (m: ReturnType<typeof run>, hostCpuMs: number) => ({ ...m, hostCpuMs });
    const lines = ratioLines({
      ...sized(50),
      omsrun: { first: withHosts(run(5000), 500), second: withHosts(run(4000), 1000) },
      pyinfra: { first: withHosts(run(40_000), 6000), second: withHosts(run(30_000), 5000) },
      floor: { first: withHosts(run(3000), 4500), second: withHosts(run(3100), 4450) },
    });
    expect(lines).toContain('omsrun/floor cpu of controller and hosts, first / idempotent: 0.50× / 0.50×');
    expect(lines).toContain('pyinfra/omsrun cpu of controller and hosts, first / idempotent: 8.67× / 6.67×');
    expect(ratioLines(sized(50)).join('\n')).not.toContain('controller and hosts');
  });

  it('counts the CPU of the processes moved into its group and of their children', { skip: !labEnabled() }, async () => {
    const child = spawn('sh', ['-c', 'read go; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; sh -c \'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done\''], { stdio: ['pipe', 'ignore', 'ignore'] });
    const meter = hostCpuMeter(`t${process.pid}`, [child.pid as number]);
    try {
      expect(meter.missing).toBeUndefined();
      const before = meter.readMs() as number;
      const done = new Promise((r) => child.once('exit', r));
      child.stdin.end('go\n');
      await done;
      expect((meter.readMs() as number) - before).toBeGreaterThan(50);
    } finally {
      meter.close();
    }
  });

  it('runs omsrun under a 120×50 pseudo-terminal with the CI switch off, and in a pipe otherwise', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'omsrun-bench-pty-'));
    mkdirSync(join(repo, 'bin'));
    writeFileSync(join(repo, 'bin/omsrun.js'),
      "console.log(`tty=${process.stdout.isTTY === true} cols=${process.stdout.columns} ci=${process.env.CI ?? '-'} session=${process.env.OMSRUN_SESSION} args=${process.argv.slice(2).join('|')}`)");
    const p = { repo, work: repo, inventory: "it's.yml" };
    try {
      for (const [mode, want] of [
        [{ pty: true, channels: true }, `tty=true cols=120 ci=- session=0 args=site.yml|-i|it's.yml|-f|7|--log-dir|${repo}/omsrun-runs`],
        [{}, `tty=false cols=undefined ci=1 session=1 args=site.yml|-i|it's.yml|-f|7|--log-dir|${repo}/omsrun-runs|--no-color`],
      ] as const) {
        const c = omsrunCommand(p, 7, 'site.yml', mode);
        const m = await measure(c.cmd, c.args, { cwd: repo, env: { ...c.env, ...(mode.pty ? {} : { CI: '1' }) } });
        expect(m.stdout.replaceAll('\r', '').trim()).toBe(want);
      }
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('judges the measurement check: memory summed over the tree, children counted, the whole wait timed', () => {
    const check = (wallMs: number, cpuMs: number, peakRssMb: number): Measured => ({ wallMs, cpuMs, peakRssMb, exitCode: 0, stdout: 'done\n', stderr: '' });
    expect(measureCheckLines(check(640, 180, 262))).toEqual([
      'measurement check, a tree holding 120 + 60 MB for 600 ms:',
      '  peak memory 262 MB (target > 180 MB: met)',
      '  cpu 180 ms (target > 50 ms: met)',
      '  wall 640 ms (target > 550 ms: met)',
    ]);
    expect(measureCheckLines(check(300, 20, 130)).slice(1)).toEqual([
      '  peak memory 130 MB (target > 180 MB: NOT MET)',
      '  cpu 20 ms (target > 50 ms: NOT MET)',
      '  wall 300 ms (target > 550 ms: NOT MET)',
    ]);
    expect(measureCheckLines({ ...check(640, 180, 262), exitCode: 127, stdout: '' }).at(-1)).toBe('!!! FAILED RUN: exit code 127, stdout ""');
  });
});
