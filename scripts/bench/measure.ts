// Runs a command and measures wall time, CPU and peak memory of its whole process tree (daemonised descendants included).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** What one measured run cost the controller. */
export interface Measured {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How to run the measured command. */
export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Sampling period of the process tree. @defaultValue 50 */
  sampleMs?: number;
}

const TICK_MS = 1000 / 100;
const PAGE_KB = 4;

interface ProcStat { ppid: number; cpuTicks: number; rssPages: number }

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) };
  } catch {
    return undefined;
  }
}

// Tracks every process that ever descended from the root pid, even after it is re-parented to init.
// Walks /proc/<pid>/task/*/children from the tree instead of scanning all of /proc, so sampling stays cheap next to the run.
class TreeSampler {
  readonly seen = new Map<number, { cpuTicks: number; orphan: boolean }>();
  peakRssKb = 0;
  constructor(private readonly root: number) {
    this.seen.set(root, { cpuTicks: 0, orphan: false });
  }

  private children(pid: number): number[] {
    try {
      return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
        readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    } catch {
      return [];
    }
  }

  sample(): void {
    const queue = [...this.seen.keys()];
    const stats = new Map<number, ProcStat>();
    while (queue.length) {
      const pid = queue.pop()!;
      if (stats.has(pid)) continue;
      const s = readStat(pid);
      if (!s) continue;
      stats.set(pid, s);
      if (!this.seen.has(pid)) this.seen.set(pid, { cpuTicks: 0, orphan: false });
      queue.push(...this.children(pid));
    }
    let rss = 0;
    for (const [pid, rec] of this.seen) {
      const s = stats.get(pid);
      if (!s) continue;
      rec.cpuTicks = s.cpuTicks;
      if (pid !== this.root && !this.seen.has(s.ppid)) rec.orphan = true;
      rss += s.rssPages * PAGE_KB;
    }
    this.peakRssKb = Math.max(this.peakRssKb, rss);
  }

  // CPU of descendants nobody waited for (daemonised ssh masters): rusage of the root misses them.
  orphanCpuMs(): number {
    let t = 0;
    for (const rec of this.seen.values()) if (rec.orphan) t += rec.cpuTicks;
    return t * TICK_MS;
  }
}

// Spawns through GNU time (user+sys+max RSS of waited descendants; -q: no status line of its own) while sampling /proc for the tree.
export async function measure(cmd: string, args: string[], opts: MeasureOptions = {}): Promise<Measured> {
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-q', '-f', '@@time %U %S %M', cmd, ...args], {
    env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = new TreeSampler(child.pid!);
  const timer = setInterval(() => sampler.sample(), opts.sampleMs ?? 50);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(timer);
  sampler.sample();
  const m = /@@time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(stderr);
  if (m) stderr = stderr.slice(0, m.index);
  const rusageCpu = m ? (Number(m[1]) + Number(m[2])) * 1000 : 0;
  const maxRssKb = m ? Number(m[3]) : 0;
  return {
    wallMs,
    cpuMs: rusageCpu + sampler.orphanCpuMs(),
    peakRssMb: Math.max(sampler.peakRssKb, maxRssKb) / 1024,
    exitCode,
    stdout,
    stderr,
  };
}

/** The known tree the measurement check runs: two processes holding this many MB each, for `MEASURE_CHECK.holdMs`. */
export const MEASURE_CHECK = { holdMb: [120, 60], holdMs: 600 } as const;

// Two node processes under one shell, holding known memory for a known time: what the tree sampler must see whole.
export function measureCheck(): Promise<Measured> {
  const hold = (mb: number): string => `"${process.execPath}" -e "const b=Buffer.alloc(${mb}*1024*1024,1); setTimeout(()=>b.length, ${MEASURE_CHECK.holdMs})"`;
  const [first, second] = MEASURE_CHECK.holdMb;
  return measure('sh', ['-c', `${hold(first)} & ${hold(second)}; wait; echo done`]);
}
