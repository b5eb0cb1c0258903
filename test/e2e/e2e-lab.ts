// A side lab per e2e test file, inventories pointing at it, and host-side probes that never touch other labs.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { runOnHost, type Lab, type LabHost } from '../lab/lab-helper.js';
import { omsrun, type CliRun } from '../cli/cli-helper.js';
import { labInventory, useSideLab as useLab, writeFiles, type SideLab } from '../lab/side-lab.js';

export type { Lab, LabHost };

/** Outside tmpdir, so the CLI helper adds no per-folder settings and lab hosts (which share /tmp) never see it. */
const ROOT = '/var/tmp/omsrun-e2e';

export { labInventory, writeFiles, type SideLab };

// A private lab for one e2e test file.
export function useSideLab(name: string, hosts: number): SideLab {
  return useLab(name, hosts, ROOT);
}

/** Per-host inventory variables on top of the key-based root login. */
export type HostVars = Record<string, unknown>;

// Runs the built CLI in a folder, with the view plain and uncoloured.
export function run(cwd: string, args: string[], onStdout?: Parameters<typeof omsrun>[1]['onStdout']): Promise<CliRun> {
  return omsrun(args, { cwd, onStdout });
}

// Where a host's /data lives on the controller.
export function dataPath(host: LabHost, rel: string): string {
  return path.join(host.dir, 'data', rel);
}

// Pids of processes named `comm` living in the host's network namespace (the lab shares one pid namespace).
export function hostPids(host: LabHost, comm: RegExp): number[] {
  const ns = readlinkSync(`/proc/${host.pids.keeper!.pid}/ns/net`);
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) !== ns) continue;
      if (comm.test(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) out.push(Number(entry));
    } catch {
      continue;
    }
  }
  return out;
}

// Kills the host's sshd and every session it serves, as if the machine dropped off the network.
export function killSessions(host: LabHost): number[] {
  const pids = hostPids(host, /^sshd/);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      continue;
    }
  }
  return pids;
}

// Command lines of the host's processes matching a pattern (like pgrep -af, scoped to the host).
export async function hostProcesses(host: LabHost, pattern: string): Promise<string[]> {
  const pids = hostPids(host, /./);
  return pids
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd.includes(pattern));
}

// Mode, owner uid and inode of a file on a host.
export function fileInfo(host: LabHost, rel: string): { mode: string; uid: number; ino: number } {
  const st = statSync(dataPath(host, rel));
  return { mode: (st.mode & 0o7777).toString(8).padStart(4, '0'), uid: st.uid, ino: st.ino };
}

export { runOnHost };
