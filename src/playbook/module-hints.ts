// A playbook brought over from Ansible may name a module omsrun does not have: say so, and name what to use instead.
import { closestName, didYouMean } from '../core/did-you-mean.js';
import { qualifiedName } from './fqcn.js';

/** Ansible modules omsrun has no twin of, and how to do their job here. */
const INSTEAD: Record<string, string> = {
  pip: 'command (e.g. `command: pip install NAME`)',
  user: 'command (e.g. `command: { cmd: useradd -m NAME, creates: /home/NAME }`)',
  group: 'command (e.g. `command: groupadd NAME`)',
  archive: 'command (e.g. `command: tar -czf DEST SRC`)',
  synchronize: 'copy',
  wait_for_connection: 'wait_for (e.g. `wait_for: { port: 22 }`)',
  mysql_db: 'mysql_query',
  mysql_user: 'mysql_query',
  docker_image: 'docker_image_load',
  sysctl: 'lineinfile in /etc/sysctl.d/NAME.conf, then `command: sysctl --system`',
  cron: 'copy or blockinfile into /etc/cron.d/NAME',
  known_hosts: 'lineinfile on ~/.ssh/known_hosts',
  mount: 'lineinfile on /etc/fstab, then `command: mount PATH`',
  hostname: 'command (e.g. `command: hostnamectl set-hostname NAME`)',
  timezone: 'command (e.g. `command: timedatectl set-timezone ZONE`)',
  reboot: 'command (`shell: sleep 2 && reboot`), then wait_for',
  assemble: 'template',
};

// The hint for an unknown module: its collection prefix, its omsrun counterpart, or a near name.
export function unknownModuleHint(name: string, known: string[]): string | undefined {
  const short = qualifiedName(name).name;
  if (short !== name && known.includes(short)) return `omsrun names it ${JSON.stringify(short)}`;
  const instead = INSTEAD[short];
  if (instead) return `omsrun has no ${short} module; use ${instead}`;
  if (short !== name && closestName(short, known)) return didYouMean(short, known);
  return didYouMean(name, known);
}
