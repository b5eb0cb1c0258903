// Host key checking through the CLI (unknown, accept-new, changed) and a jump host that is the only way in.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labEnabled, replaceHostKey, restoreHostKey } from '../lab/lab-helper.js';
import { labInventory, run, runOnHost, useSideLab, writeFiles, type LabHost } from './e2e-lab.js';

const HOSTNAME = `- hosts: all
  tasks:
    - name: name
      command: hostname
`;

function fingerprintOf(host: LabHost): string {
  return execFileSync('ssh-keygen', ['-lf', path.join(host.dir, 'ssh_host_ed25519_key.pub')], { encoding: 'utf8' }).split(' ')[1]!;
}

// True when a TCP connection from the controller opens within the time.
function reachable(ip: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port: 22, timeout: ms });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

describe.skipIf(!labEnabled())('e2e: host keys and jump hosts', () => {
  const side = useSideLab('ekey', 3);

  it('stops a host with an unknown key, naming its fingerprint and the command to trust it; accept-new records it', async () => {
    const { lab } = side;
    const h2 = lab.hosts[1]!;
    const dir = writeFiles(side, { 'site.yml': HOSTNAME });
    const kh = path.join(dir, 'known_hosts');
    writeFileSync(kh, readFileSync(lab.knownHosts, 'utf8').split('\n').filter((l) => !l.startsWith(`${h2.ip} `)).join('\n'));
    writeFileSync(path.join(dir, 'inventory.yml'), labInventory(lab, {}, { known_hosts_file: kh, ansible_ssh_known_hosts_file: undefined }));
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain([
      `unreachable: [h2] => host key for ${h2.ip} port 22 is not known (ED25519 key ${fingerprintOf(h2)} not in ${kh}).`,
      `  hint: check the fingerprint, then trust it with: ssh-keyscan -p 22 -t ed25519 ${h2.ip} >> ${kh}`,
    ].join('\n'));
    expect(r.stdout).toContain('changed: [h1]');
    expect(r.stdout).toContain('changed: [h3]');
    expect(r.stdout).toMatch(/h2 +: ok=0 +changed=0 +failed=0 +skipped=0 +unreachable=1/);
    expect(r.stdout).toContain('FAILED: 1 unreachable (h2) of 3 hosts');
    expect(readFileSync(path.join(dir, 'site.retry'), 'utf8')).toBe('h2\n');

    const accept = await run(dir, ['site.yml', '-i', 'inventory.yml', '--host-key-checking', 'accept-new']);
    expect(accept.code).toBe(0);
    expect(readFileSync(kh, 'utf8')).toContain(`${h2.ip} ${h2.hostKeyPub.split(' ').slice(0, 2).join(' ')}`);
    const strict = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    expect(strict.code).toBe(0);
    expect(strict.stdout).toContain('OK: 3 hosts, 3 changes in');
  });

  it('stops a host whose key changed with the warning, even with accept-new, and keeps known_hosts as it was', async () => {
    const { lab } = side;
    const h3 = lab.hosts[2]!;
    const dir = writeFiles(side, { 'site.yml': HOSTNAME });
    const kh = path.join(dir, 'known_hosts');
    writeFileSync(kh, readFileSync(lab.knownHosts));
    writeFileSync(path.join(dir, 'inventory.yml'), labInventory(lab, {}, { ansible_ssh_known_hosts_file: kh }));
    await replaceHostKey(h3);
    try {
      const r = await run(dir, ['site.yml', '-i', 'inventory.yml', '--host-key-checking', 'accept-new']);
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('unreachable: [h3] => host key verification failed.');
      expect(r.stdout).toContain('@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @');
      expect(r.stdout).toContain(`The fingerprint for the ED25519 key sent by the remote host ${h3.ip} port 22 is\n${fingerprintOf(h3)}`);
      expect(r.stdout).toContain(`Offending ED25519 key in ${kh}:3`);
      expect(r.stdout).toMatch(/h1 +: ok=1 +changed=1 +failed=0/);
      expect(r.stdout).toMatch(/h3 +: ok=0 +changed=0 +failed=0 +skipped=0 +unreachable=1/);
      expect(readFileSync(kh, 'utf8')).toBe(readFileSync(lab.knownHosts, 'utf8'));
    } finally {
      await restoreHostKey(h3);
    }
  });

  it('reaches a host only through its jump host, which the host sees as the client', async () => {
    const { lab } = side;
    const [h1, h2] = [lab.hosts[0]!, lab.hosts[1]!];
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(lab, { h2: { jump_host: `root@${h1.ip}` } }),
      'site.yml': `- hosts: h2
  tasks:
    - name: client
      shell: echo "$SSH_CLIENT" | cut -d' ' -f1
      register: client
    - name: seen
      debug: { msg: "h2 sees {{ client.stdout }}" }
`,
    });
    const block = `ip route add unreachable ${lab.bridgeIp}/32`;
    expect(await runOnHost(h2, block)).toMatchObject({ exitCode: 0 });
    try {
      expect(await reachable(h2.ip, 1500)).toBe(false);
      expect(await reachable(h1.ip, 1500)).toBe(true);
      const r = await run(dir, ['site.yml', '-i', 'inventory.yml']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`ok: [h2] => h2 sees ${h1.ip}`);
      expect(r.stdout).toContain('OK: 1 host, 1 change in');
    } finally {
      await runOnHost(h2, `ip route del unreachable ${lab.bridgeIp}/32`);
    }
    expect(await reachable(h2.ip, 1500)).toBe(true);
  });
});
