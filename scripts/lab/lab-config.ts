import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

// A process the lab started, identified by pid and kernel start time so a reused pid is never killed.
export interface PidRef {
  pid: number;
  /** Field 22 of /proc/PID/stat when the process was recorded. */
  start: string;
}

// One simulated machine: its namespaces, address, folder and the processes that make it up.
export interface LabHost {
  name: string;
  ip: string;
  netns: string;
  veth: string;
  /** Host folder in the lab dir (sshd_config, host key, data, logs). */
  dir: string;
  labDir: string;
  /** Unix socket of this host's Docker engine, reachable from the controller. */
  dockerSocket?: string;
  /** Name of the cgroup every container of this host's engine lives under. */
  cgroupParent?: string;
  hostKeyPub: string;
  /** A whole Linux system (systemd as PID 1, apt) rather than sshd in namespaces; its keeper is the container's init. */
  system?: boolean;
  /** Overlay root of a whole-system host, mounted on the controller. */
  rootMount?: string;
  pids: { keeper?: PidRef; sshd?: PidRef; dockerd?: PidRef; nspawn?: PidRef };
  /** Mount namespace of the keeper, as readlink /proc/PID/ns/mnt shows it. */
  mntns?: string;
}

// Everything a test or tool needs to reach the lab, saved as lab.json.
export interface LabState {
  version: 1;
  name: string;
  dir: string;
  /** Address block, e.g. 198.18.0.0/17; the bridge holds its first address. */
  subnet: string;
  bridge: string;
  bridgeIp: string;
  prefixLength: number;
  hosts: LabHost[];
  keyFile: string;
  knownHosts: string;
  inventory: string;
  tester: { user: string; password: string; uid: number };
  upMs: number;
  createdAt: string;
}

/** Options of `labUp`. */
export interface LabUpOptions {
  /** Number of SSH hosts (h1..hN). */
  hosts: number;
  /** The first K hosts also run a Docker engine. @defaultValue 0 */
  docker?: number;
  /** The last K hosts are whole Linux systems (systemd as PID 1, apt, the lab's package repository). @defaultValue 0 */
  system?: number;
  /** Short prefix for namespace and interface names. @defaultValue 'oms' */
  name?: string;
  /** Lab folder. @defaultValue $OMSRUN_LAB_DIR or /tmp/omsrun-lab */
  dir?: string;
  /** Address block inside 198.18.0.0/15 (/16../24); side labs take one from `freeSideSubnet()`. @defaultValue '198.18.0.0/17' */
  subnet?: string;
  /** Hosts started at once. @defaultValue 16 */
  concurrency?: number;
}

export const TESTER_USER = 'tester';
export const TESTER_PASSWORD = 'lab-tester-Pw1';

// Default lab folder, overridable so a second lab can live beside the shared one.
export function defaultLabDir(): string {
  return process.env['OMSRUN_LAB_DIR'] ?? '/tmp/omsrun-lab';
}

// Interface names are limited to 15 characters, so lab names stay short.
export function checkLabName(name: string): string {
  if (!/^[a-z][a-z0-9]{0,5}$/.test(name)) {
    throw new Error(`lab name must be 1-6 lowercase letters or digits, starting with a letter; got "${name}"`);
  }
  return name;
}

// Names derived from the lab name, shared by setup and leftover clearing.
export function labNames(name: string): { bridge: string; netnsPrefix: string; vethPrefix: string; cgroupPrefix: string } {
  return { bridge: `${name}br0`, netnsPrefix: `${name}-h`, vethPrefix: `${name}v`, cgroupPrefix: `omsrun-${name}-h` };
}

// lab.json path inside a lab folder.
export function stateFile(dir: string): string {
  return join(dir, 'lab.json');
}

// Reads lab.json, or undefined when there is none or it is unreadable.
export function readState(dir: string = defaultLabDir()): LabState | undefined {
  const file = stateFile(dir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

// Writes lab.json atomically so a reader never sees half a file.
export function writeState(state: LabState): void {
  const file = stateFile(state.dir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

// Per-host pid record written as soon as a process starts, so a crashed `up` can still be cleared.
export function writeHostPids(host: LabHost): void {
  const file = join(host.dir, 'pids.json');
  writeFileSync(`${file}.tmp`, JSON.stringify({ pids: host.pids, mntns: host.mntns, cgroupParent: host.cgroupParent, rootMount: host.rootMount }));
  renameSync(`${file}.tmp`, file);
}
