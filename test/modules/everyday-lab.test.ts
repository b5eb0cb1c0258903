// slurp, find, raw, get_url, unarchive, script and git over real SSH to a lab host (OpenSSH, sudo with a password),
// against files written on the host's /data and, for get_url, a real HTTP server on the lab bridge.
import { chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import type { SshTarget } from '../../src/connection/ssh/target.js';
import { findModule } from '../../src/modules/find.js';
import { rawModule } from '../../src/modules/raw.js';
import { slurpModule } from '../../src/modules/slurp.js';
import type { Module, ModuleContext } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { labEnabled, type LabHost } from '../lab/lab-helper.js';
import { useSideLab } from '../lab/side-lab.js';
import { makeContext } from '../helpers/module-context.js';

const side = useSideLab('fyev', 1, '/var/tmp/omsrun-fy');

describe.skipIf(!labEnabled())('everyday modules on a lab host over SSH', () => {
  let h1: LabHost;
  let root: SshConnection;
  let tester: SshConnection;
  const target = (over: Partial<SshTarget> = {}): SshTarget => ({
    host: h1.name, address: h1.ip, port: 22, user: 'root', privateKeyFile: side.lab.keyFile, hostKeyPolicy: 'strict',
    knownHostsFile: side.lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000, ...over,
  });
  const onHost = (rel: string) => join(h1.dir, 'data', rel);
  const run = (m: Module, args: Record<string, unknown>, extra: Partial<ModuleContext> = {}) =>
    runModule(m, args, makeContext({ conn: root, host: h1.name, ...extra }));
  const asTester = (extra: Partial<ModuleContext> = {}): Partial<ModuleContext> => ({
    conn: tester, become: { user: 'root', password: side.lab.tester.password }, ...extra,
  });

  beforeAll(async () => {
    h1 = side.lab.hosts[0] as LabHost;
    root = new SshConnection(target());
    tester = new SshConnection(target({ user: 'tester', password: side.lab.tester.password, privateKeyFile: undefined }));
    await Promise.all([root.connect(), tester.connect()]);
    mkdirSync(onHost('fy'), { recursive: true });
  });
  afterAll(async () => {
    await Promise.all([root?.close(), tester?.close()]);
  });

  it('slurp: every byte of a binary file comes back as base64, through sudo too; a missing file fails by name', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0, 0x80]);
    writeFileSync(onHost('fy/blob.bin'), bytes, { mode: 0o600 });
    const out = await run(slurpModule, { src: '/data/fy/blob.bin' }, asTester());
    expect(out).toEqual({ changed: false, data: { content: bytes.toString('base64'), encoding: 'base64', source: '/data/fy/blob.bin' } });
    const denied = await run(slurpModule, { src: '/data/fy/blob.bin' }, { conn: tester });
    expect(denied.failed).toBe(true);
    expect(denied.msg).toContain('/data/fy/blob.bin');
    expect(await run(slurpModule, { src: '/data/fy/none' })).toEqual({ changed: false, failed: true, msg: 'file not found: /data/fy/none' });
    expect(await run(slurpModule, { src: '/data/fy' })).toMatchObject({ failed: true, msg: 'source is a directory and must be a file: /data/fy' });
  });

  it('find: names, excludes, regex, type, depth, hidden, age, size, contains and links, in check mode too', async () => {
    const base = 'fy/find';
    for (const d of ['', 'sub', 'sub/deep', '.hidden']) mkdirSync(onHost(`${base}/${d}`), { recursive: true });
    const files: Record<string, string> = {
      'app.conf': 'port=80\n', 'app.log': 'x'.repeat(5000), 'old.log': 'old\n', '.secret.conf': 'k\n',
      'sub/db.conf': '# db\nport=3306\n', 'sub/deep/cache.conf': 'size=1\n', '.hidden/h.conf': 'h\n',
    };
    for (const [rel, body] of Object.entries(files)) writeFileSync(onHost(`${base}/${rel}`), body);
    const old = new Date(Date.now() - 10 * 86400_000);
    utimesSync(onHost(`${base}/old.log`), old, old);
    symlinkSync('/data/fy/find/app.conf', onHost(`${base}/current.conf`));
    const paths = (out: { data?: unknown }) => ((out.data as { files: { path: string }[] }).files).map((f) => f.path.replace('/data/fy/find/', ''));
    const p = '/data/fy/find';

    const confs = await run(findModule, { paths: p, patterns: '*.conf' });
    expect(paths(confs)).toEqual(['app.conf']);
    expect(confs.data).toMatchObject({ matched: 1, examined: 7, skipped_paths: {} });
    const first = (confs.data as { files: Record<string, unknown>[] }).files[0];
    expect(first).toMatchObject({ path: `${p}/app.conf`, isreg: true, isdir: false, islnk: false, size: 8, uid: 0, pw_name: 'root', mode: '0644', rusr: true, xusr: false });
    expect(typeof first!['mtime']).toBe('number');

    expect(paths(await run(findModule, { paths: p, patterns: '*.conf', recurse: true }))).toEqual(['.hidden/h.conf', 'app.conf', 'sub/db.conf', 'sub/deep/cache.conf']);
    expect(paths(await run(findModule, { paths: p, patterns: '*.conf', recurse: true, depth: 2, hidden: true }))).toEqual(['.hidden/h.conf', '.secret.conf', 'app.conf', 'sub/db.conf']);
    expect(paths(await run(findModule, { paths: p, patterns: '*.conf', excludes: 'db*', recurse: true, depth: 2 }))).toEqual(['.hidden/h.conf', 'app.conf']);
    expect(paths(await run(findModule, { paths: p, patterns: '^(app|old)\\.', use_regex: true }))).toEqual(['app.conf', 'app.log', 'old.log']);
    expect(paths(await run(findModule, { paths: p, file_type: 'directory', recurse: true }))).toEqual(['sub', 'sub/deep']);
    expect(paths(await run(findModule, { paths: p, file_type: 'link' }))).toEqual(['current.conf']);
    expect(paths(await run(findModule, { paths: p, age: '5d' }))).toEqual(['old.log']);
    expect(paths(await run(findModule, { paths: p, age: '-1d', patterns: '*.log' }))).toEqual(['app.log']);
    expect(paths(await run(findModule, { paths: p, size: '4k' }))).toEqual(['app.log']);
    expect(paths(await run(findModule, { paths: p, size: '-10', patterns: '*.log' }))).toEqual(['old.log']);
    expect(paths(await run(findModule, { paths: p, contains: 'port=\\d+', recurse: true }))).toEqual(['app.conf', 'sub/db.conf']);
    expect(paths(await run(findModule, { paths: p, contains: 'db', recurse: true }))).toEqual([]);
    // follow: the link is read as the file it points to.
    expect(paths(await run(findModule, { paths: p, patterns: '*.conf', follow: true }))).toEqual(['app.conf', 'current.conf']);
    // Through sudo in check mode: read-only modules run there.
    chmodSync(onHost(`${base}/sub`), 0o700);
    const checked = await run(findModule, { paths: `${p}/sub`, patterns: '*.conf' }, asTester({ checkMode: true }));
    expect(paths(checked)).toEqual(['sub/db.conf']);
    const missing = await run(findModule, { paths: [`${p}/sub`, '/data/fy/none'] });
    expect(missing).toMatchObject({ changed: false, msg: 'Not all paths examined, see skipped_paths', data: { matched: 1 } });
    expect((missing.data as { skipped_paths: Record<string, string> }).skipped_paths).toHaveProperty('/data/fy/none');
  });

  it('raw: the command line runs as written in the shell asked for; always changed, failing on a non-zero rc, skipped in check mode', async () => {
    expect(await run(rawModule, { cmd: 'echo "$0" $((6*7)) && echo err >&2' })).toMatchObject({ changed: true, rc: 0, stdout: '/bin/sh 42', stderr: 'err' });
    expect(await run(rawModule, { cmd: 'echo ${BASH_VERSION:+bash}', executable: '/bin/bash' })).toMatchObject({ changed: true, stdout: 'bash' });
    expect(await run(rawModule, { cmd: 'id -un' }, asTester())).toMatchObject({ changed: true, stdout: 'root' });
    expect(await run(rawModule, { cmd: 'echo no >&2; exit 3' })).toMatchObject({ failed: true, rc: 3, msg: 'non-zero return code 3: no' });
    writeFileSync(onHost('fy/raw-mark'), '');
    expect(await run(rawModule, { cmd: 'rm /data/fy/raw-mark' }, { checkMode: true })).toMatchObject({ changed: false, skipped: true });
    expect(readdirSync(onHost('fy'))).toContain('raw-mark');
    expect(readFileSync(onHost('fy/raw-mark'), 'utf8')).toBe('');
  });
});
