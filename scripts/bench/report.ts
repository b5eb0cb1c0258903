// Text tables of the bench figures: one row per run, then ratios against the targets.
import { MEASURE_CHECK, type Measured } from './measure.js';
import type { RunResult } from './tools.js';

/** Results of one host count; an absent tool was skipped. */
export interface SizeResults {
  hosts: number;
  omsrun: { first: RunResult; second: RunResult };
  /** omsrun with one SSH channel per command instead of its session per host (`OMSRUN_SESSION=0`). */
  channels?: { first: RunResult; second: RunResult };
  /** An idempotent run under a pseudo-terminal (the live view) and a plain one right after it. */
  liveView?: { pty: RunResult; plain: RunResult };
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
  const rows = [['run', 'wall', 'cpu', 'host cpu', 'peak rss', 'changed', 'status']];
  const add = (name: string, m: RunResult, changed: boolean): void => {
    const host = m.hostCpuMs !== undefined ? s(m.hostCpuMs) : '-';
    rows.push([name, s(m.wallMs), s(m.cpuMs), host, `${m.peakRssMb.toFixed(0)} MB`, changed ? String(m.changed) : '-', m.problem ? 'FAILED' : 'ok']);
  };
  add('omsrun first', r.omsrun.first, true);
  add('omsrun idempotent', r.omsrun.second, true);
  if (r.channels) {
    add('omsrun+channels first', r.channels.first, true);
    add('omsrun+channels idempotent', r.channels.second, true);
  }
  if (r.liveView) {
    add('omsrun idempotent, pty', r.liveView.pty, true);
    add('omsrun idempotent, plain', r.liveView.plain, true);
  }
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

// Controller CPU plus the lab hosts' (which share the machine's cores), when the hosts' CPU was measured.
const totalCpu = (m: RunResult): number | undefined => (m.hostCpuMs !== undefined ? m.cpuMs + m.hostCpuMs : undefined);

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

type Pair = { first: RunResult; second: RunResult };
const peakOf = (t?: Pair): number => (t ? Math.max(t.first.peakRssMb, t.second.peakRssMb) : 0);

// Ratios against the targets of issue #14, judged at 50 hosts (other sizes print the ratio alone): pyinfra/omsrun ≥ 4×
// on both runs, omsrun ≤ 0.8× the floor, peak memory ≤ pyinfra's, the live view < 3 %; Ansible/omsrun ≥ 20×, ≥ 25×.
export function ratioLines(r: SizeResults): string[] {
  const floorWall = Math.min(r.floor.first.wallMs, r.floor.second.wallMs);
  const lines: string[] = [];
  const verdict = (text: string, ok: boolean): string => (r.hosts === TARGET_HOSTS ? ` (target ${text}: ${mark(ok)})` : '');
  const columns: [string, Pair][] = [['omsrun', r.omsrun], ...(r.channels ? [['omsrun+channels', r.channels] as [string, Pair]] : [])];
  for (const [name, o] of columns) {
    if (r.pyinfra) {
      const f = r.pyinfra.first.wallMs / o.first.wallMs;
      const i = r.pyinfra.second.wallMs / o.second.wallMs;
      lines.push(`pyinfra/${name} wall, first run: ${x(r.pyinfra.first.wallMs, o.first.wallMs)}${verdict('≥4×', f >= 4)}`);
      lines.push(`pyinfra/${name} wall, idempotent: ${x(r.pyinfra.second.wallMs, o.second.wallMs)}${verdict('≥4×', i >= 4)}`);
      lines.push(`pyinfra/${name} cpu, first / idempotent: ${x(r.pyinfra.first.cpuMs, o.first.cpuMs)} / ${x(r.pyinfra.second.cpuMs, o.second.cpuMs)}`);
    }
  }
  if (r.ansible) {
    const f = r.ansible.first.wallMs / r.omsrun.first.wallMs;
    const i = r.ansible.second.wallMs / r.omsrun.second.wallMs;
    lines.push(`ansible/omsrun wall, first run: ${x(r.ansible.first.wallMs, r.omsrun.first.wallMs)}${verdict('≥20×', f >= 20)}`);
    lines.push(`ansible/omsrun wall, idempotent: ${x(r.ansible.second.wallMs, r.omsrun.second.wallMs)}${verdict('≥25×', i >= 25)}`);
    lines.push(`ansible/omsrun cpu, first / idempotent: ${x(r.ansible.first.cpuMs, r.omsrun.first.cpuMs)} / ${x(r.ansible.second.cpuMs, r.omsrun.second.cpuMs)}`);
  }
  for (const [name, o] of columns) {
    lines.push(`${name}/floor wall, first run: ${x(o.first.wallMs, floorWall)}${verdict('≤0.8×', o.first.wallMs / floorWall <= 0.8)}`);
    lines.push(`${name}/floor wall, idempotent: ${x(o.second.wallMs, floorWall)}${verdict('≤0.8×', o.second.wallMs / floorWall <= 0.8)}`);
    const floorCpu = Math.min(totalCpu(r.floor.first) ?? NaN, totalCpu(r.floor.second) ?? NaN);
    const [f, i] = [totalCpu(o.first), totalCpu(o.second)];
    if (f !== undefined && i !== undefined && !Number.isNaN(floorCpu)) {
      lines.push(`${name}/floor cpu of controller and hosts, first / idempotent: ${x(f, floorCpu)} / ${x(i, floorCpu)}`);
    }
    if (r.pyinfra && f !== undefined && i !== undefined) {
      const [pf, pi] = [totalCpu(r.pyinfra.first), totalCpu(r.pyinfra.second)];
      if (pf !== undefined && pi !== undefined) lines.push(`pyinfra/${name} cpu of controller and hosts, first / idempotent: ${x(pf, f)} / ${x(pi, i)}`);
    }
  }
  for (const [name, o] of columns) {
    const peak = peakOf(o);
    const vsPyinfra = r.pyinfra ? `, ${x(peak, peakOf(r.pyinfra))} pyinfra's${verdict('≤ 1×', peak <= peakOf(r.pyinfra))}` : '';
    lines.push(`${name} peak memory: ${peak.toFixed(0)} MB${vsPyinfra}`);
  }
  if (r.pyinfra) lines.push(`pyinfra peak memory: ${peakOf(r.pyinfra).toFixed(0)} MB`);
  if (r.ansible) lines.push(`ansible peak memory: ${peakOf(r.ansible).toFixed(0)} MB`);
  if (r.liveView) {
    const { pty, plain } = r.liveView;
    const cost = (a: number, b: number): string => (b > 0 ? `${(((a - b) / b) * 100).toFixed(1)} %` : 'n/a');
    const wallCost = (pty.wallMs - plain.wallMs) / plain.wallMs;
    lines.push(`live view cost (pseudo-terminal against plain, idempotent), wall: ${cost(pty.wallMs, plain.wallMs)}${verdict('< 3 %', wallCost < 0.03)}, cpu: ${cost(pty.cpuMs, plain.cpuMs)}`);
  }
  lines.push(...r.sameWork);
  const all = [r.omsrun, r.channels, r.pyinfra, r.ansible, r.floor].flatMap((t) => (t ? [t.first, t.second] : []));
  if (r.liveView) all.push(r.liveView.pty, r.liveView.plain);
  for (const m of all) if (m.problem) lines.push(`!!! FAILED RUN: ${m.problem}`);
  return lines;
}

// Per-host cost at each host count, to show growth is linear.
export function scaleTable(all: SizeResults[]): string {
  const rows = [['hosts', 'omsrun first wall/host', 'omsrun idem wall/host', 'omsrun cpu/host (first)', 'channels first wall/host', 'floor wall/host', 'pyinfra wall/host', 'ansible wall/host', 'omsrun peak rss']];
  for (const r of all) {
    const per = (ms: number): string => `${(ms / r.hosts).toFixed(1)} ms`;
    const peak = peakOf(r.omsrun);
    rows.push([String(r.hosts), per(r.omsrun.first.wallMs), per(r.omsrun.second.wallMs), per(r.omsrun.first.cpuMs),
      r.channels ? per(r.channels.first.wallMs) : 'skipped',
      per(Math.min(r.floor.first.wallMs, r.floor.second.wallMs)), r.pyinfra ? per(r.pyinfra.first.wallMs) : 'skipped',
      r.ansible ? per(r.ansible.first.wallMs) : 'skipped', `${peak.toFixed(0)} MB`]);
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
