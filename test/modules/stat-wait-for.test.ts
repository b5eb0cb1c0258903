import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runModule } from '../../src/modules/support/run-module.js';
import { statModule } from '../../src/modules/stat.js';
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
      checksum: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
    });
  });

  it('reports a directory and an absent path', async () => {
    await mkdir(join(dir, 'd'));
    expect((await runModule(statModule, { path: join(dir, 'd') }, makeContext())).data?.stat).toMatchObject({ exists: true, isdir: true, isreg: false });
    expect((await runModule(statModule, { path: join(dir, 'x') }, makeContext())).data).toEqual({ stat: { exists: false, path: join(dir, 'x') } });
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
