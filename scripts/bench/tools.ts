// The three contenders (omsrun, Ansible, the ssh2 floor) run the same work against one lab, measured alike.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import pLimit from 'p-limit';
import { stringify } from 'yaml';
import { runOnHost, type LabHost, type LabState } from '../lab/lab-api.js';
import { floorCommands } from './floor-plan.js';
import { measure, type Measured } from './measure.js';

/** One measured run with what the tool said about it. */
export interface RunResult extends Measured {
  hosts: number;
  changed: number;
  failed: number;
  unreachable: number;
  /** Empty when the run did what it should; otherwise why not. */
  problem: string;
  /** CPU the lab hosts spent during the run (see host-cpu.ts), when measured. */
  hostCpuMs?: number;
}

/** Paths shared by every run of one bench. */
export interface BenchPaths {
  repo: string;
  work: string;
  inventory: string;
}

// One inventory for both tools: Ansible ignores the known_hosts variable, omsrun reads it.
export function writeInventory(lab: LabState, list: LabHost[], file: string): string {
  const hosts = Object.fromEntries(list.map((h) => [h.name, { ansible_host: h.ip }]));
  const vars = {
    ansible_user: 'root',
    ansible_ssh_private_key_file: lab.keyFile,
    ansible_ssh_known_hosts_file: lab.knownHosts,
    ansible_python_interpreter: '/usr/bin/python3',
  };
  writeFileSync(file, stringify({ all: { vars, hosts } }));
  return file;
}

// Per-host recap counters from a PLAY RECAP block (omsrun and Ansible print the same shape).
export function parseRecap(text: string): { hosts: number; changed: number; failed: number; unreachable: number } {
  const num = (line: string, key: string): number => Number(new RegExp(`\\b${key}=(\\d+)`).exec(line)?.[1] ?? 0);
  const lines = text.split('\n').filter((l) => /^\S+\s+:\s+ok=\d+/.test(l));
  return {
    hosts: lines.length,
    changed: lines.reduce((s, l) => s + num(l, 'changed'), 0),
    failed: lines.reduce((s, l) => s + num(l, 'failed'), 0),
    unreachable: lines.reduce((s, l) => s + num(l, 'unreachable'), 0),
  };
}

// Terminal escapes (colours, cursor moves, line clears) a run under a pseudo-terminal prints around its text.
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r/g;

function judge(m: Measured, expectHosts: number, idempotent: boolean): RunResult {
  const text = m.stdout.replace(ESCAPES, '');
  const r = parseRecap(text);
  const problems: string[] = [];
  if (m.exitCode !== 0) problems.push(`exit code ${m.exitCode}`);
  if (r.hosts !== expectHosts) problems.push(`recap lists ${r.hosts} of ${expectHosts} hosts`);
  if (r.failed || r.unreachable) problems.push(`${r.failed} failed, ${r.unreachable} unreachable`);
  if (idempotent && r.changed) problems.push(`${r.changed} changes on the second run (expected 0)`);
  if (!idempotent && r.changed === 0) problems.push('no change on the first run');
  const tail = problems.length ? `\n${(text + m.stderr).split('\n').filter((l) => /fatal|failed|error|unreachable/i.test(l)).slice(0, 8).join('\n')}` : '';
  return { ...m, ...r, problem: problems.join('; ') + tail };
}

/** How omsrun runs in the bench. */
export interface OmsrunMode {
  /** One SSH channel per command (`OMSRUN_SESSION=0`) instead of the session transport. */
  channels?: boolean;
  /** Under a 120×50 pseudo-terminal (util-linux `script`), so the live view draws as at a user's terminal. */
  pty?: boolean;
}

/** The pseudo-terminal's size in the live-view runs. */
export const PTY_SIZE = { cols: 120, rows: 50 } as const;

// The command line of one omsrun run: plain output into a pipe, or the live view on a pseudo-terminal.
export function omsrunCommand(p: BenchPaths, hosts: number, playbook: string, mode: OmsrunMode): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const args = ['bin/omsrun.js', playbook, '-i', p.inventory, '-f', String(hosts), '--log-dir', join(p.work, 'omsrun-runs')];
  const env: NodeJS.ProcessEnv = { ...process.env, OMSRUN_SESSION: mode.channels ? '0' : '1' };
  if (!mode.pty) return { cmd: process.execPath, args: [...args, '--no-color'], env };
  delete env.CI;
  delete env.NO_COLOR;
  env.TERM = 'xterm-256color';
  const line = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return { cmd: 'script', args: ['-qfec', `stty cols ${PTY_SIZE.cols} rows ${PTY_SIZE.rows}; exec ${line}`, '/dev/null'], env };
}

