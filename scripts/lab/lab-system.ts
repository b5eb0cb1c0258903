import { $ } from 'zx';
import { spawn } from 'node:child_process';
import { chownSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabHost, TESTER_USER, writeHostPids } from './lab-config.js';
import { killContainers } from './lab-docker.js';
import { REPO_MOUNT } from './lab-rootfs.js';
import { isAlive, pidRef, stopRefs, waitFor } from './proc.js';

const q = $({ quiet: true });

/** What every whole-system host of a lab is made from. */
export interface SystemImages {
  /** Cached Debian root folder, the read-only lower layer of each host's overlay. */
  rootfs: string;
  /** Cached package repository, mounted read-only at REPO_MOUNT. */
  repo: string;
  /** The lab's authorized_keys (root and the tester user log in with the lab key). */
  authorizedKeys: string;
}

// The cgroup hierarchies nspawn needs to place the container in, on a hybrid (v1 + name=systemd + unified) machine.
const CGROUP_HIERARCHIES = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'];

// Writes a file into the booted-to-be root as root, keeping the folder's metadata (the overlay copies it up).
function writeInto(root: string, path: string, content: string, mode: number, owner?: { uid: number; gid: number }): void {
  const dest = join(root, path);
  mkdirSync(join(dest, '..'), { recursive: true });
  writeFileSync(dest, content, { mode });
  if (owner) chownSync(dest, owner.uid, owner.gid);
}

