// Date and time, the login user, the environment, the service and package managers, as Ansible reports them.

// `date '+%Y|%m|%A|%w|%W|%d|%H|%M|%S|%s|%Z|%z|%N'`: every field a string, as in Ansible's date_time.
export function dateTimeOf(line: string): Record<string, string> | undefined {
  const f = line.trim().split('|');
  if (f.length < 13) return undefined;
  const [year, month, weekday, weekdayNumber, weeknumber, day, hour, minute, second, epoch, tz, offset, nanos] = f as string[] as [
    string, string, string, string, string, string, string, string, string, string, string, string, string,
  ];
  const micro = /^\d{9}$/.test(nanos!) ? nanos!.slice(0, 6) : '000000';
  const utc = new Date(Number(epoch) * 1000).toISOString().slice(0, 19);
  return {
    year, month, weekday, weekday_number: weekdayNumber, weeknumber, day, hour, minute, second,
    epoch, epoch_int: epoch,
    date: `${year}-${month}-${day}`,
    time: `${hour}:${minute}:${second}`,
    iso8601: `${utc}Z`,
    iso8601_micro: `${utc}.${micro}Z`,
    iso8601_basic: `${year}${month}${day}T${hour}${minute}${second}${micro}`,
    iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
    tz, tz_dst: tz, tz_offset: offset,
  };
}

// `id -un; id -u; id -g` and the user's passwd line.
export function userOf(id: string, passwd: string): Record<string, unknown> {
  const [name = '', uid = '', gid = ''] = id.trim().split('\n');
  const pw = passwd.trim().split('\n')[0]?.split(':') ?? [];
  const out: Record<string, unknown> = { user_id: name };
  if (/^\d+$/.test(uid)) out.user_uid = Number(uid);
  if (/^\d+$/.test(gid)) out.user_gid = Number(gid);
  if (pw.length >= 7) Object.assign(out, { user_gecos: pw[4], user_dir: pw[5], user_shell: pw[6] });
  return out;
}

// NUL-separated (/proc/PID/environ) or, without /proc, `env` lines.
export function envOf(text: string): Record<string, string> {
  const entries = text.includes('\0') ? text.split('\0') : text.split('\n');
  const out: Record<string, string> = {};
  for (const e of entries) {
    const at = e.indexOf('=');
    if (at > 0) out[e.slice(0, at)] = e.slice(at + 1);
  }
  return out;
}

const PROC1_NAMES: Record<string, string> = { procd: 'openwrt_init', 'runit-init': 'runit', svscan: 'svc', 'openrc-init': 'openrc' };

// Ansible's service_mgr: pid 1's name unless it is `init` or a shell, then what the file system shows.
export function serviceMgrOf(pid1: string, init: string): string {
  const name = pid1.trim().split('/').pop() ?? '';
  if (name && name !== 'init' && !name.endsWith('sh')) return PROC1_NAMES[name] ?? name;
  const seen = new Set(init.split('\n').map((l) => l.trim()));
  if (seen.has('systemd-run')) return 'systemd';
  if (seen.has('upstart')) return 'upstart';
  if (seen.has('openrc')) return 'openrc';
  if (seen.has('init.d')) return 'sysvinit';
  return 'service';
}

const PKG_NAMES: Record<string, string> = {
  '/usr/bin/rpm-ostree': 'atomic_container',
  '/usr/bin/yum': 'yum',
  '/usr/bin/dnf': 'dnf',
  '/usr/bin/apt-get': 'apt',
  '/usr/bin/zypper': 'zypper',
  '/usr/sbin/urpmi': 'urpmi',
  '/usr/bin/pacman': 'pacman',
  '/bin/opkg': 'opkg',
  '/sbin/apk': 'apk',
  '/usr/bin/emerge': 'portage',
  '/usr/bin/xbps-install': 'xbps',
};

// Ansible's pkg_mgr: the last known binary found, then the family's own default (apt on Debian, yum before RHEL 8).
export function pkgMgrOf(found: string, osFamily: string, majorVersion: string, init: string): string {
  const lines = found.split('\n').map((l) => l.trim());
  let name = 'unknown';
  for (const p of lines) if (PKG_NAMES[p]) name = PKG_NAMES[p]!;
  if (osFamily === 'RedHat') {
    if (init.split('\n').includes('ostree')) return 'atomic_container';
    if (name === 'dnf' && lines.some((l) => /^dnf->(.*\/)?dnf5$/.test(l))) name = 'dnf5';
    else if (name === 'unknown' && lines.includes('/usr/bin/microdnf')) name = 'dnf';
    if (Number(majorVersion) < 8 && lines.includes('/usr/bin/yum')) name = 'yum';
  } else if (osFamily === 'Debian') name = 'apt';
  return name;
}
