// A playbook brought over from Ansible may name a module omsrun does not have: say so, and name what to use instead.
import { closestName, didYouMean } from '../core/did-you-mean.js';
import { qualifiedName } from './fqcn.js';

/** Ansible modules omsrun has no twin of, and how to do their job here. */
const INSTEAD: Record<string, string> = {
  pip: 'command (e.g. `command: pip install NAME`)',
  archive: 'command (e.g. `command: tar -czf DEST SRC`)',
  synchronize: 'copy',
  docker_image: 'docker_image_load',
  known_hosts: 'lineinfile on ~/.ssh/known_hosts',
  hostname: 'command (e.g. `command: hostnamectl set-hostname NAME`)',
  timezone: 'command (e.g. `command: timedatectl set-timezone ZONE`)',
  assemble: 'template',
};

/** The Ansible modules the table names (none of them may be one omsrun has: test/playbook/module-hints.test.ts). */
export function hintedModules(): string[] {
  return Object.keys(INSTEAD);
}

// The hint for an unknown module: its collection prefix, its omsrun counterpart, or a near name.
export function unknownModuleHint(name: string, known: string[]): string | undefined {
  const short = qualifiedName(name).name;
  if (short !== name && known.includes(short)) return `omsrun names it ${JSON.stringify(short)}`;
  const instead = INSTEAD[short];
  if (instead) return `omsrun has no ${short} module; use ${instead}`;
  if (short !== name && closestName(short, known)) return didYouMean(short, known);
  return didYouMean(name, known);
}
