import { $ } from 'zx';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readlinkSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { type LabHost, TESTER_USER, writeHostPids } from './lab-config.js';
import { isAlive, killPids, pidRef, pidsByNamespace, stopRefs, waitFor } from './proc.js';

const q = $({ quiet: true });

/** Account files shared by every host before per-host copies are written. */
export interface AccountFiles {
  passwd: string;
  shadow: string;
  group: string;
  hosts: string;
  uid: number;
}

// Builds /etc/passwd, shadow and group texts with the tester user added (hash from openssl passwd -6).
export async function accountFiles(password: string): Promise<AccountFiles> {
  const strip = (text: string): string =>
    text.split('\n').filter((l) => l !== '' && !l.startsWith(`${TESTER_USER}:`)).join('\n') + '\n';
  const passwd = strip(readFileSync('/etc/passwd', 'utf8'));
  const group = strip(readFileSync('/etc/group', 'utf8'));
  const used = new Set([...passwd.split('\n'), ...group.split('\n')].map((l) => Number(l.split(':')[2])));
  let uid = 2000;
  while (used.has(uid)) uid++;
  const hash = (await q`openssl passwd -6 ${password}`).stdout.trim();
  return {
    passwd: `${passwd}${TESTER_USER}:x:${uid}:${uid}:lab tester:/home/${TESTER_USER}:/bin/bash\n`,
    shadow: `${strip(readFileSync('/etc/shadow', 'utf8'))}${TESTER_USER}:${hash}:19000:0:99999:7:::\n`,
    group: `${group}${TESTER_USER}:x:${uid}:\n`,
    hosts: readFileSync('/etc/hosts', 'utf8'),
    uid,
  };
}

// sshd_config of one host, with the settings the product and the benchmarks rely on.
export function sshdConfig(host: LabHost): string {
  return [
    `ListenAddress ${host.ip}`,
    'Port 22',
    `HostKey ${join(host.dir, 'ssh_host_ed25519_key')}`,
    `AuthorizedKeysFile ${join(host.labDir, 'authorized_keys')} .ssh/authorized_keys`,
    'PidFile /run/sshd.pid',
    // The same exchange under its older name too: paramiko (hence pyinfra) knows only that one.
    'KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org',
    'MaxSessions 100',
    'MaxStartups 200:30:400',
    'Subsystem sftp internal-sftp',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication yes',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'AcceptEnv LANG LC_*',
    '',
  ].join('\n');
}

// Writes a host's folder: host key, sshd_config, data, tester home and account files.
export async function prepareHostDir(host: LabHost, accounts: AccountFiles): Promise<void> {
  rmSync(host.dir, { recursive: true, force: true });
  for (const sub of ['data', 'etc', `home/${TESTER_USER}`]) mkdirSync(join(host.dir, sub), { recursive: true });
  const home = join(host.dir, 'home', TESTER_USER);
  writeFileSync(join(home, '.bashrc'), readFileSync('/etc/skel/.bashrc'));
  chownSync(home, accounts.uid, accounts.uid);
  chownSync(join(home, '.bashrc'), accounts.uid, accounts.uid);
  writeFileSync(join(host.dir, 'etc/passwd'), accounts.passwd, { mode: 0o644 });
  writeFileSync(join(host.dir, 'etc/shadow'), accounts.shadow, { mode: 0o640 });
  writeFileSync(join(host.dir, 'etc/group'), accounts.group, { mode: 0o644 });
  writeFileSync(join(host.dir, 'etc/hosts'), `${accounts.hosts}${host.ip}\t${host.name}\n`, { mode: 0o644 });
  host.hostKeyPub = await newHostKey(host);
  writeFileSync(join(host.dir, 'sshd_config'), sshdConfig(host));
}

// Generates a fresh ed25519 host key in the host folder and returns its public line.
export async function newHostKey(host: LabHost): Promise<string> {
  const key = join(host.dir, 'ssh_host_ed25519_key');
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  await q`ssh-keygen -q -t ed25519 -N ${''} -C ${host.name} -f ${key}`;
  return readFileSync(`${key}.pub`, 'utf8').trim();
}

