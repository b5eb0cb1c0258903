import { $ } from 'zx';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLabDir, hostDocker, labStatus, labUp, readState, type LabHost, type LabState } from '../../scripts/lab/lab-api.js';
import { importBusyboxImage, type BusyboxImageOptions } from '../../scripts/lab/busybox-image.js';
import { withDirLock } from '../../scripts/lab/proc.js';

export type Lab = LabState;
export type { LabHost };
export {
  hostDocker, killSshd, killSshdAndSessions, startSshd, restartSshd, runOnHost, replaceHostKey, restoreHostKey, stopHostDocker,
  killHostDocker, startHostDocker, labUp, labDown,
  freeSideSubnet, MAIN_SUBNET,
} from '../../scripts/lab/lab-api.js';

// Lab tests need root on Linux (namespaces, mounts, sshd, dockerd).
export function labAvailable(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

// For describe.skipIf(!labEnabled()): false off-root for local runs, but CI must never skip a lab test.
export function labEnabled(): boolean {
  if (labAvailable()) return true;
  if (process.env['CI'] === 'true') {
    throw new Error('lab tests need root on Linux, and CI=true forbids skipping them (run .ci/lab-deps.sh as root)');
  }
  return false;
}

// Cross-process lock (vitest runs files in parallel workers) on the lab folder.
function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return withDirLock(`${dir}.lock`, 10 * 60_000, 'lab', fn);
}

// True when the running lab has at least what is asked, every process is up and no host key is swapped.
async function labFits(dir: string, hosts: number, docker: number): Promise<boolean> {
  const s = await labStatus(dir);
  if (!s || s.hosts.length < hosts) return false;
  if (s.state.hosts.filter((h) => h.dockerSocket).length < docker) return false;
  if (!s.hosts.every((h) => h.keeper && h.sshd && h.docker !== false)) return false;
  return s.state.hosts.every((h) => {
    try {
      return readFileSync(join(h.dir, 'ssh_host_ed25519_key.pub'), 'utf8').trim() === h.hostKeyPub;
    } catch {
      return false;
    }
  });
}

/** What a test file needs from the shared lab. */
export interface EnsureLabOptions {
  /** At least this many SSH hosts. */
  hosts: number;
  /** At least this many of the first hosts with a Docker engine. @defaultValue 0 */
  docker?: number;
}

// Smallest lab ensureLab starts, so parallel test files asking for less never restart it under each other.
export function labFloor(): { hosts: number; docker: number } {
  return {
    hosts: Number(process.env['OMSRUN_LAB_MIN_HOSTS'] ?? 4),
    docker: Number(process.env['OMSRUN_LAB_MIN_DOCKER'] ?? 1),
  };
}

// Reuses the shared lab when it fits, otherwise brings one up (never smaller than the floor or the one running).
export async function ensureLab(opts: EnsureLabOptions): Promise<Lab> {
  if (!labEnabled()) throw new Error('lab not available: run as root on Linux');
  const dir = defaultLabDir();
  return withLock(dir, async () => {
    const docker = opts.docker ?? 0;
    if (await labFits(dir, opts.hosts, docker)) return readState(dir)!;
    const old = readState(dir);
    const oldDocker = old?.hosts.filter((h) => h.dockerSocket).length ?? 0;
    const floor = labFloor();
    return labUp({
      dir,
      hosts: Math.max(opts.hosts, floor.hosts, old?.hosts.length ?? 0),
      docker: Math.max(docker, floor.docker, oldDocker),
    });
  });
}

// Imports a busybox stand-in image into one host's engine unless it is there already.
export async function ensureBusyboxImage(host: LabHost, opts: BusyboxImageOptions): Promise<void> {
  const env = hostDocker(host);
  const has = await $({ quiet: true, nothrow: true, env: { ...process.env, ...env } })`docker image inspect ${opts.tag}`;
  if (has.exitCode === 0) return;
  const work = mkdtempSync(join(tmpdir(), 'omsrun-image-'));
  try {
    await importBusyboxImage(env, work, opts);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Outcome of an OpenSSH client command. */
export interface SshRun {
  code: number;
  stdout: string;
  stderr: string;
}

// Runs a command over the OpenSSH client with the lab key and strict checking against the lab known_hosts.
export function sshRun(lab: Lab, host: LabHost, user: string, command: string, input?: string): Promise<SshRun> {
  const args = [
    '-F', '/dev/null', '-i', lab.keyFile,
    '-o', `UserKnownHostsFile=${lab.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5',
    `${user}@${host.ip}`, command,
  ];
  return new Promise((resolve) => {
    const child = execFile('ssh', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
