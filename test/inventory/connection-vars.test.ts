import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { connectionSpec } from '../../src/inventory/connection-vars.js';
import { errorOf } from './tmp-tree.js';

describe('connectionSpec', () => {
  it('fills defaults from the host name and the local user', () => {
    expect(connectionSpec('web1', {})).toEqual({ host: 'web1', port: 22, user: userInfo().username, connection: 'ssh', become: false, becomeUser: 'root' });
  });

  it('reads ansible_* names, which win over short aliases', () => {
    const spec = connectionSpec('web1', {
      ansible_host: '10.0.0.5', host: 'ignored', ansible_port: '2222', user: 'deploy', password: 'pw',
      key_file: '~/.ssh/id', connection: 'local', ansible_become: 'yes', become_user: 'app',
      ansible_become_password: 'sudo', jump_host: 'admin@bastion:22',
    });
    expect(spec).toEqual({
      host: '10.0.0.5', port: 2222, user: 'deploy', password: 'pw', privateKeyFile: '~/.ssh/id', connection: 'local',
      become: true, becomeUser: 'app', becomePassword: 'sudo', jumpHost: 'admin@bastion:22',
    });
  });

  it('leaves the transport name to the connection factory, which knows the transports', () => {
    expect(connectionSpec('db1', { ansible_connection: 'docker' }).connection).toBe('docker');
  });

  it('rejects bad types with every problem listed', async () => {
    expect(await errorOf(() => connectionSpec('db1', { ansible_port: '80a', ansible_connection: 5, become: 3 }))).toBe(
      [
        'db1.ansible_port: expected a port number (an integer from 1 to 65535), got "80a"\n  hint: set in the inventory, group_vars or host_vars',
        'db1.ansible_connection: expected a non-empty string, got 5\n  hint: set in the inventory, group_vars or host_vars',
        'db1.become: expected true or false, got 3\n  hint: set in the inventory, group_vars or host_vars',
      ].join('\n'),
    );
    expect(await errorOf(() => connectionSpec('db1', { port: 70000 }))).toBe(
      'db1.port: expected a port number (an integer from 1 to 65535), got 70000\n  hint: set in the inventory, group_vars or host_vars',
    );
  });
});
