import { $ } from 'zx';
import { join } from 'node:path';
import { TESTER_PASSWORD, TESTER_USER } from './lab-config.js';
import { cachedBuild } from './lab-cache.js';

const q = $({ quiet: true });

// Folder inside a whole-system host where the lab's package repository is mounted read-only.
export const REPO_MOUNT = '/srv/omsrun-repo';

// sshd settings of every whole-system host (the distribution's sshd_config stays; this is a drop-in).
const SSHD_DROP_IN = [
  'PermitRootLogin yes',
  'PasswordAuthentication yes',
  'KexAlgorithms curve25519-sha256',
  'MaxSessions 100',
  'MaxStartups 200:30:400',
  'UseDNS no',
  'PrintMotd no',
  'PrintLastLog no',
  '',
].join('\n');

// Units that would fire at random times (apt's daily jobs take the dpkg lock) or wait on a console no one uses.
const MASKED_UNITS = ['apt-daily.timer', 'apt-daily-upgrade.timer', 'dpkg-db-backup.timer', 'e2scrub_all.timer', 'systemd-tmpfiles-clean.timer', 'console-getty.service'];

/**
 * The whole-system root file system: Debian from its archive, then the lab's own changes. Any change here gives a new
 * hash, so a new cache folder.
 */
export const ROOTFS_RECIPE = {
  suite: 'bookworm',
  variant: 'minbase',
  include: ['systemd-sysv', 'openssh-server', 'dbus', 'iproute2', 'sudo', 'procps', 'cron', 'kmod', 'passwd', 'gnupg'],
  sshdDropIn: SSHD_DROP_IN,
  masked: MASKED_UNITS,
  tester: { user: TESTER_USER, password: TESTER_PASSWORD },
  sources: `deb [trusted=yes] file:${REPO_MOUNT} ./\n`,
  version: 1,
};

// Debian archive the root file system comes from ($OMSRUN_LAB_MIRROR or deb.debian.org); not part of the recipe hash.
export function labMirror(): string {
  return process.env['OMSRUN_LAB_MIRROR'] ?? 'http://deb.debian.org/debian';
}

// debootstrap, then: no host keys (each host gets its own), only the lab repository as apt source, masked timers,
// the tester user with its password and a sudo rule.
async function buildRootfs(work: string): Promise<void> {
  const root = join(work, 'root');
  const r = ROOTFS_RECIPE;
  await q`debootstrap --variant=${r.variant} --include=${r.include.join(',')} ${r.suite} ${root} ${labMirror()}`;
  const hash = (await q`openssl passwd -6 ${r.tester.password}`).stdout.trim();
  const script = [
    'set -e',
    'rm -f "$ROOT"/etc/ssh/ssh_host_*',
    'printf "%s" "$SSHD" > "$ROOT/etc/ssh/sshd_config.d/omsrun-lab.conf"',
    'printf "%s" "$SOURCES" > "$ROOT/etc/apt/sources.list"',
    'rm -f "$ROOT"/etc/apt/sources.list.d/*',
    'for unit in $MASKED; do ln -sf /dev/null "$ROOT/etc/systemd/system/$unit"; done',
    'chroot "$ROOT" useradd -m -s /bin/bash -p "$HASH" "$TESTER"',
    'printf "%s ALL=(ALL) ALL\\n" "$TESTER" > "$ROOT/etc/sudoers.d/$TESTER"',
    'chmod 440 "$ROOT/etc/sudoers.d/$TESTER"',
    ': > "$ROOT/etc/machine-id"',
    'chroot "$ROOT" apt-get clean',
    'rm -rf "$ROOT"/var/lib/apt/lists/*',
  ].join('\n');
  await $({
    quiet: true,
    env: { ...process.env, ROOT: root, SSHD: r.sshdDropIn, SOURCES: r.sources, MASKED: r.masked.join(' '), HASH: hash, TESTER: r.tester.user },
  })`sh -c ${script}`;
}

// The cached root file system folder (building it the first time on this machine, ~1 min).
export async function ensureRootfs(): Promise<string> {
  const dir = await cachedBuild('rootfs', ROOTFS_RECIPE, buildRootfs);
  return join(dir, 'root');
}
