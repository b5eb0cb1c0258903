import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, join } from 'node:path';
import { type LabHost, writeHostPids } from './lab-config.js';
import { enterArgs } from './lab-host.js';
import { isAlive, killPids, pidRef, pidsByNamespace, procStart, signalRef, stopRefs, waitFor } from './proc.js';

// runc wrapper: these machines lack CAP_SYS_RESOURCE in the bounding set, so drop it from the OCI spec.
export const RUNTIME_WRAPPER = `#!/bin/sh
# Removes CAP_SYS_RESOURCE from the OCI spec or process file, then runs runc with the same arguments.
strip() {
  [ -f "$1" ] || return 0
  sed -i -E -e 's/"CAP_SYS_RESOURCE"[[:space:]]*,[[:space:]]*//g' \\
    -e 's/,[[:space:]]*"CAP_SYS_RESOURCE"//g' \\
    -e 's/\\[[[:space:]]*"CAP_SYS_RESOURCE"[[:space:]]*\\]/[]/g' "$1"
}
cmd=""
bundle="."
prev=""
for a in "$@"; do
  case "$prev" in
    --bundle|-b) bundle="$a" ;;
    --process|-p) strip "$a" ;;
  esac
  case "$a" in
    --bundle=*) bundle="\${a#--bundle=}" ;;
    --process=*) strip "\${a#--process=}" ;;
    create|run) [ -z "$cmd" ] && cmd="$a" ;;
  esac
  prev="$a"
done
if [ "$cmd" = create ] || [ "$cmd" = run ]; then strip "$bundle/config.json"; fi
exec runc "$@"
`;

// Writes the runtime wrapper into the lab folder and returns its path.
export function writeRuntimeWrapper(labDir: string): string {
  const file = join(labDir, 'runtime-wrapper.sh');
  writeFileSync(file, RUNTIME_WRAPPER, { mode: 0o755 });
  return file;
}

// GET /_ping on an engine socket; true when it answers OK.
export function pingDocker(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

// Starts the host's Docker engine with its own roots, no iptables or bridge, and the wrapper runtime.
export async function startDockerd(host: LabHost, wrapper: string): Promise<void> {
  // After a crash: dockerd 20.10 takes a zombie's pid for a live engine, so pid files of dead processes must go.
  for (const file of enginePidFiles(host)) {
    const pid = pidIn(file);
    if (pid !== undefined && procStart(pid) === undefined) rmSync(file, { force: true });
  }
  const socket = join(host.dir, 'docker.sock');
  host.dockerSocket = socket;
  host.cgroupParent = `omsrun-${host.netns}`;
  mkdirSync(join(host.dir, 'docker'), { recursive: true });
  writeFileSync(join(host.dir, 'daemon.json'), '{}\n');
  const args = [
    ...enterArgs(host),
    'dockerd',
    `--config-file=${join(host.dir, 'daemon.json')}`,
    `--data-root=${join(host.dir, 'docker')}`,
    '--exec-root=/run/docker',
    '--pidfile=/run/docker.pid',
    '--host=unix:///run/docker.sock',
    `--host=unix://${socket}`,
    '--iptables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    '--bridge=none',
    '--userland-proxy=false',
    `--cgroup-parent=/${host.cgroupParent}`,
    `--add-runtime=lab=${wrapper}`,
    '--default-runtime=lab',
    '--log-level=warn',
  ];
  const log = openSync(join(host.dir, 'dockerd.log'), 'w');
  const child = spawn('nsenter', args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`${host.name}: could not start dockerd`);
  host.pids.dockerd = pidRef(child.pid);
  writeHostPids(host);
  const ok = await waitFor(async () => !isAlive(host.pids.dockerd) || (await pingDocker(socket)), 60_000, 100);
  if (!ok || !isAlive(host.pids.dockerd)) {
    const tail = readFileSync(join(host.dir, 'dockerd.log'), 'utf8').split('\n').slice(-8).join('\n');
    throw new Error(`${host.name}: dockerd did not come up:\n${tail}`);
  }
}

// Cgroup folders (any v1 controller or v2) named after a host's container parent.
export function cgroupDirs(parent: string): string[] {
  const root = '/sys/fs/cgroup';
  const dirs: string[] = [];
  const direct = join(root, parent);
  if (existsSync(join(direct, 'cgroup.procs'))) dirs.push(direct);
  for (const ctrl of existsSync(root) ? readdirSync(root) : []) {
    const dir = join(root, ctrl, parent);
    if (existsSync(join(dir, 'cgroup.procs'))) dirs.push(dir);
  }
  return dirs;
}

// Kills every container process of the host's engine (by cgroup membership) and removes the cgroups.
export async function killContainers(parent: string): Promise<void> {
  const dirs = cgroupDirs(parent);
  const procsUnder = (dir: string): number[] => {
    const out: number[] = [];
    const walk = (d: string): void => {
      try {
        out.push(...readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number));
        for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
      } catch {
        // removed meanwhile
      }
    };
    walk(dir);
    return out;
  };
  await waitFor(() => {
    const pids = dirs.flatMap(procsUnder);
    killPids(pids);
    return pids.length === 0;
  }, 5000, 50);
  const rmTree = (d: string): void => {
    try {
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) rmTree(join(d, e.name));
      rmdirSync(d);
    } catch {
      // busy or gone; the next teardown retries
    }
  };
  dirs.forEach(rmTree);
}