// omsrun as a user runs it: built CLI, forks = hosts; plain output unless `mode.pty`.
export async function runOmsrun(p: BenchPaths, hosts: number, idempotent: boolean, playbook = join(p.repo, 'bench/omsrun/site.yml'), mode: OmsrunMode = {}): Promise<RunResult> {
  const c = omsrunCommand(p, hosts, playbook, mode);
  return judge(await measure(c.cmd, c.args, { cwd: p.repo, env: c.env }), hosts, idempotent);
}

export function ansibleAvailable(): boolean {
  return spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;
}

// Closes the ControlPersist masters a run left, so the next run starts cold like omsrun's.
function closeMasters(dir: string): void {
  for (const sock of readdirSync(dir)) {
    spawnSync('ssh', ['-o', `ControlPath=${join(dir, sock)}`, '-O', 'exit', 'lab'], { stdio: 'ignore' });
  }
}

// Ansible tuned as its docs advise: pipelining, ControlPersist, forks = hosts, no facts, strict host keys.
export async function runAnsible(p: BenchPaths, lab: LabState, hosts: number, idempotent: boolean): Promise<RunResult> {
  const cp = join(p.work, `cp-${Date.now()}`);
  mkdirSync(cp, { recursive: true });
  const env = {
    ...process.env,
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_FORKS: String(hosts),
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${lab.knownHosts} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes`,
    ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
    ANSIBLE_LOCAL_TEMP: join(p.work, 'ansible-tmp'),
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOLOR: 'True',
    ANSIBLE_CONFIG: join(p.work, 'ansible.cfg'),
  };
  writeFileSync(env.ANSIBLE_CONFIG, '[defaults]\n');
  try {
    const m = await measure('ansible-playbook', ['-i', p.inventory, join(p.repo, 'bench/ansible/site.yml')], { env, cwd: p.work });
    return judge(m, hosts, idempotent);
  } finally {
    closeMasters(cp);
    rmSync(cp, { recursive: true, force: true });
  }
}

// The floor program compiled once to plain JavaScript, so tsx's start-up is not billed to it.
async function floorScript(repo: string): Promise<string> {
  const out = join(repo, 'node_modules/.cache/omsrun-bench/floor.mjs');
  await build({ entryPoints: [join(repo, 'scripts/bench/floor.ts')], outfile: out, bundle: false, platform: 'node', format: 'esm', logLevel: 'error' });
  return out;
}

export async function runFloor(p: BenchPaths, lab: LabState, list: LabHost[]): Promise<RunResult> {
  const plan = {
    keyFile: lab.keyFile,
    knownHosts: lab.knownHosts,
    hosts: list.map((h) => ({ ip: h.ip, commands: floorCommands(join(p.repo, 'bench'), h) })),
  };
  const file = join(p.work, 'floor-plan.json');
  writeFileSync(file, JSON.stringify(plan));
  const m = await measure(process.execPath, [await floorScript(p.repo), file], { cwd: p.repo });
  const problem = m.exitCode === 0 ? '' : `exit code ${m.exitCode}: ${m.stdout}${m.stderr}`.trim();
  return { ...m, hosts: list.length, changed: 0, failed: m.exitCode === 0 ? 0 : 1, unreachable: 0, problem };
}

// Fresh /data on every host (and no deploy lock left), through the lab's namespaces rather than SSH.
export async function cleanHosts(list: LabHost[]): Promise<void> {
  const limit = pLimit(16);
  await Promise.all(list.map((h) => limit(() => runOnHost(h, 'rm -rf /data/app /data/big.bin /run/omsrun.lock'))));
}

export function gitRev(repo: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

// What a deployment left on each host: every path under /data/app with type and mode, and each file's sha256.
export async function hostState(list: LabHost[]): Promise<Map<string, string>> {
  const limit = pLimit(16);
  const script = 'cd /data/app 2>/dev/null || exit 0; find . -printf "%p %y %m %U:%G\\n" | sort; find . -type f -exec sha256sum {} + | sort -k2';
  const states = await Promise.all(list.map((h) => limit(async () => [h.name, (await runOnHost(h, script)).stdout] as const)));
  return new Map(states);
}

// Hosts whose state differs from the reference run's, with the first differing line.
export function stateDifferences(reference: Map<string, string>, other: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [host, want] of reference) {
    const got = other.get(host) ?? '';
    if (got === want) continue;
    const a = want.split('\n');
    const b = got.split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    out.push(`${host}: ${JSON.stringify(a[i] ?? '')} vs ${JSON.stringify(b[i] ?? '(nothing)')}`);
  }
  return out;
}
