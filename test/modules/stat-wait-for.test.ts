import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runModule } from '../../src/modules/support/run-module.js';
import { parseStatFacts, statModule } from '../../src/modules/stat.js';
import { waitForModule } from '../../src/modules/wait-for.js';
import { makeContext, remoteLike, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.end());
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0 });
    });
  });
}
const closeServer = (s: Server) => new Promise((r) => s.close(r));

describe('stat', () => {
  it('returns file facts, never changes, and runs in check mode too', async () => {
    const p = join(dir, 'f');
    await writeFile(p, 'hello\n');
    await chmod(p, 0o640);
    const out = await runModule(statModule, { path: p }, makeContext({ checkMode: true }));
    expect(out.changed).toBe(false);
    expect(out.data?.stat).toMatchObject({
      exists: true,
      isdir: false,
      isreg: true,
      mode: '0640',
      size: 6,
      checksum: 'f572d396fae9206628714fb2ce00f72e94f2258f',
    });
  });

  it('reports a directory and an absent path', async () => {
    await mkdir(join(dir, 'd'));
    expect((await runModule(statModule, { path: join(dir, 'd') }, makeContext())).data?.stat).toMatchObject({ exists: true, isdir: true, isreg: false });
    expect((await runModule(statModule, { path: join(dir, 'x') }, makeContext())).data).toEqual({ stat: { exists: false, path: join(dir, 'x') } });
  });

  it('takes Ansible\'s checksum, mime and attribute arguments and registers its fields', async () => {
    const p = join(dir, 'f');
    await writeFile(p, 'hello\n');
    await chmod(p, 0o4750);
    const stat = async (args: Record<string, unknown>) => (await runModule(statModule, { path: p, ...args }, makeContext())).data?.stat as Record<string, unknown>;
    const all = await stat({});
    expect(all).toMatchObject({
      isreg: true, islnk: false, isuid: true, isgid: false, rusr: true, xgrp: true, woth: false, readable: true,
      pw_name: userInfo().username, uid: userInfo().uid, nlink: 1, mimetype: 'text/plain', charset: 'us-ascii',
    });
    expect(typeof all.mtime).toBe('number');
    expect(Array.isArray(all.attributes) || all.attributes === undefined).toBe(true);
    expect((await stat({ checksum_algorithm: 'sha256' })).checksum).toBe('5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');
    expect((await stat({ checksum_algo: 'md5' })).checksum).toBe('b1946ac92492d2347c6235b4d2611184');
    const bare = await stat({ get_checksum: false, get_mime: false, get_attributes: false });
    expect(bare).not.toHaveProperty('checksum');
    expect(bare).not.toHaveProperty('mimetype');
    expect(bare).not.toHaveProperty('attributes');
  });

  it('reports a symlink itself, or its target with follow', async () => {
    await mkdir(join(dir, 'd'));
    await symlink(join(dir, 'd'), join(dir, 'l'));
    expect(await (async () => (await runModule(statModule, { path: join(dir, 'l') }, makeContext())).data?.stat)()).toMatchObject({
      islnk: true, isdir: false, lnk_target: join(dir, 'd'), lnk_source: join(dir, 'd'),
    });
    const followed = (await runModule(statModule, { path: join(dir, 'l'), follow: true }, makeContext())).data?.stat;
    expect(followed).toMatchObject({ islnk: false, isdir: true });
    expect(followed).not.toHaveProperty('lnk_source');
    await symlink(join(dir, 'none'), join(dir, 'broken'));
    expect((await runModule(statModule, { path: join(dir, 'broken'), follow: true }, makeContext())).data?.stat).toEqual({ exists: false, path: join(dir, 'broken') });
  });

  it('parses lsattr\'s flags into Ansible\'s attribute names', () => {
    const out = [
      'stat=81a4|644|root|root|0|0|6|12|2049|1|1|2|3|8|4096|0|0', 'access=110', 'lsattr=2345 ----i--------e------- /f',
    ].join('\n');
    expect(parseStatFacts('/f', out, { get_checksum: false, get_mime: false })).toMatchObject({
      mode: '0644', isreg: true, version: '2345', attr_flags: 'ie', attributes: ['immutable', 'extents'], readable: true, executable: false,
    });
  });
});

describe('wait_for', () => {
  it('succeeds at once on an open port (local probe and exec probe)', async () => {
    const { server, port } = await listen();
    try {
      const local = await runModule(waitForModule, { port, timeout: 2 }, makeContext());
      expect(local).toMatchObject({ changed: false, msg: `port 127.0.0.1:${port} is started` });
      const remote = await runModule(waitForModule, { port, timeout: 2 }, makeContext({ conn: remoteLike() }));
      expect(remote).toMatchObject({ changed: false, msg: `port 127.0.0.1:${port} is started` });
      expect(remote.failed).toBeUndefined();
    } finally {
      await closeServer(server);
    }
  });

  it('waits for a port that opens later', async () => {
    const { server, port } = await listen();
    await closeServer(server);
    const later = createServer((s) => s.end());
    setTimeout(() => later.listen(port, '127.0.0.1'), 400);
    try {
      const out = await runModule(waitForModule, { port, timeout: 5, sleep: 0.1 }, makeContext());
      expect(out.failed).toBeUndefined();
      expect(out.data?.elapsed as number).toBeGreaterThanOrEqual(0.3);
    } finally {
      await closeServer(later);
    }
  });

  it('fails with a clear message after the timeout (both probes), and waits for stopped', async () => {
    const { server, port } = await listen();
    await closeServer(server);
    for (const conn of [undefined, remoteLike()]) {
      const out = await runModule(waitForModule, { port, timeout: 0.3, sleep: 0.1 }, makeContext(conn ? { conn } : {}));
      expect(out).toEqual({ changed: false, failed: true, msg: `timeout after 0.3s waiting for port 127.0.0.1:${port} to be started` });
    }
    expect((await runModule(waitForModule, { port, state: 'stopped', timeout: 1 }, makeContext())).failed).toBeUndefined();
  });

  it('waits for a path to appear and to vanish', async () => {
    const p = join(dir, 'ready');
    setTimeout(() => void writeFile(p, ''), 300);
    expect((await runModule(waitForModule, { path: p, timeout: 5, sleep: 0.1 }, makeContext())).msg).toBe(`path ${p} is started`);
    setTimeout(() => void rm(p), 300);
    expect((await runModule(waitForModule, { path: p, state: 'absent', timeout: 5, sleep: 0.1 }, makeContext())).failed).toBeUndefined();
  });

  it('rejects port and path together', async () => {
    await expect(runModule(waitForModule, { port: 1, path: '/x' }, makeContext())).rejects.toThrow('args: expected exactly one of port or path');
  });
});
