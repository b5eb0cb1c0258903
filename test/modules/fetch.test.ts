import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { fetchDest, fetchModule } from '../../src/modules/fetch.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { labEnabled, type LabHost } from '../lab/lab-helper.js';
import { useLabHostConnections } from '../lab/lab-connection.js';
import { useSideLab } from '../lab/side-lab.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('fetch: where the file lands', () => {
  it('DEST/HOST/SRC, flat DEST, flat DEST/ + name, relative to the working folder', () => {
    expect(fetchDest({ src: '/var/log/a.log', dest: '/c/out', flat: false }, 'h1')).toBe('/c/out/h1/var/log/a.log');
    expect(fetchDest({ src: '/var/log/a.log', dest: '/c/out/b.log', flat: true }, 'h1')).toBe('/c/out/b.log');
    expect(fetchDest({ src: '/var/log/a.log', dest: '/c/out/', flat: true }, 'h1')).toBe('/c/out/a.log');
    expect(fetchDest({ src: 'rel/a.log', dest: 'logs', flat: false }, 'h1', '/run/here')).toBe('/run/here/logs/h1/rel/a.log');
  });
});

describe('fetch on the local connection', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(async () => cleanup());

  it('copies binary bytes, is unchanged the second time, replaces a copy that differs, leaves no temp file', async () => {
    const data = Buffer.concat([Buffer.from([0, 1, 2, 0, 255]), randomBytes(1.5 * 1024 * 1024)]);
    const src = join(dir, 'src.bin');
    await writeFile(src, data);
    const dest = join(dir, 'out', 'testhost', src.slice(1));
    const args = { src, dest: join(dir, 'out') };
    expect(await runModule(fetchModule, args, makeContext())).toEqual({
      changed: true, msg: `fetched ${src} to ${dest}`, data: { file: src, dest, checksum: sha(data), size: data.length },
    });
    expect(sha(await readFile(dest))).toBe(sha(data));
    expect((await stat(dest)).mode & 0o777).toBe(0o600);
    expect(await runModule(fetchModule, args, makeContext())).toEqual({ changed: false, data: { file: src, dest, checksum: sha(data), size: data.length } });
    await writeFile(dest, 'other');
    expect((await runModule(fetchModule, args, makeContext())).changed).toBe(true);
    expect(sha(await readFile(dest))).toBe(sha(data));
    expect(await readdir(join(dest, '..'))).toEqual(['src.bin']);
  });

  it('check mode says what it would fetch and writes nothing', async () => {
    const src = join(dir, 'a.log');
    await writeFile(src, 'hello\n');
    const dest = join(dir, 'copy.log');
    const out = await runModule(fetchModule, { src, dest, flat: true }, makeContext({ checkMode: true }));
    expect(out).toEqual({ changed: true, msg: `fetch ${src} (6 bytes) to ${dest}` });
    expect(existsSync(dest)).toBe(false);
  });

  it('a missing file fails, or with fail_on_missing: false is reported; a folder fails', async () => {
    const src = join(dir, 'none.log');
    expect(await runModule(fetchModule, { src, dest: dir }, makeContext())).toEqual({ changed: false, failed: true, msg: `${src} does not exist on the host` });
    expect(await runModule(fetchModule, { src, dest: dir, fail_on_missing: false }, makeContext())).toEqual({
      changed: false, msg: `${src} does not exist on the host; nothing fetched`, data: { file: src, dest: join(dir, 'testhost', src.slice(1)) },
    });
    await mkdir(join(dir, 'sub'));
    expect(await runModule(fetchModule, { src: join(dir, 'sub'), dest: dir }, makeContext())).toMatchObject({ failed: true, msg: `${join(dir, 'sub')} is not a regular file; fetch copies files only` });
  });
});

const side = useSideLab('ofetch', 1, '/var/tmp/omsrun-ofetch');

describe.skipIf(!labEnabled())('fetch from a lab host over SSH', () => {
  let h1: LabHost;
  let root: SshConnection;
  let tester: SshConnection;
  let out: string;
  const remote = '/root/omsrun-fetch';
  const conns = useLabHostConnections(side);

  beforeAll(() => {
    ({ host: h1, root, tester } = conns);
    out = join(side.work, 'fetched');
  });

  it('streams a 20 MB binary file over SFTP with progress, verified by sha256; a rerun is unchanged', async () => {
    const data = Buffer.concat([Buffer.alloc(1024), randomBytes(20 * 1024 * 1024)]);
    await root.put({ content: data }, '/tmp/big.bin');
    const progress: number[] = [];
    const ctx = makeContext({ conn: root, host: h1.name, progress: (done) => progress.push(done) });
    const t0 = performance.now();
    const r = await runModule(fetchModule, { src: '/tmp/big.bin', dest: out }, ctx);
    console.log(`[fetch timings] 20 MB over SFTP in ${(performance.now() - t0).toFixed(0)} ms`);
    const dest = join(out, h1.name, 'tmp/big.bin');
    expect(r).toMatchObject({ changed: true, data: { dest, checksum: sha(data), size: data.length } });
    expect(sha(await readFile(dest))).toBe(sha(data));
    expect(progress.length).toBeGreaterThan(5);
    expect((await runModule(fetchModule, { src: '/tmp/big.bin', dest: out }, makeContext({ conn: root, host: h1.name }))).changed).toBe(false);
  });

  it('with become: a root-only file through a private staged copy, removed afterwards', async () => {
    await root.exec(['sh', '-c', `mkdir -p -m 0700 ${remote} && printf 'a\\0b\\n' > ${remote}/secret.bin && chmod 0600 ${remote}/secret.bin`]);
    const become = { user: 'root', password: side.lab.tester.password };
    const staged = async (): Promise<string> => (await tester.exec(['sh', '-c', "find /tmp -maxdepth 1 -user tester -name 'tmp.*'"])).stdout;
    const before = await staged();
    const plain = await runModule(fetchModule, { src: `${remote}/secret.bin`, dest: join(out, 's.bin'), flat: true }, makeContext({ conn: tester, host: h1.name }));
    expect(plain).toMatchObject({ failed: true });
    const r = await runModule(fetchModule, { src: `${remote}/secret.bin`, dest: join(out, 's.bin'), flat: true }, makeContext({ conn: tester, host: h1.name, become }));
    expect(r).toMatchObject({ changed: true });
    expect(await readFile(join(out, 's.bin'))).toEqual(Buffer.from('a\0b\n'));
    expect(await staged()).toBe(before);
  });
});
