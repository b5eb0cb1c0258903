import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { LabState } from './lab-config.js';

// known_hosts in plain (unhashed) form: one line per host key.
export function knownHostsText(state: LabState): string {
  return state.hosts.map((h) => `${h.ip} ${h.hostKeyPub.split(' ').slice(0, 2).join(' ')}\n`).join('');
}

// Ansible YAML inventory: group `lab` with every host, group `docker` with the engine hosts.
export function inventoryText(state: LabState): string {
  const vars = (ip: string): Record<string, string> => ({
    ansible_host: ip,
    ansible_user: 'root',
    ansible_ssh_private_key_file: state.keyFile,
  });
  const lab = Object.fromEntries(state.hosts.map((h) => [h.name, vars(h.ip)]));
  const docker = Object.fromEntries(state.hosts.filter((h) => h.dockerSocket).map((h) => [h.name, {}]));
  const children: Record<string, unknown> = { lab: { hosts: lab } };
  if (Object.keys(docker).length > 0) children['docker'] = { hosts: docker };
  return stringify({ all: { children } });
}

// Writes known_hosts, inventory.yml and the tester password file beside lab.json.
export function writeOutputs(state: LabState): void {
  writeFileSync(state.knownHosts, knownHostsText(state));
  writeFileSync(state.inventory, inventoryText(state));
  writeFileSync(`${state.dir}/tester-password`, `${state.tester.password}\n`, { mode: 0o600 });
}
