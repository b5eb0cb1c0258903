import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import type { SshTarget } from '../../src/connection/ssh/target.js';
import { ensureLab, labEnabled, type Lab, type LabHost } from '../lab/lab-helper.js';

let lab: Lab;
let h1: LabHost;
let root: SshConnection;
let tester: SshConnection;
const local = mkdtempSync(join(tmpdir(), 'omsrun-ssh-put-'));
const remote = `/tmp/omsrun-ssh-put-${randomBytes(4).toString('hex')}`;

function target(h: LabHost, over: Partial<SshTarget> = {}): SshTarget {
  return {
    host: h.name, address: h.ip, port: 22, user: 'root', privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict',
    knownHostsFile: lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000, ...over,
  };
}
async function sh(script: string): Promise<string> {
  const r = await root.exec(['sh', '-c', script]);
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe.skipIf(!labEnabled())('SshConnection put and get against a lab host', () => {
  beforeAll(async () => {
    lab = await ensureLab({ hosts: 1 });
    h1 = lab.hosts[0] as LabHost;
    root = new SshConnection(target(h1));
    tester = new SshConnection(target(h1, { user: 'tester' }));
    await Promise.all([root.connect(), tester.connect()]);
    await root.exec(['mkdir', '-m', '0777', remote]);
    await root.exec(['mkdir', '-m', '0755', `${remote}/rootonly`]);
  });
  afterAll(async () => {
    await root?.exec(['rm', '-rf', '--', remote]);
    await Promise.all([root?.close(), tester?.close()]);
    rmSync(local, { recursive: true, force: true });
  });

  it('streams a 50 MB file with progress, verifies it, and skips a second identical put', async () => {
    const file = join(local, 'big.bin');
    const data = randomBytes(50 * 1024 * 1024);
    writeFileSync(file, data);
    const progress: [number, number][] = [];
    const t0 = performance.now();
    const first = await tester.putWithOutcome({ localPath: file }, `${remote}/big.bin`, { onProgress: (d, t) => progress.push([d, t]) });
    const ms = performance.now() - t0;
    console.log(`[ssh timings] put 50 MB in ${ms.toFixed(0)} ms (${(50 / (ms / 1000)).toFixed(1)} MB/s)`);
    const sha = createHash('sha256').update(data).digest('hex');
    expect(first).toEqual({ uploaded: true, sha256: sha });
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.every(([, t]) => t === data.length)).toBe(true);
    expect(progress.map(([d]) => d)).toEqual([...progress.map(([d]) => d)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([data.length, data.length]);
    expect((await sh(`sha256sum ${remote}/big.bin; ls -A ${remote}`))).toBe(`${sha}  ${remote}/big.bin\nbig.bin\nrootonly\n`);
    const mtime = await sh(`stat -c %Y.%Z ${remote}/big.bin`);
    const second = await tester.putWithOutcome({ localPath: file }, `${remote}/big.bin`);
    expect(second).toEqual({ uploaded: false, sha256: sha });
    expect(await sh(`stat -c %Y.%Z ${remote}/big.bin`)).toBe(mtime);
  });

  it('replaces content atomically, keeps an existing mode, and applies a given one', async () => {
    const dest = `${remote}/conf`;
    await tester.put({ content: 'one\n' }, dest, { mode: '0640' });
    expect(await sh(`stat -c %a:%U ${dest}; cat ${dest}`)).toBe('640:tester\none\n');
    await tester.put({ content: 'two\n' }, dest);
    expect(await sh(`stat -c %a ${dest}; cat ${dest}`)).toBe('640\ntwo\n');
    expect((await tester.get(dest)).toString()).toBe('two\n');
  });

  it('a failing put leaves the old file intact and no temp file behind', async () => {
    const dest = `${remote}/keep`;
    await root.put({ content: 'old\n' }, dest, { mode: '0644' });
    await expect(root.put({ content: 'new\n' }, dest, { owner: 'no-such-user-x' })).rejects.toThrow(new RegExp(`^h1: cannot write ${dest}: chown: invalid user: .no-such-user-x.$`));
    await expect(tester.put({ content: 'new\n' }, dest, { owner: 'no-such-user-x', become: { user: 'root', password: lab.tester.password } })).rejects.toThrow(/cannot write .*invalid user/);
    await expect(tester.put({ content: 'new\n' }, `${remote}/rootonly/x`)).rejects.toThrow(/^h1: cannot upload to \/tmp\/omsrun-ssh-put-[0-9a-f]+\/rootonly\/\.x\.omsrun-[0-9a-f]{12}: Permission denied$/);
    expect(await sh(`cat ${dest}; ls -A ${remote} | grep -c omsrun || true; ls -A ${remote}/rootonly`)).toBe('old\n0\n');
  });

  it('with become: writes a root-owned file with owner, group and mode, cleans its staging folder, reads it back', async () => {
    const dest = `${remote}/rootonly/app.conf`;
    const become = { user: 'root', password: lab.tester.password };
    const before = await tester.exec(['sh', '-c', 'find /tmp -maxdepth 1 -name "tmp.*" -user tester | wc -l']);
    await tester.put({ content: 'secret=1\n' }, dest, { become, mode: '0600', owner: 'tester', group: 'root' });
    expect(await sh(`stat -c %a:%U:%G ${dest}; cat ${dest}; ls -A ${remote}/rootonly`)).toBe('600:tester:root\nsecret=1\napp.conf\n');
    await tester.put({ content: 'secret=2\n' }, dest, { become, mode: '0600' });
    expect(await sh(`stat -c %a:%U:%G ${dest}`)).toBe('600:tester:root\n');
    expect((await tester.get(dest, { become })).toString()).toBe('secret=2\n');
    expect((await tester.exec(['sh', '-c', 'find /tmp -maxdepth 1 -name "tmp.*" -user tester | wc -l'])).stdout).toBe(before.stdout);
    await expect(tester.get(`${remote}/rootonly/nope`, { become })).rejects.toThrow(`h1: cannot read ${remote}/rootonly/nope: cat: ${remote}/rootonly/nope: No such file or directory`);
  });

  it('gets binary content unchanged over SFTP and sudo', async () => {
    const bytes = randomBytes(70_000);
    await root.put({ content: bytes }, `${remote}/bin`, { mode: '0644' });
    expect((await root.get(`${remote}/bin`)).equals(bytes)).toBe(true);
    expect((await tester.get(`${remote}/bin`, { become: { user: 'root', password: lab.tester.password } })).equals(bytes)).toBe(true);
  });
});
