// The file-editing modules and file links over real SSH to a lab host (OpenSSH, sudo with a password), counting the
// commands each task sends; and a full disk under a real tmpfs, where the write must fail and leave the file as it was.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/connection/connection.js';
import type { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { authorizedKeyModule } from '../../src/modules/authorized-key.js';
import { blockinfileModule } from '../../src/modules/blockinfile.js';
import { fileModule } from '../../src/modules/file.js';
import { iniFileModule } from '../../src/modules/ini-file.js';
import { lineinfileModule } from '../../src/modules/lineinfile.js';
import { replaceModule } from '../../src/modules/replace.js';
import type { Module } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { labEnabled, type LabHost } from '../lab/lab-helper.js';
import { useLabHostConnections } from '../lab/lab-connection.js';
import { useSideLab } from '../lab/side-lab.js';
import { makeContext, remoteLike, tempDir } from '../helpers/module-context.js';

const side = useSideLab('fed', 1, '/var/tmp/omsrun-fed');

// Every exec is a round trip: count them.
function counted(conn: Connection): { conn: Connection; execs: string[][] } {
  const execs: string[][] = [];
  const wrapped: Connection = {
    host: conn.host,
    transport: conn.transport,
    capabilities: conn.capabilities,
    connect: () => conn.connect(),
    exec: (argv, o) => (execs.push(argv), conn.exec(argv, o)),
    put: (s, d, o) => conn.put(s, d, o),
    get: (p, o) => conn.get(p, o),
    close: () => conn.close(),
  };
  return { conn: wrapped, execs };
}

describe.skipIf(!labEnabled())('file editing on a lab host over SSH', () => {
  let h1: LabHost;
  let root: SshConnection;
  let tester: SshConnection;
  const conns = useLabHostConnections(side);
  const onHost = (rel: string) => join(h1.dir, 'data', rel);
  const leftovers = (rel: string) => readdirSync(onHost(rel)).filter((f) => f.includes('.omsrun-'));
  const run = async (m: Module, args: Record<string, unknown>, conn: Connection = root, extra = {}) => {
    const c = counted(conn);
    const out = await runModule(m, args, makeContext({ conn: c.conn, host: h1.name, ...extra }));
    return { out, execs: c.execs.length };
  };

  beforeAll(() => {
    ({ host: h1, root, tester } = conns);
    mkdirSync(onHost('fed'), { recursive: true });
  });

  it('lineinfile: one read and one verified write when it changes, one read when it does not', async () => {
    const path = '/data/fed/sshd_config';
    writeFileSync(onHost('fed/sshd_config'), 'PermitRootLogin yes\nPort 22\n', { mode: 0o640 });
    const args = { path, regexp: '^#?PermitRootLogin', line: 'PermitRootLogin no' };
    expect(await run(lineinfileModule, args)).toEqual({ out: { changed: true, msg: 'line replaced', data: { path } }, execs: 2 });
    expect(readFileSync(onHost('fed/sshd_config'), 'utf8')).toBe('PermitRootLogin no\nPort 22\n');
    expect(statSync(onHost('fed/sshd_config')).mode & 0o777).toBe(0o640);
    expect(await run(lineinfileModule, args)).toEqual({ out: { changed: false, data: { path } }, execs: 1 });
    expect(leftovers('fed')).toEqual([]);
  });

  it('lineinfile: a failing validate leaves the file byte for byte, with no temp file beside it', async () => {
    const path = '/data/fed/sudoers';
    writeFileSync(onHost('fed/sudoers'), 'root ALL=(ALL) ALL\n', { mode: 0o440 });
    const bad = await run(lineinfileModule, { path, line: 'app ALL=(ALL) NOPASS: ALL', validate: 'visudo -cf %s' });
    expect(bad.out).toMatchObject({ changed: false, failed: true });
    expect(bad.out.msg).toMatch(/^validation failed \(rc 1\): /);
    expect(readFileSync(onHost('fed/sudoers'), 'utf8')).toBe('root ALL=(ALL) ALL\n');
    const good = await run(lineinfileModule, { path, line: 'app ALL=(ALL) NOPASSWD: ALL', validate: 'visudo -cf %s' });
    expect(good.out).toMatchObject({ changed: true });
    expect(readFileSync(onHost('fed/sudoers'), 'utf8')).toBe('root ALL=(ALL) ALL\napp ALL=(ALL) NOPASSWD: ALL\n');
    expect(statSync(onHost('fed/sudoers')).mode & 0o777).toBe(0o440);
    expect(leftovers('fed')).toEqual([]);
  });

  it('through sudo with a password: a root-only file is edited and keeps its owner and mode', async () => {
    await root.exec(['sh', '-c', 'mkdir -p /data/fed/secure && printf "[db]\\nport = 1\\n" > /data/fed/secure/app.ini && chmod 0600 /data/fed/secure/app.ini && chmod 0700 /data/fed/secure']);
    const args = { path: '/data/fed/secure/app.ini', section: 'db', option: 'port', value: '2881' };
    expect((await run(iniFileModule, args, tester)).out).toMatchObject({ failed: true });
    const become = { user: 'root', password: side.lab.tester.password };
    expect(await run(iniFileModule, args, tester, { become })).toMatchObject({ out: { changed: true, msg: 'option changed' }, execs: 2 });
    const st = statSync(onHost('fed/secure/app.ini'));
    expect({ mode: st.mode & 0o777, uid: st.uid }).toEqual({ mode: 0o600, uid: 0 });
    expect(readFileSync(onHost('fed/secure/app.ini'), 'utf8')).toBe('[db]\nport = 2881\n');
    expect(await run(iniFileModule, args, tester, { become })).toMatchObject({ out: { changed: false }, execs: 1 });
  });

  it('blockinfile and replace converge over SSH, and --check --diff changes nothing', async () => {
    const path = '/data/fed/hosts';
    writeFileSync(onHost('fed/hosts'), '127.0.0.1 localhost\n');
    const block = { path, block: '10.0.0.1 oms1\n10.0.0.2 oms2' };
    const dry = await run(blockinfileModule, block, root, { checkMode: true, diffMode: true });
    expect(dry).toMatchObject({ out: { changed: true, diff: [{ path, before: '127.0.0.1 localhost\n' }] }, execs: 1 });
    expect(readFileSync(onHost('fed/hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
    expect((await run(blockinfileModule, block)).out.changed).toBe(true);
    expect((await run(blockinfileModule, block)).out.changed).toBe(false);
    expect((await run(replaceModule, { path, regexp: '^10\\.0\\.0\\.(\\d+) ', replace: '198.18.0.\\1 ' })).out).toMatchObject({ changed: true, msg: '2 replacements made' });
    expect(readFileSync(onHost('fed/hosts'), 'utf8')).toBe(
      '127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n198.18.0.1 oms1\n198.18.0.2 oms2\n# END ANSIBLE MANAGED BLOCK\n',
    );
  });

  it('authorized_key makes ~tester/.ssh 0700 and the file 0600, owned by tester', async () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFedFedFedFedFedFedFedFedFedFedFedFedFedFedFed ops@fed';
    const home = join(h1.dir, 'home', 'tester');
    execFileSync('rm', ['-rf', join(home, '.ssh')]);
    expect((await run(authorizedKeyModule, { user: 'tester', key })).out).toMatchObject({ changed: true, data: { path: '/home/tester/.ssh/authorized_keys' } });
    const uid = statSync(home).uid;
    const folder = statSync(join(home, '.ssh'));
    const file = statSync(join(home, '.ssh', 'authorized_keys'));
    expect({ dir: folder.mode & 0o7777, dirUid: folder.uid, file: file.mode & 0o7777, fileUid: file.uid, fileGid: file.gid }).toEqual({
      dir: 0o700, dirUid: uid, file: 0o600, fileUid: uid, fileGid: statSync(home).gid,
    });
    expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toBe(`${key}\n`);
    expect(await run(authorizedKeyModule, { user: 'tester', key })).toMatchObject({ out: { changed: false }, execs: 2 });
  });

  it('file state link switches current -> release in one command a task, and a rerun changes nothing', async () => {
    await root.exec(['mkdir', '-p', '/data/fed/app/releases/1.0', '/data/fed/app/releases/1.1']);
    const to = (v: string) => ({ path: '/data/fed/app/current', state: 'link', src: `releases/${v}` });
    expect(await run(fileModule, to('1.0'))).toMatchObject({ out: { changed: true }, execs: 1 });
    expect(await run(fileModule, to('1.0'))).toMatchObject({ out: { changed: false }, execs: 1 });
    expect(await run(fileModule, to('1.1'))).toMatchObject({ out: { changed: true }, execs: 1 });
    expect(readlinkSync(onHost('fed/app/current'))).toBe('releases/1.1');
    expect(leftovers('fed/app')).toEqual([]);
  });
});

// A full disk needs a mount: a tiny tmpfs on the controller, written through the exec-only path every SSH host takes.
describe.skipIf(!labEnabled())('file editing on a full disk', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  });
  afterAll(async () => {
    execFileSync('umount', ['-l', dir]);
    await cleanup();
  });

  it('the write fails with the system\'s words, the file keeps its old text and no temp file is left', async () => {
    const path = join(dir, 'app.conf');
    writeFileSync(path, 'port = 1\n');
    execFileSync('sh', ['-c', 'dd if=/dev/zero of="$1" bs=1k 2>/dev/null; true', 'sh', join(dir, 'fill')]);
    const out = await runModule(lineinfileModule, { path, line: 'x'.repeat(8000) }, makeContext({ conn: remoteLike() }));
    expect(out).toMatchObject({ changed: false, failed: true });
    expect(out.msg).toMatch(new RegExp(`^cannot write ${path}: .*No space left on device`));
    expect(readFileSync(path, 'utf8')).toBe('port = 1\n');
    expect(readdirSync(dir).sort()).toEqual(['app.conf', 'fill']);
    execFileSync('rm', ['-f', join(dir, 'fill')]);
    expect((await runModule(lineinfileModule, { path, line: 'x'.repeat(8000) }, makeContext({ conn: remoteLike() }))).changed).toBe(true);
  });
});
