// pyinfra as a peer: its own venv from the tarball in ../shared/peers, a Python inventory of the lab, bench/pyinfra/deploy.py.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabHost, LabState } from '../lab/lab-api.js';
import { measure, type Measured } from './measure.js';
import type { BenchPaths, RunResult } from './tools.js';

const VERSION = '3.1.1';
const PYTHON = '/usr/bin/python3';

/** Where the pyinfra tarball is looked for: $OMSRUN_BENCH_PYINFRA, else the shared peers folder next to the repository. */
export function pyinfraTarball(repo: string): string {
  return process.env.OMSRUN_BENCH_PYINFRA ?? resolve(repo, `../shared/peers/pyinfra-${VERSION}-py311.tar.gz`);
}

function venvWorks(venv: string): boolean {
  const r = spawnSync(join(venv, 'bin/pyinfra'), ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes(`v${VERSION}`);
}

// A venv of Debian's Python 3.11 under node_modules/.cache with the tarball's site-packages unpacked into it; made once.
// bin/pyinfra is the console script pip would write: it imports pyinfra_cli first, which lets gevent patch threading
// before pyinfra loads (`python -m pyinfra` loads pyinfra first, and 3.1.1 then hangs joining its progress thread).
export function pyinfraSetup(repo: string): Pyinfra | { missing: string } {
  const venv = join(repo, `node_modules/.cache/omsrun-bench/pyinfra-${VERSION}`);
  const bin = join(venv, 'bin/pyinfra');
  if (venvWorks(venv)) return { bin };
  const tarball = pyinfraTarball(repo);
  if (!existsSync(tarball)) return { missing: `${tarball} not found (set OMSRUN_BENCH_PYINFRA to pyinfra-${VERSION}-py311.tar.gz)` };
  const part = `${venv}.part`;
  rmSync(part, { recursive: true, force: true });
  const step = (cmd: string, args: string[]): string | undefined => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 ? undefined : `${cmd} ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`;
  };
  const site = join(part, 'lib/python3.11/site-packages');
  const failed = step(PYTHON, ['-m', 'venv', '--without-pip', part])
    ?? (mkdirSync(site, { recursive: true }), step('tar', ['-xzf', tarball, '-C', site, '--strip-components=1']));
  if (!failed) writeFileSync(join(part, 'bin/pyinfra'), `#!${join(venv, 'bin/python')}\nimport pyinfra_cli.__main__\n`, { mode: 0o755 });
  if (failed) {
    rmSync(part, { recursive: true, force: true });
    return { missing: `${failed}\n  (needs Debian's python3 3.11 and python3-venv: apt-get install -y python3-venv)` };
  }
  rmSync(venv, { recursive: true, force: true });
  renameSync(part, venv);
  if (!venvWorks(venv)) return { missing: `pyinfra ${VERSION} does not start from ${venv}` };
  return { bin };
}

// The lab's hosts with the same key and known_hosts as the other tools, strict host key checking.
export function writePyinfraInventory(lab: LabState, list: LabHost[], file: string): string {
  const data = {
    ssh_user: 'root',
    ssh_key: lab.keyFile,
    ssh_known_hosts_file: lab.knownHosts,
    ssh_strict_host_key_checking: 'yes',
  };
  const hosts = list.map((h) => `    (${JSON.stringify(h.name)}, {"ssh_hostname": ${JSON.stringify(h.ip)}}),`).join('\n');
  writeFileSync(file, `bench_data = ${JSON.stringify(data)}\nbench = (\n  [\n${hosts}\n  ],\n  bench_data,\n)\n`);
  return file;
}

// Counters from pyinfra's results table (Success = changed, Error = failed) and its per-host connection errors.
export function parsePyinfraResults(text: string): { hosts: number; changed: number; failed: number; unreachable: number } {
  const at = text.lastIndexOf('--> Results:');
  const rows = at < 0 ? [] : text.slice(at).split('\n').slice(2)
    .map((l) => /^\s{4}(.+?)\s+(\d+)\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  const n = (v: string | undefined): number => (v === undefined || v === '-' ? 0 : Number(v));
  const unreachable = new Set([...text.matchAll(/^\s+\[([^\]]+)\] (?:SSH error|Could not connect)/gm)].map((m) => m[1])).size;
  return {
    hosts: rows.length ? Math.max(...rows.map((r) => n(r[2]))) + unreachable : 0,
    changed: rows.reduce((s, r) => s + n(r[3]), 0),
    failed: rows.reduce((s, r) => s + n(r[4]), 0),
    unreachable,
  };
}

/** pyinfra's entry point in the venv made by `pyinfraSetup`. */
export interface Pyinfra { bin: string }

// pyinfra on the settings a user after speed picks: no prompt nor change-detection pass, every host at once, no barrier per operation.
export async function runPyinfra(py: Pyinfra, p: BenchPaths, lab: LabState, list: LabHost[], idempotent: boolean): Promise<RunResult> {
  const inventory = writePyinfraInventory(lab, list, join(p.work, `inventory-${list.length}.py`));
  const args = [inventory, join(p.repo, 'bench/pyinfra/deploy.py'), '-y', '--parallel', String(list.length), '--no-wait'];
  const m: Measured = await measure(py.bin, args, { cwd: p.work, env: { ...process.env, PYINFRA_PROGRESS: 'off' } });
  const r = parsePyinfraResults(m.stdout + m.stderr);
  const problems: string[] = [];
  if (m.exitCode !== 0) problems.push(`exit code ${m.exitCode}`);
  if (r.hosts !== list.length) problems.push(`results table covers ${r.hosts} of ${list.length} hosts`);
  if (r.failed || r.unreachable) problems.push(`${r.failed} failed operations, ${r.unreachable} unreachable`);
  if (idempotent && r.changed) problems.push(`${r.changed} changes on the second run (expected 0)`);
  if (!idempotent && r.changed === 0) problems.push('no change on the first run');
  const tail = problems.length ? `\n${(m.stdout + m.stderr).split('\n').filter((l) => /error|fail|exception/i.test(l)).slice(0, 8).join('\n')}` : '';
  return { ...m, ...r, problem: problems.join('; ') + tail };
}