// The tester's uid and gid inside the root file system.
function testerIds(root: string): { uid: number; gid: number } {
  const line = readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n').find((l) => l.startsWith(`${TESTER_USER}:`));
  if (!line) throw new Error(`the root file system has no ${TESTER_USER} user`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

// Gives the host its own copy of the root (an overlay on the cached one) with its name, host key and login keys.
async function prepareRoot(host: LabHost, images: SystemImages): Promise<string> {
  const upper = join(host.dir, 'upper');
  const work = join(host.dir, 'overlay-work');
  const root = join(host.dir, 'root');
  for (const d of [upper, work, root]) mkdirSync(d, { recursive: true });
  await q`mount -t overlay overlay -o ${`lowerdir=${images.rootfs},upperdir=${upper},workdir=${work}`} ${root}`;
  host.rootMount = root;
  writeHostPids(host);
  writeInto(root, 'etc/hostname', `${host.name}\n`, 0o644);
  writeInto(root, 'etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${host.name}\n${host.ip}\t${host.name}\n`, 0o644);
  const keys = readFileSync(images.authorizedKeys, 'utf8');
  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
  writeInto(root, 'root/.ssh/authorized_keys', keys, 0o600);
  const tester = testerIds(root);
  const testerSsh = join(root, 'home', TESTER_USER, '.ssh');
  mkdirSync(testerSsh, { recursive: true, mode: 0o700 });
  chownSync(testerSsh, tester.uid, tester.gid);
  writeInto(root, `home/${TESTER_USER}/.ssh/authorized_keys`, keys, 0o600, tester);
  const key = join(root, 'etc/ssh/ssh_host_ed25519_key');
  await q`ssh-keygen -q -t ed25519 -N ${''} -C ${host.name} -f ${key}`;
  copyFileSync(`${key}.pub`, join(host.dir, 'ssh_host_ed25519_key.pub'));
  host.hostKeyPub = readFileSync(`${key}.pub`, 'utf8').trim();
  return root;
}

const commOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

// The pid of the container's init: the systemd child of the systemd-nspawn that the host's boot loop runs now.
export function leaderOf(loop: number): number | undefined {
  const nspawn = childrenOf(loop).find((pid) => commOf(pid) === 'systemd-nspawn');
  return nspawn === undefined ? undefined : childrenOf(nspawn).find((pid) => commOf(pid) === 'systemd');
}

// Runs nspawn again when the container rebooted (nspawn exits 133 then), so a host comes back after `reboot`; a TERM
// to the loop reaches nspawn, which powers the container off, and the loop ends with it.
const BOOT_LOOP = [
  'stop=',
  'trap \'stop=1; kill -TERM "$child" 2>/dev/null\' TERM INT',
  'while :; do',
  '  "$@" & child=$!',
  '  while :; do rc=0; wait "$child" || rc=$?; kill -0 "$child" 2>/dev/null || break; done',
  '  [ -z "$stop" ] && [ "$rc" -eq 133 ] || exit "$rc"',
  'done',
].join('\n');

/**
 * Boots a whole Debian system in the host's network namespace: systemd-nspawn --boot on an overlay of the cached root,
 * in a cgroup of its own, systemd as PID 1, sshd started by systemd, booted again when it reboots. Returns once
 * `systemctl is-system-running --wait` answers (running or degraded).
 */
export async function startSystemHost(host: LabHost, images: SystemImages): Promise<void> {
  const root = await prepareRoot(host, images);
  host.cgroupParent = `omsrun-${host.netns}`;
  host.system = true;
  const cgroups = CGROUP_HIERARCHIES.filter((h) => existsSync(join(h, 'cgroup.procs'))).map((h) => join(h, host.cgroupParent!));
  for (const c of cgroups) mkdirSync(c, { recursive: true });
  const nspawn = [
    'systemd-nspawn', '--quiet', '--boot', `--directory=${root}`, `--machine=${host.netns}`, `--hostname=${host.name}`,
    '--register=no', '--keep-unit', '--private-users=no', `--network-namespace-path=/run/netns/${host.netns}`,
    `--bind-ro=${images.repo}:${REPO_MOUNT}`, '--resolv-conf=off', '--timezone=off', '--link-journal=no', '--console=read-only',
  ];
  // The shell joins the host's own cgroups first: nspawn with --keep-unit makes its supervisor and payload groups there.
  // The container gets the unified (v2) hierarchy: under this machine's hybrid layout systemd inside would otherwise
  // never hear that a service's cgroup became empty, and a stop would wait in final-sigterm until its timeout.
  // /proc/sys/net is writable (the host's network namespace is its own, so net.* keys touch that host only); the rest
  // of /proc/sys stays read-only, since vm.* and most kernel.* keys are the machine's.
  const enter = cgroups.map((c) => `echo $$ > '${c}/cgroup.procs'`).join('; ');
  const log = openSync(join(host.dir, 'console.log'), 'w');
  const child = spawn('sh', ['-c', `set -e; ${enter}; set +e\n${BOOT_LOOP}`, 'sh', ...nspawn], {
    detached: true, stdio: ['ignore', log, log], env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1', SYSTEMD_NSPAWN_API_VFS_WRITABLE: 'network' },
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`${host.name}: could not start systemd-nspawn`);
  host.pids.nspawn = pidRef(child.pid);
  writeHostPids(host);
  let leader: number | undefined;
  const started = await waitFor(() => (leader = leaderOf(child.pid!)) !== undefined || !isAlive(host.pids.nspawn), 30_000, 20);
  if (!started || leader === undefined) throw new Error(`${host.name}: systemd did not start:\n${consoleTail(host)}`);
  host.pids.keeper = pidRef(leader);
  host.mntns = readlinkSync(`/proc/${leader}/ns/mnt`);
  writeHostPids(host);
  const bus = `/proc/${leader}/root/run/systemd/private`;
  await waitFor(() => existsSync(bus) || !isAlive(host.pids.keeper), 60_000, 50);
  const state = await q`nsenter -t ${leader} -a timeout 90 systemctl is-system-running --wait`.nothrow();
  const said = state.stdout.trim();
  if (said !== 'running' && said !== 'degraded') {
    throw new Error(`${host.name}: systemd did not finish booting (is-system-running: ${said || state.stderr.trim()}):\n${consoleTail(host)}`);
  }
}

function consoleTail(host: LabHost): string {
  try {
    return readFileSync(join(host.dir, 'console.log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no console log)';
  }
}

// Shuts whole-system hosts down: nspawn asks systemd to power off; what is left in their cgroups is killed.
export async function stopSystemHosts(records: { pids: { nspawn?: LabHost['pids']['nspawn'] }; cgroupParent?: string }[]): Promise<void> {
  const refs = records.map((r) => r.pids.nspawn).filter(isAlive);
  if (refs.length === 0) return;
  await stopRefs(refs, 20_000);
  await Promise.all(records.map((r) => (r.cgroupParent ? killContainers(r.cgroupParent) : undefined)));
}

// Unmounts every overlay root left under the lab folder (read from /proc/mounts, deepest first).
export async function unmountRoots(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')
    .map((m) => m.replace(/\\040/g, ' ')).filter((m) => m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
  for (const m of mounts) await q`umount -l ${m}`.nothrow();
}