// Pid files of the engine in the host's /run: dockerd's and the containerd it supervises.
function enginePidFiles(host: LabHost): string[] {
  const run = `/proc/${host.pids.keeper?.pid}/root/run`;
  return [`${run}/docker.pid`, `${run}/docker/containerd/containerd.pid`];
}

function pidIn(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

// The containerd shims of the host's engine: processes in the host's mount namespace running containerd-shim*.
function engineShims(host: LabHost): number[] {
  const mnt = readlinkSync(`/proc/${host.pids.keeper!.pid}/ns/mnt`);
  return (pidsByNamespace('mnt').get(mnt) ?? []).filter((pid) => {
    try {
      return basename(readlinkSync(`/proc/${pid}/exe`)).startsWith('containerd-shim');
    } catch {
      return false;
    }
  });
}

// Kills a host's whole engine as a crash would (SIGKILL, no shutdown): dockerd, its containerd and their shims, then
// the containers, as a reboot or an OOM kill of the engine does. A shim left alive would outlive its killed container
// and give the restarted dockerd a dead task to restore, which no real crash leaves: dockerd 20.10 then closes the
// container's stdin at its next start, and a `-i -t` container (OMS's) is hung up on while it starts ("cannot start
// a container that has stopped", or exit code 2), depending on timing.
export async function killDockerd(host: LabHost): Promise<void> {
  const containerd = pidIn(enginePidFiles(host)[1] as string);
  const refs = [host.pids.dockerd, containerd !== undefined && procStart(containerd) ? pidRef(containerd) : undefined];
  for (const ref of refs) signalRef(ref, 'SIGKILL');
  await waitFor(() => !refs.some(isAlive), 10_000, 20);
  // After containerd: a shim it was starting may appear late, so until none is left.
  await waitFor(() => {
    const shims = engineShims(host);
    killPids(shims);
    return shims.length === 0;
  }, 5000, 20);
  if (host.cgroupParent) await killContainers(host.cgroupParent);
  delete host.pids.dockerd;
  writeHostPids(host);
}

// Stops a host's engine: its containers first (so shutdown does not wait on them), then dockerd.
export async function stopDockerd(host: LabHost): Promise<void> {
  if (host.cgroupParent) await killContainers(host.cgroupParent);
  await stopRefs([host.pids.dockerd], 15_000);
  delete host.pids.dockerd;
  writeHostPids(host);
}
