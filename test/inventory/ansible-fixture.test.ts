import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectionSpec } from '../../src/inventory/connection-vars.js';
import { hostVars } from '../../src/inventory/host-vars.js';
import { loadInventory } from '../../src/inventory/load.js';
import { selectHosts } from '../../src/inventory/pattern.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/loaders/ansible');

describe('an unchanged Ansible YAML inventory folder', () => {
  it('loads hosts, nested groups, ranges, group_vars and host_vars', async () => {
    const inv = await loadInventory(dir);
    expect(selectHosts(inv, 'prod', dir)).toEqual(['foo.example.com', 'one.example.com', 'two.example.com']);
    expect(selectHosts(inv, 'www*', dir)).toEqual(['www01.example.com', 'www02.example.com', 'www03.example.com']);
    expect(inv.hosts.get('one.example.com')!.groups).toEqual(['all', 'dbservers', 'prod', 'east']);
    expect(hostVars(inv, 'one.example.com')).toEqual({
      ntp_server: 'ntp.prod.example.com', proxy: 'proxy.example.com', ansible_host: '192.0.2.50', ansible_port: 5555, ansible_become: true,
    });
    expect(connectionSpec('one.example.com', hostVars(inv, 'one.example.com'))).toMatchObject({ host: '192.0.2.50', port: 5555, become: true, connection: 'ssh' });
    expect(connectionSpec('www02.example.com', hostVars(inv, 'www02.example.com'))).toMatchObject({ host: 'www02.example.com', user: 'deploy', port: 22 });
  });
});
