// CPU the lab hosts spend for a run (sshd, shells, commands), counted by a control group around every host's sshd:
// unlike wall time it does not move with the machine's load, so it compares runs made on a busy machine.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads the CPU the hosts spent so far (ms); undefined when no control group could be made. */
export interface HostCpuMeter {
  readMs(): number | undefined;
  /** Why there is no figure, when there is none. */
  missing?: string;
  close(): void;
}

// cgroup v1's cpuacct hierarchy when mounted (nanoseconds), else the unified (v2) hierarchy (microseconds).
function hierarchy(): { dir: string; read: (group: string) => number } | undefined {
  const v1 = '/sys/fs/cgroup/cpuacct';
  if (existsSync(join(v1, 'cpuacct.usage'))) return { dir: v1, read: (g) => Number(readFileSync(join(g, 'cpuacct.usage'), 'utf8')) / 1e6 };
  for (const v2 of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    if (!existsSync(join(v2, 'cgroup.procs')) || existsSync(join(v2, 'tasks'))) continue;
    return {
      dir: v2,
      read: (g) => Number(/^usage_usec (\d+)$/m.exec(readFileSync(join(g, 'cpu.stat'), 'utf8'))?.[1] ?? NaN) / 1000,
    };
  }
  return undefined;
}

// Moves the hosts' sshd processes into one new group: every session they fork later is counted there.
export function hostCpuMeter(name: string, sshdPids: number[]): HostCpuMeter {
  const h = hierarchy();
  if (!h) return { readMs: () => undefined, missing: 'no cgroup cpuacct or cgroup2 hierarchy', close: () => undefined };
  const group = join(h.dir, `omsrun-bench-${name}`);
  try {
    mkdirSync(group, { recursive: true });
    for (const pid of sshdPids) writeFileSync(join(group, 'cgroup.procs'), String(pid));
    h.read(group);
  } catch (err) {
    return { readMs: () => undefined, missing: `cannot use ${group}: ${(err as Error).message}`, close: () => undefined };
  }
  return {
    readMs: () => h.read(group),
    // The group can only go once its processes have (the lab is torn down first); a leftover is reused next time.
    close: () => {
      try {
        rmdirSync(group);
      } catch {
        // still populated
      }
    },
  };
}