// Shell run by the keeper inside the host's fresh mount and UTS namespaces before it sleeps forever.
function keeperScript(host: LabHost): string {
  const d = host.dir;
  return [
    'mount -t tmpfs -o mode=755 tmpfs /run',
    'mkdir -p /run/sshd /run/lock',
    `mount --bind '${d}/data' /data`,
    `mount --bind '${d}/home/${TESTER_USER}' /home/${TESTER_USER}`,
    'mount --bind /etc/skel/.bashrc /root/.bashrc',
    ...['passwd', 'shadow', 'group', 'hosts'].map((f) => `mount --bind '${d}/etc/${f}' /etc/${f}`),
    'mount -t tmpfs -o mode=755 tmpfs /etc/sudoers.d',
    `printf '%s\\n' '${TESTER_USER} ALL=(ALL) ALL' > /etc/sudoers.d/${TESTER_USER}`,
    `chmod 440 /etc/sudoers.d/${TESTER_USER}`,
    `hostname ${host.name}`,
    `: > '${d}/keeper.ready'`,
    'exec sleep infinity',
  ].join('\n');
}

// Starts the process that holds the host's mount namespace; every later process joins it.
export async function startKeeper(host: LabHost): Promise<void> {
  const log = openSync(join(host.dir, 'keeper.log'), 'w');
  const child = spawn(
    'nsenter',
    [`--net=/run/netns/${host.netns}`, 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-ec', keeperScript(host)],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`${host.name}: could not start nsenter`);
  host.pids.keeper = pidRef(child.pid);
  writeHostPids(host);
  const ready = join(host.dir, 'keeper.ready');
  const ok = await waitFor(() => existsSync(ready) || !isAlive(host.pids.keeper), 10_000, 5);
  if (!ok || !existsSync(ready)) {
    throw new Error(`${host.name}: namespace setup failed: ${readFileSync(join(host.dir, 'keeper.log'), 'utf8').trim()}`);
  }
  host.mntns = readlinkSync(`/proc/${child.pid}/ns/mnt`);
  writeHostPids(host);
}

// nsenter arguments that join the host's network, mount and UTS namespaces, after checking the keeper.
export function enterArgs(host: LabHost): string[] {
  const keeper = host.pids.keeper;
  if (!isAlive(keeper) || readlinkSync(`/proc/${keeper!.pid}/ns/mnt`) !== host.mntns) {
    throw new Error(`${host.name}: the host is not running (no namespace keeper)`);
  }
  return host.system ? ['-t', String(keeper!.pid), '-a'] : ['-t', String(keeper!.pid), '-m', '-n', '-u'];
}

// Starts the host's sshd (it daemonises once listening) and records its pid.
export async function startSshd(host: LabHost): Promise<void> {
  const pidFile = `/proc/${host.pids.keeper!.pid}/root/run/sshd.pid`;
  rmSync(pidFile, { force: true });
  const log = join(host.dir, 'sshd.log');
  await q`nsenter ${enterArgs(host)} /usr/sbin/sshd -f ${join(host.dir, 'sshd_config')} -E ${log}`;
  const ok = await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 5000);
  if (!ok) throw new Error(`${host.name}: sshd wrote no pid file; see ${log}`);
  host.pids.sshd = pidRef(Number(readFileSync(pidFile, 'utf8').trim()));
  writeHostPids(host);
}

// Stops the host's listening sshd; sessions already open keep running, as on a real machine.
export async function killSshd(host: LabHost): Promise<void> {
  await stopRefs([host.pids.sshd]);
  delete host.pids.sshd;
  writeHostPids(host);
}

// Kills the host's sshd and every SSH session it forked, as when the daemon is killed with its children (or the
// machine's SSH side dies): open connections drop. The host's sshd is then started again with startSshd.
export async function killSshdAndSessions(host: LabHost): Promise<void> {
  await killSshd(host);
  const mnt = readlinkSync(`/proc/${host.pids.keeper!.pid}/ns/mnt`);
  const sshd = (pidsByNamespace('mnt').get(mnt) ?? []).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sshd';
    } catch {
      return false;
    }
  });
  killPids(sshd);
}

/** Outcome of a command run inside a host's namespaces. */
export interface HostRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

// Runs a shell command as root inside the host's namespaces, without SSH.
export async function runOnHost(host: LabHost, command: string): Promise<HostRun> {
  const out = await q`nsenter ${enterArgs(host)} sh -c ${command}`.nothrow();
  return { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode ?? -1 };
}
