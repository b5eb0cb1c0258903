import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJumpHop, resolveSshTarget } from '../../src/connection/ssh/ssh-config.js';

const dir = mkdtempSync(join(tmpdir(), 'omsrun-sshcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = join(dir, 'id_test');
writeFileSync(key, 'not read here');
const cfg = join(dir, 'config');
writeFileSync(
  cfg,
  [
    'Host web1',
    '  HostName 198.18.0.2',
    '  User deploy',
    '  Port 2222',
    `  IdentityFile ${join(dir, 'missing_key')}`,
    `  IdentityFile ${key}`,
    '  ProxyJump ops@bastion:2200',
    'Host bastion',
    '  HostName 198.18.0.9',
    'Host db*',
    '  ProxyJump none',
    '  User dbadmin',
    'Host *',
    '  Port 22',
    '',
  ].join('\n'),
);

describe('resolveSshTarget', () => {
  it('takes HostName, User, Port, the first existing IdentityFile and ProxyJump from ssh_config', () => {
    const t = resolveSshTarget({ host: 'web1', agent: '' }, cfg);
    expect(t).toMatchObject({ host: 'web1', address: '198.18.0.2', user: 'deploy', port: 2222, privateKeyFile: key });
    expect(t.hostKeyPolicy).toBe('strict');
    expect(t.connectTimeoutMs).toBe(10_000);
    expect(t.jump).toMatchObject({ host: 'bastion', address: '198.18.0.9', user: 'ops', port: 2200 });
    expect(t.jump?.jump).toBeUndefined();
  });

  it('lets inventory values win over ssh_config', () => {
    const t = resolveSshTarget({ host: 'web1', user: 'root', port: 22, privateKeyFile: '/k', jump: 'none' }, cfg);
    expect(t).toMatchObject({ address: '198.18.0.2', user: 'root', port: 22, privateKeyFile: '/k' });
    expect(t.jump).toBeUndefined();
  });

  it('looks the address up when the inventory gives one', () => {
    const t = resolveSshTarget({ host: 'database', address: 'db1' }, cfg);
    expect(t).toMatchObject({ host: 'database', address: 'db1', user: 'dbadmin', port: 22 });
    expect(t.jump).toBeUndefined();
  });

  it('chains comma-separated jump hosts, first hop outermost, with the policy inherited', () => {
    const t = resolveSshTarget({ host: 'x', address: '10.1.1.1', user: 'me', jump: 'a@h1,b@[fe80::1]:2022', hostKeyPolicy: 'accept-new' }, cfg);
    expect(t.jump).toMatchObject({ address: 'fe80::1', user: 'b', port: 2022, hostKeyPolicy: 'accept-new' });
    expect(t.jump?.jump).toMatchObject({ address: 'h1', user: 'a', port: 22, hostKeyPolicy: 'accept-new' });
  });

  it('works without a config file and defaults the user to the local one', () => {
    const t = resolveSshTarget({ host: 'plain', privateKeyFile: '/k' }, join(dir, 'nope'));
    expect(t).toMatchObject({ address: 'plain', port: 22, user: userInfo().username });
  });

  it('rejects a bad jump hop and a bad port with the exact message', () => {
    expect(() => parseJumpHop('a@b:c:d')).toThrow('jump: expected [user@]host[:port], got "a@b:c:d"');
    expect(() => parseJumpHop('b:70000')).toThrow('jump: expected a port number 1-65535, got "70000"');
  });
});
