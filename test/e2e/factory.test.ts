// The connection factory's own inventory variables: a per-host known_hosts file, and the jump host's key.
import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { connectionFactory, knownHostsFileOf, transportNames } from '../../src/cli/connection-factory.js';
import { LocalConnection } from '../../src/connection/local.js';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { sessionWanted } from '../../src/cli/session-switch.js';

describe('connection factory', () => {
  it('reads ansible_ssh_known_hosts_file before known_hosts_file and expands ~/', () => {
    expect(knownHostsFileOf('h1', { ansible_ssh_known_hosts_file: '/etc/kh', known_hosts_file: '/x' })).toBe('/etc/kh');
    expect(knownHostsFileOf('h1', { known_hosts_file: '~/lab/kh' })).toBe(`${homedir()}/lab/kh`);
    expect(knownHostsFileOf('h1', {})).toBeUndefined();
  });

  it('builds each transport from its table entry by the name ansible_connection gives', () => {
    expect(transportNames()).toEqual(['local', 'ssh']);
    const make = connectionFactory({ sshConfigFile: '/nonexistent' });
    expect(make('c1', { ansible_connection: 'local' })).toBeInstanceOf(LocalConnection);
    expect(make('s1', {})).toBeInstanceOf(SshConnection);
    expect(make('s2', { connection: 'ssh' })).toBeInstanceOf(SshConnection);
  });

  it('refuses an unknown transport, naming the variable that set it and the nearest name', () => {
    const make = connectionFactory();
    expect(() => make('db1', { ansible_connection: 'docker' })).toThrow(
      'db1.ansible_connection: expected one of local, ssh, got "docker"',
    );
    let message = '';
    try {
      make('db1', { connection: 'sssh' });
    } catch (err) {
      message = String(err instanceof Error ? `${err.message}\n${(err as { hint?: string }).hint ?? ''}` : err);
    }
    expect(message).toContain('db1.connection: expected one of local, ssh, got "sssh"');
    expect(message).toContain('did you mean "ssh"?');
    expect(() => make('db1', { ansible_connection: 'toString' })).toThrow('expected one of local, ssh');
  });

  it('refuses a known_hosts file that is not a path, naming the host and variable', () => {
    expect(() => knownHostsFileOf('web1', { known_hosts_file: 7 })).toThrow('web1.known_hosts_file: expected a file path, got 7');
  });

  it('hands the known_hosts file and the host key to the jump host, which keeps its own user', () => {
    const conn = connectionFactory({ hostKeyPolicy: 'accept-new', sshConfigFile: '/nonexistent' })('h2', {
      ansible_host: '198.18.200.3', ansible_user: 'root', ansible_ssh_private_key_file: '/keys/lab',
      ansible_ssh_known_hosts_file: '/lab/kh', ansible_jump_host: 'ops@198.18.200.2:2222',
    }) as SshConnection;
    expect(conn.target).toMatchObject({ address: '198.18.200.3', knownHostsFile: '/lab/kh', privateKeyFile: '/keys/lab', hostKeyPolicy: 'accept-new' });
    expect(conn.target.jump).toMatchObject({ address: '198.18.200.2', port: 2222, user: 'ops', knownHostsFile: '/lab/kh', privateKeyFile: '/keys/lab' });
  });
});

describe('session switch', () => {
  const make = (vars: Record<string, unknown>) => connectionFactory({ sshConfigFile: '/nonexistent' })('h1', { ansible_host: '198.18.200.2', ...vars }) as SshConnection;

  it('omsrun_session on a host wins over OMSRUN_SESSION; a session by default', () => {
    expect(sessionWanted('h1', {}, {})).toBe(true);
    expect(sessionWanted('h1', {}, { OMSRUN_SESSION: '' })).toBe(true);
    expect(sessionWanted('h1', {}, { OMSRUN_SESSION: '0' })).toBe(false);
    expect(sessionWanted('h1', {}, { OMSRUN_SESSION: '1' })).toBe(true);
    expect(sessionWanted('h1', { omsrun_session: 'no' }, { OMSRUN_SESSION: '1' })).toBe(false);
    expect(sessionWanted('h1', { omsrun_session: true }, {})).toBe(true);
    expect(make({ omsrun_session: true }).sessions).toBeDefined();
    expect(make({ omsrun_session: false }).sessions).toBeUndefined();
  });

  it('refuses a value that is no yes/no, naming the host and variable', () => {
    expect(() => sessionWanted('web1', { omsrun_session: 'maybe' }, {})).toThrow('web1.omsrun_session: expected true or false, got "maybe"');
    expect(() => sessionWanted('web1', {}, { OMSRUN_SESSION: 'fast' })).toThrow('OMSRUN_SESSION: expected true or false, got "fast"');
  });
});
