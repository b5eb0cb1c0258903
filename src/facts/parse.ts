// The fact script's output, parsed on the controller into Ansible's facts (short names, as under ansible_facts).
import { distributionOf } from './distribution.js';
import { memoryOf, mountsOf, processorsOf } from './hardware.js';
import { networkOf } from './network.js';
import { SECTION_MARK } from './script.js';
import { dateTimeOf, envOf, pkgMgrOf, serviceMgrOf, userOf } from './system.js';

/** Facts by Ansible's short name (`os_family`, `default_ipv4`, ...): the value of `ansible_facts`. */
export type Facts = Record<string, unknown>;

// Section name → its raw text (without the newline that closes it).
export function splitSections(output: string): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = output.split(`\n${SECTION_MARK}`);
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n');
    const name = nl < 0 ? part : part.slice(0, nl);
    sections.set(name.trim(), nl < 0 ? '' : part.slice(nl + 1).replace(/\n$/, ''));
  }
  return sections;
}

/** True when the output reached the script's last section (a cut-off run is not a set of facts). */
export function isComplete(output: string): boolean {
  return splitSections(output).has('end');
}

// As Python's socket.getfqdn (Ansible): the names of the host name's address, the first holding a dot, else the
// first; without a resolver entry, `hostname -f`.
function fqdnOf(section: string, nodename: string): string {
  const [reverse = '', hostnameF = ''] = section.split('\n');
  const names = reverse.trim().split(/\s+/).slice(1);
  if (names.length) return names.find((n) => n.includes('.')) ?? names[0]!;
  return hostnameF.trim() || nodename;
}

export function parseFacts(output: string): Facts {
  const s = splitSections(output);
  const get = (name: string) => s.get(name) ?? '';
  const [system = '', nodename = '', kernel = '', kernelVersion = '', machine = ''] = get('uname').split('\n');
  const fqdn = fqdnOf(get('fqdn'), nodename);
  const dist = distributionOf({
    osRelease: get('os-release'),
    debianVersion: get('debian_version'),
    redhatRelease: get('redhat-release'),
    alpineRelease: get('alpine-release'),
    system,
  });
  const facts: Facts = {
    system,
    nodename,
    hostname: nodename.split('.')[0],
    fqdn,
    domain: fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '',
    kernel,
    kernel_version: kernelVersion,
    architecture: machine,
    machine,
    ...dist,
    ...memoryOf(get('meminfo')),
    ...processorsOf(get('cpuinfo'), get('nproc')),
    ...networkOf({ route: s.get('route'), addr: s.get('addr'), link: s.get('link'), procRoute: s.get('proc-route') }),
    mounts: mountsOf(get('mounts'), get('df'), get('df-inodes')),
    ...userOf(get('id'), get('passwd')),
    env: envOf(get('env')),
    service_mgr: serviceMgrOf(get('pid1'), get('init')),
    pkg_mgr: pkgMgrOf(get('pkg'), dist.os_family, dist.distribution_major_version, get('init')),
  };
  const dateTime = dateTimeOf(get('date'));
  if (dateTime) facts.date_time = dateTime;
  return facts;
}
