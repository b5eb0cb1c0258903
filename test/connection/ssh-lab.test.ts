import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection, type SshConnectionOptions } from '../../src/connection/ssh/ssh-connection.js';
import { fingerprint } from '../../src/connection/ssh/known-hosts.js';
import type { SshTarget } from '../../src/connection/ssh/target.js';
import { ensureLab, labEnabled, runOnHost, type Lab, type LabHost } from '../lab/lab-helper.js';

let lab: Lab;
let h1: LabHost;
let h2: LabHost;
const work = mkdtempSync(join(tmpdir(), 'omsrun-ssh-lab-'));
const open: SshConnection[] = [];

function target(h: LabHost, over: Partial<SshTarget> = {}): SshTarget {
  return {
    host: h.name, address: h.ip, port: 22, user: 'root', privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict',
    knownHostsFile: lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000, ...over,
  };
}
// The transport the connections of the running describe block use (the block runs once per transport).
let viaSession = false;
async function connected(t: SshTarget, options?: SshConnectionOptions): Promise<SshConnection> {
  const c = new SshConnection(t, { session: viaSession, ...options });
  open.push(c);
  await c.connect();
  return c;
}
function hostKey(h: LabHost): Buffer {
  return Buffer.from(h.hostKeyPub.trim().split(/\s+/)[1] as string, 'base64');
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

const TRANSPORTS = [['a channel per command', false], ['a session', true]] as const;

describe.skipIf(!labEnabled()).each(TRANSPORTS)('SshConnection against lab hosts, through %s', (_transport, session) => {
  beforeAll(async () => {
    viaSession = session;
    lab = await ensureLab({ hosts: 2 });
    [h1, h2] = lab.hosts as [LabHost, LabHost];
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('key auth: connects once and reuses the connection; reports timings', async () => {
    const c = await connected(target(h1));
    const r = await c.exec(['id', '-un']);
    expect(r).toMatchObject({ rc: 0, stdout: 'root\n', stderr: '', timedOut: false });
    // sshd's established connections, counted on the host: 20 commands open none.
    const sshConnections = async () => (await runOnHost(h1, "ss -Htn state established '( sport = :22 )' | wc -l")).stdout.trim();
    const before = await sshConnections();
    const n = 20;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) expect((await c.exec(['true'])).rc).toBe(0);
    const rtt = (performance.now() - t0) / n;
    console.log(`[ssh timings] connect ${c.connectMs.toFixed(1)} ms, exec round trip ${rtt.toFixed(2)} ms (mean of ${n})`);
    expect(await sshConnections()).toBe(before);
    expect(Number(before)).toBeGreaterThan(0);
  });

  it('exec channels run own scripts in the POSIX login shell once the first command reported it; other commands keep /bin/sh', async () => {
    const c = await connected(target(h1), { session: false });
    const zero = (ownScript: boolean) => c.exec(['/bin/sh', '-c', 'echo "$0 $1"', 'sh', 'x y'], { ownScript });
    expect((await zero(true)).stdout).toBe('sh x y\n');
    expect((await zero(true)).stdout).toBe('bash x y\n');
    expect((await zero(false)).stdout).toBe('sh x y\n');
    expect((await c.exec(['/bin/sh', '-c', 'echo "$0"', 'sh'], { ownScript: true, cwd: '/' })).stdout).toBe('sh\n');
  });

  it('password auth as tester', async () => {
    const pw = await connected(target(h1, { user: 'tester', privateKeyFile: undefined, password: lab.tester.password, authMethods: ['password'] }));
    expect((await pw.exec(['id', '-un'])).stdout).toBe('tester\n');
  });

  it('ssh-agent auth', async () => {
    const sock = join(work, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSock(sock); i++) await new Promise((r) => setTimeout(r, 50));
      execFileSync('ssh-add', [lab.keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const c = await connected(target(h1, { privateKeyFile: undefined, agent: sock }));
      expect((await c.exec(['id', '-un'])).stdout).toBe('root\n');
    } finally {
      agent.kill();
    }
  });

  it('a wrong password is an authentication failure naming the methods tried', async () => {
    const c = new SshConnection(target(h1, { user: 'tester', privateKeyFile: undefined, password: 'wrong' }));
    await expect(c.connect()).rejects.toThrow(`h1: authentication failed for tester@${h1.ip}:22 (tried password, keyboard-interactive)`);
  });

  it('refused port and timeouts are ConnectionErrors', async () => {
    const c = new SshConnection(target(h1, { port: 2 }));
    await expect(c.connect()).rejects.toThrow(`h1: connection refused by ${h1.ip}:2 (is sshd running?)`);
  });

  it('strict: an unknown host key is refused with its fingerprint and the command to trust it', async () => {
    const kh = join(work, 'empty_known_hosts');
    const c = new SshConnection(target(h1, { knownHostsFile: kh }));
    const err = await c.connect().catch((e: Error) => e);
    expect((err as Error).message).toBe(
      [
        `h1: host key for ${h1.ip} port 22 is not known (ED25519 key ${fingerprint(hostKey(h1))} not in ${kh}).`,
        `  hint: check the fingerprint, then trust it with: ssh-keyscan -p 22 -t ed25519 ${h1.ip} >> ${kh}`,
        '        or re-run with the accept-new host key policy to record it on first connect.',
      ].join('\n'),
    );
  });

  it('a changed host key is refused loudly in strict and accept-new', async () => {
    const kh = join(work, 'mitm_known_hosts');
    const other = ssh2.utils.generateKeyPairSync('ed25519').public.trim().split(/\s+/).slice(0, 2).join(' ');
    writeFileSync(kh, `${h1.ip} ${other}\n`);
    for (const policy of ['strict', 'accept-new'] as const) {
      const err = await new SshConnection(target(h1, { knownHostsFile: kh, hostKeyPolicy: policy })).connect().catch((e: Error) => e);
      const msg = (err as Error).message;
      expect(msg).toContain('@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @');
      expect(msg).toContain(`The fingerprint for the ED25519 key sent by the remote host ${h1.ip} port 22 is\n${fingerprint(hostKey(h1))}`);
      expect(msg).toContain(`Offending ED25519 key in ${kh}:1`);
    }
    expect(readFileSync(kh, 'utf8')).toBe(`${h1.ip} ${other}\n`);
  });

  it('accept-new records the key, then strict accepts it', async () => {
    const kh = join(work, 'new_known_hosts');
    await (await connected(target(h2, { knownHostsFile: kh, hostKeyPolicy: 'accept-new' }))).close();
    expect(readFileSync(kh, 'utf8')).toBe(`${h2.ip} ${h2.hostKeyPub.trim().split(/\s+/).slice(0, 2).join(' ')}\n`);
    const c = await connected(target(h2, { knownHostsFile: kh }));
    expect((await c.exec(['true'])).rc).toBe(0);
  });

  it('reaches host 2 through host 1 as a jump host', async () => {
    const c = await connected(target(h2, { jump: target(h1) }));
    const r = await c.exec(['sh', '-c', 'echo "$SSH_CONNECTION"']);
    const [from, , to] = r.stdout.trim().split(' ');
    expect({ from, to }).toEqual({ from: h1.ip, to: h2.ip });
  });

  it('hostile argv values, env and cwd arrive literally', async () => {
    const c = await connected(target(h1));
    const hostile = ['; rm -rf /tmp/x', '$(touch /tmp/omsrun-pwned)', '`touch /tmp/omsrun-pwned`', `it's "q"`, 'a\nb', '-n', '*', ''];
    const r = await c.exec(['printf', '%s|', ...hostile], { env: { V: '$(touch /tmp/omsrun-pwned)' }, cwd: '/' });
    expect(r.stdout).toBe(`${hostile.join('|')}|`);
    expect((await c.exec(['sh', '-c', 'pwd; printf %s "$V"'], { env: { V: '$(x) `y`' }, cwd: '/tmp' })).stdout).toBe('/tmp\n$(x) `y`');
    expect((await runOnHost(h1, 'test -e /tmp/omsrun-pwned')).exitCode).toBe(1);
  });

  it('streams lines, passes stdin and keeps stdout and stderr apart', async () => {
    const c = await connected(target(h1));
    const lines: string[] = [];
    const r = await c.exec(['sh', '-c', 'cat; echo err >&2; printf tail'], { stdin: 'a\nb\n', onLine: (s, l) => lines.push(`${s}:${l}`) });
    expect(r).toMatchObject({ rc: 0, stdout: 'a\nb\ntail', stderr: 'err\n' });
    expect(lines).toEqual(['stdout:a', 'stdout:b', 'stderr:err', 'stdout:tail']);
    expect((await c.exec(['sh', '-c', 'exit 7'])).rc).toBe(7);
  });

  it('a timeout kills the remote command and its children (rc 124), under the /bin/sh wrapper and the login shell', async () => {
    const c = await connected(target(h1));
    // The first command runs in the /bin/sh wrapper; it reports bash as login shell, which runs the second's wrapper.
    for (const n of [3171, 3174]) {
      const started = performance.now();
      const r = await c.exec(['sh', '-c', `sleep ${n}; echo never`], { timeoutMs: 300 });
      expect(r).toMatchObject({ rc: 124, timedOut: true, stdout: '' });
      expect(performance.now() - started).toBeLessThan(5000);
      expect((await c.exec(['sh', '-c', `pgrep -f "[s]leep ${n}" || echo gone`])).stdout).toBe('gone\n');
    }
  });

  it('an abort signal kills the remote command and rejects as interrupted', async () => {
    const c = await connected(target(h1));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await expect(c.exec(['sh', '-c', 'sleep 3173; echo never'], { signal: ac.signal })).rejects.toThrow('interrupted');
    expect((await c.exec(['sh', '-c', 'pgrep -f "[s]leep 3173" || echo gone'])).stdout).toBe('gone\n');
  });

  it('a passphrase-protected key works with its passphrase and fails clearly without', async () => {
    const key = join(work, 'enc_key');
    writeFileSync(key, readFileSync(lab.keyFile), { mode: 0o600 });
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'pass phrase', '-f', key], { stdio: 'ignore' });
    const c = await connected(target(h1, { privateKeyFile: key, passphrase: 'pass phrase' }));
    expect((await c.exec(['id', '-un'])).stdout).toBe('root\n');
    await expect(new SshConnection(target(h1, { privateKeyFile: key })).connect()).rejects.toThrow(
      `h1: cannot use private key ${key}: the key is encrypted and no passphrase was given`,
    );
    await expect(new SshConnection(target(h1, { privateKeyFile: key, passphrase: 'nope' })).connect()).rejects.toThrow(
      `h1: cannot use private key ${key}: wrong passphrase`,
    );
  });

  it('sudo with the right password runs as root, passes stdin, and hides the prompt', async () => {
    const c = await connected(target(h1, { user: 'tester' }));
    const become = { user: 'root', password: lab.tester.password };
    const r = await c.exec(['sh', '-c', 'id -u; cat'], { become, stdin: 'payload\n' });
    expect(r).toMatchObject({ rc: 0, stdout: '0\npayload\n', stderr: '' });
    const hostile = ['$(touch /tmp/omsrun-pwned2)', '`id`', "'; echo x", '-u', 'a\nb'];
    const h = await c.exec(['printf', '%s|', ...hostile], { become, cwd: '/root', env: { X: '$(id)' } });
    expect(h).toMatchObject({ rc: 0, stdout: `${hostile.join('|')}|`, stderr: '' });
    expect((await runOnHost(h1, 'test -e /tmp/omsrun-pwned2')).exitCode).toBe(1);
    const t = await c.exec(['sh', '-c', 'sleep 3172'], { become, timeoutMs: 300 });
    expect(t.rc).toBe(124);
    expect((await runOnHost(h1, 'pgrep -f "[s]leep 3172" || echo gone')).stdout).toBe('gone\n');
  });

  it('a wrong sudo password fails clearly and fast', async () => {
    const c = await connected(target(h1, { user: 'tester' }));
    const started = performance.now();
    await expect(c.exec(['id'], { become: { user: 'root', password: 'nope' } })).rejects.toThrow('sudo: incorrect password for become user on h1');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('sudo -n: needs no password as root, fails clearly when one is required', async () => {
    const root = await connected(target(h1));
    expect((await root.exec(['id', '-un'], { become: { user: 'tester' } })).stdout).toBe('tester\n');
    const tester = await connected(target(h1, { user: 'tester' }));
    await expect(tester.exec(['id'], { become: { user: 'root' } })).rejects.toThrow('sudo: a password is required to become root on h1 (set a become password)');
  });

  it('reconnects once when the connection dropped before a command', async () => {
    const c = await connected(target(h1));
    const sock = (c as unknown as { clients: { _sock: { destroy(): void } }[] }).clients[0]?._sock;
    sock?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await c.exec(['echo', 'again'])).stdout).toBe('again\n');
  });
});

function existsSock(p: string): boolean {
  try {
    readFileSync(p);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
