// Text tables of the bench figures: one row per run, then ratios against the targets.
import { MEASURE_CHECK, type Measured } from './measure.js';
import type { RunResult } from './tools.js';

/** Results of one host count; an absent tool was skipped. */
export interface SizeResults {
  hosts: number;
  omsrun: { first: RunResult; second: RunResult };
  ansible?: { first: RunResult; second: RunResult };
  pyinfra?: { first: RunResult; second: RunResult };
  floor: { first: RunResult; second: RunResult };
  /** Whether each peer left the hosts as omsrun did, one line per peer. */
  sameWork: string[];
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const x = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

// Side-by-side wall, CPU and memory for each tool and run at one host count.
export function sizeTable(r: SizeResults): string {
  const rows = [['run', 'wall', 'cpu', 'peak rss', 'changed', 'status']];
  const add = (name: string, m: RunResult, changed: boolean): void => {
    rows.push([name, s(m.wallMs), s(m.cpuMs), `${m.peakRssMb.toFixed(0)} MB`, changed ? String(m.changed) : '-', m.problem ? 'FAILED' : 'ok']);
  };
  add('omsrun first', r.omsrun.first, true);
  add('omsrun idempotent', r.omsrun.second, true);
  if (r.pyinfra) {
    add('pyinfra first', r.pyinfra.first, true);
    add('pyinfra idempotent', r.pyinfra.second, true);
  }
  if (r.ansible) {
    add('ansible first', r.ansible.first, true);
    add('ansible idempotent', r.ansible.second, true);
  }
  add('ssh2 floor', r.floor.first, false);
  add('ssh2 floor (again)', r.floor.second, false);
  return `${r.hosts} hosts, 21 tasks\n${table(rows)}`;
}

const mark = (ok: boolean): string => (ok ? 'met' : 'NOT MET');

// The measuring itself, judged on a known tree: every process's memory summed, children's CPU counted, the whole wait timed.
export function measureCheckLines(m: Measured): string[] {
  const held = MEASURE_CHECK.holdMb.reduce((a, b) => a + b, 0);
  const minWall = MEASURE_CHECK.holdMs - 50;
  const lines = [
    `measurement check, a tree holding ${MEASURE_CHECK.holdMb.join(' + ')} MB for ${MEASURE_CHECK.holdMs} ms:`,
    `  peak memory ${m.peakRssMb.toFixed(0)} MB (target > ${held} MB: ${mark(m.peakRssMb > held)})`,
    `  cpu ${m.cpuMs.toFixed(0)} ms (target > 50 ms: ${mark(m.cpuMs > 50)})`,
    `  wall ${m.wallMs.toFixed(0)} ms (target > ${minWall} ms: ${mark(m.wallMs > minWall)})`,
  ];
  if (m.exitCode !== 0 || m.stdout !== 'done\n') lines.push(`!!! FAILED RUN: exit code ${m.exitCode}, stdout ${JSON.stringify(m.stdout)}`);
  return lines;
}

/** The host count the targets are set for. */
export const TARGET_HOSTS = 50;

// Ratios against the targets, judged at 50 hosts (other sizes print the ratio alone): Ansible/omsrun (≥20×, ≥25×),
// omsrun/floor (≤2.5×, ≤1.5×), memory < 150 MB.
export function ratioLines(r: SizeResults): string[] {
  const floorWall = Math.min(r.floor.first.wallMs, r.floor.second.wallMs);
  const lines: string[] = [];
  const verdict = (text: string, ok: boolean): string => (r.hosts === TARGET_HOSTS ? ` (target ${text}: ${mark(ok)})` : '');
  if (r.pyinfra) {
    lines.push(`pyinfra/omsrun wall, first run: ${x(r.pyinfra.first.wallMs, r.omsrun.first.wallMs)}`);
    lines.push(`pyinfra/omsrun wall, idempotent: ${x(r.pyinfra.second.wallMs, r.omsrun.second.wallMs)}`);
    lines.push(`pyinfra/omsrun cpu, first / idempotent: ${x(r.pyinfra.first.cpuMs, r.omsrun.first.cpuMs)} / ${x(r.pyinfra.second.cpuMs, r.omsrun.second.cpuMs)}`);
  }
  if (r.ansible) {
    const f = r.ansible.first.wallMs / r.omsrun.first.wallMs;
    const i = r.ansible.second.wallMs / r.omsrun.second.wallMs;
    lines.push(`ansible/omsrun wall, first run: ${x(r.ansible.first.wallMs, r.omsrun.first.wallMs)}${verdict('≥20×', f >= 20)}`);
    lines.push(`ansible/omsrun wall, idempotent: ${x(r.ansible.second.wallMs, r.omsrun.second.wallMs)}${verdict('≥25×', i >= 25)}`);
    lines.push(`ansible/omsrun cpu, first / idempotent: ${x(r.ansible.first.cpuMs, r.omsrun.first.cpuMs)} / ${x(r.ansible.second.cpuMs, r.omsrun.second.cpuMs)}`);
  }
  const fo = r.omsrun.first.wallMs / floorWall;
  const io = r.omsrun.second.wallMs / floorWall;
  lines.push(`omsrun/floor wall, first run: ${x(r.omsrun.first.wallMs, floorWall)}${verdict('≤2.5×', fo <= 2.5)}`);
  lines.push(`omsrun/floor wall, idempotent: ${x(r.omsrun.second.wallMs, floorWall)}${verdict('≤1.5×', io <= 1.5)}`);
  const peakOf = (t?: { first: RunResult; second: RunResult }): number => (t ? Math.max(t.first.peakRssMb, t.second.peakRssMb) : 0);
  const peak = peakOf(r.omsrun);
  lines.push(`omsrun peak memory: ${peak.toFixed(0)} MB${verdict('< 150 MB', peak < 150)}`);
  if (r.pyinfra) lines.push(`pyinfra peak memory: ${peakOf(r.pyinfra).toFixed(0)} MB`);
  if (r.ansible) lines.push(`ansible peak memory: ${peakOf(r.ansible).toFixed(0)} MB`);
  lines.push(...r.sameWork);
  for (const m of [r.omsrun.first, r.omsrun.second, r.pyinfra?.first, r.pyinfra?.second, r.ansible?.first, r.ansible?.second, r.floor.first, r.floor.second]) {
    if (m?.problem) lines.push(`!!! FAILED RUN: ${m.problem}`);
  }
  return lines;
}

// Per-host cost at each host count, to show growth is linear.
export function scaleTable(all: SizeResults[]): string {
  const rows = [['hosts', 'omsrun first wall/host', 'omsrun idem wall/host', 'omsrun cpu/host (first)', 'floor wall/host', 'pyinfra wall/host', 'ansible wall/host', 'omsrun peak rss']];
  for (const r of all) {
    const per = (ms: number): string => `${(ms / r.hosts).toFixed(1)} ms`;
    rows.push([String(r.hosts), per(r.omsrun.first.wallMs), per(r.omsrun.second.wallMs), per(r.omsrun.first.cpuMs),
      per(Math.min(r.floor.first.wallMs, r.floor.second.wallMs)), r.pyinfra ? per(r.pyinfra.first.wallMs) : 'skipped',
      r.ansible ? per(r.ansible.first.wallMs) : 'skipped', `${Math.max(r.omsrun.first.peakRssMb, r.omsrun.second.peakRssMb).toFixed(0)} MB`]);
  }
  return table(rows);
}

/** The large-file copy: omsrun's copy module against parallel scp. */
export interface CopyResults {
  hosts: number;
  sizeMb: number;
  omsrun: RunResult;
  scp: RunResult;
}

export function copyLines(c: CopyResults): string[] {
  const ratio = c.omsrun.wallMs / c.scp.wallMs;
  const rows = [['run', 'wall', 'cpu', 'peak rss', 'status'],
    ...[['omsrun copy', c.omsrun], ['scp (parallel)', c.scp]].map(([n, m]) => {
      const r = m as RunResult;
      return [n as string, s(r.wallMs), s(r.cpuMs), `${r.peakRssMb.toFixed(0)} MB`, r.problem ? 'FAILED' : 'ok'];
    })];
  const lines = [`${c.sizeMb} MiB file to ${c.hosts} hosts`, table(rows), `omsrun/scp wall: ${ratio.toFixed(2)}× (target ≤1.3×: ${mark(ratio <= 1.3)})`];
  for (const m of [c.omsrun, c.scp]) if (m.problem) lines.push(`!!! FAILED RUN: ${m.problem}`);
  return lines;
}
