// Distribution, version and OS family from os-release and the release files, named as Ansible names them.

/** os-release ID → Ansible's ansible_distribution. */
const DISTRIBUTION_BY_ID: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  raspbian: 'Debian',
  linuxmint: 'Linux Mint',
  kali: 'Kali',
  devuan: 'Devuan',
  uos: 'Uos',
  deepin: 'Deepin',
  rhel: 'RedHat',
  centos: 'CentOS',
  rocky: 'Rocky',
  almalinux: 'AlmaLinux',
  ol: 'OracleLinux',
  fedora: 'Fedora',
  amzn: 'Amazon',
  openeuler: 'openEuler',
  anolis: 'Anolis',
  alinux: 'Alibaba',
  kylin: 'Kylin Linux Advanced Server',
  tencentos: 'TencentOS',
  euleros: 'EulerOS',
  alpine: 'Alpine',
  sles: 'SLES',
  sles_sap: 'SLES_SAP',
  'opensuse-leap': 'openSUSE Leap',
  'opensuse-tumbleweed': 'openSUSE Tumbleweed',
  arch: 'Archlinux',
  manjaro: 'Manjaro',
  gentoo: 'Gentoo',
};

/** Ansible's OS_FAMILY_MAP (distribution/system.py), for the distributions above. */
const FAMILY_MEMBERS: Record<string, string[]> = {
  RedHat: ['RedHat', 'CentOS', 'Rocky', 'AlmaLinux', 'OracleLinux', 'Fedora', 'Amazon', 'openEuler', 'Anolis', 'Alibaba', 'Kylin Linux Advanced Server', 'TencentOS', 'EulerOS'],
  Debian: ['Debian', 'Ubuntu', 'Linux Mint', 'Kali', 'Devuan', 'Uos', 'Deepin'],
  Suse: ['SLES', 'SLES_SAP', 'openSUSE Leap', 'openSUSE Tumbleweed'],
  Archlinux: ['Archlinux', 'Manjaro'],
  Alpine: ['Alpine'],
  Gentoo: ['Gentoo'],
};

export interface Distribution {
  distribution: string;
  distribution_version: string;
  distribution_major_version: string;
  distribution_release: string;
  os_family: string;
}

/** Files the script reads for the distribution. */
export interface ReleaseFiles {
  osRelease: string;
  debianVersion: string;
  redhatRelease: string;
  alpineRelease: string;
  /** `uname -s`, the fallback family (Ansible: the system name). */
  system: string;
}

// KEY=value lines, values unquoted as a shell would.
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if (/^"(.*)"$/.test(v)) v = v.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    else if (/^'(.*)'$/.test(v)) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

function familyOf(distribution: string, system: string): string {
  for (const [family, members] of Object.entries(FAMILY_MEMBERS)) if (members.includes(distribution)) return family;
  return system || 'NA';
}

function versionParts(id: string, os: Record<string, string>, files: ReleaseFiles): { version: string; release: string } {
  const codename = os.VERSION_CODENAME ?? os.UBUNTU_CODENAME ?? '';
  if (id === 'debian' && /^\d+(\.\d+)*$/.test(files.debianVersion.trim())) {
    return { version: files.debianVersion.trim(), release: codename || 'NA' };
  }
  if (id === 'alpine') return { version: files.alpineRelease.trim() || os.VERSION_ID || '', release: 'NA' };
  const rh = /release (\d+(?:\.\d+)?)[.\d]*\s*(?:\(([^)]*)\))?/.exec(files.redhatRelease);
  if (rh && FAMILY_MEMBERS.RedHat!.includes(DISTRIBUTION_BY_ID[id] ?? '')) {
    return { version: rh[1]!, release: rh[2] ?? (codename || 'NA') };
  }
  const paren = /\(([^)]*)\)/.exec(os.VERSION ?? '');
  return { version: os.VERSION_ID ?? '', release: codename || paren?.[1] || 'NA' };
}

// ansible_distribution and friends; unknown systems get os-release's NAME and the system as family, as Ansible does.
export function distributionOf(files: ReleaseFiles): Distribution {
  const os = parseOsRelease(files.osRelease);
  const id = (os.ID ?? '').toLowerCase();
  const distribution = DISTRIBUTION_BY_ID[id] ?? os.NAME ?? (files.system || 'NA');
  const { version, release } = versionParts(id, os, files);
  return {
    distribution,
    distribution_version: version || 'NA',
    distribution_major_version: version ? version.split('.')[0]! : 'NA',
    distribution_release: release,
    os_family: familyOf(distribution, files.system),
  };
}
