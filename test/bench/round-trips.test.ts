import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/connection/connection.js';
import { statPath } from '../../src/connection/fs-ops.js';
import { LocalConnection } from '../../src/connection/local.js';
import { newMarkers, remoteArgv, remoteCommand } from '../../src/connection/ssh/remote-command.js';
import { replaceArgv } from '../../src/connection/replace-file.js';
import { BIG_FILE } from '../../src/connection/shell-lines.js';
import { putFile } from '../../src/connection/ssh/sftp-put.js';
import { appendRemoteAudit } from '../../src/executor/audit.js';
import { commandModule } from '../../src/modules/command.js';
import { copyModule } from '../../src/modules/copy.js';
import { fileModule } from '../../src/modules/file.js';
import { runModule } from '../../src/modules/run-module.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

// A local connection that records every command, as each one is a round trip over SSH.
function counting(): { conn: Connection; execs: string[][]; puts: string[] } {
  const local = new LocalConnection('counted');
  const execs: string[][] = [];
  const puts: string[] = [];
  const conn: Connection = {
    host: local.host,
    transport: 'ssh',
    connect: () => local.connect(),
    exec: (argv, o) => (execs.push(argv), local.exec(argv, o)),
    put: (s, d, o) => (puts.push(d), local.put(s, d, o)),
    get: (p, o) => local.get(p, o),
    close: () => local.close(),
  };
  return { conn, execs, puts };
}

describe('round trips per task', () => {
  it('file creates a directory and sets its mode in the one command that stats it; --check and --diff stat first', async () => {
    const c = counting();
    const p = join(dir, 'a', 'b');
    const out = await runModule(fileModule, { path: p, state: 'directory', mode: '0750' }, makeContext({ conn: c.conn }));
    expect(out.changed).toBe(true);
    expect(c.execs.length).toBe(1);
    c.execs.length = 0;
    const q = join(dir, 'c');
    expect((await runModule(fileModule, { path: q, state: 'directory' }, makeContext({ conn: c.conn, diffMode: true }))).changed).toBe(true);
    expect(c.execs.length).toBe(2);
    c.execs.length = 0;
    expect((await runModule(fileModule, { path: p, state: 'directory', mode: '0750' }, makeContext({ conn: c.conn }))).changed).toBe(false);
    expect(c.execs.length).toBe(1);
  });

  it('file names the failing step of its single command', async () => {
    await writeFile(join(dir, 'plain'), '');
    const out = await runModule(fileModule, { path: join(dir, 'plain', 'sub'), state: 'directory' }, makeContext());
    expect(out.failed).toBe(true);
    expect(out.msg).toContain(`cannot create ${join(dir, 'plain', 'sub')}: mkdir: cannot create directory`);
  });

  it('copy of a small controller file is one command, changed or not; a backup takes the stat-then-upload path', async () => {
    const src = join(dir, 'src.txt');
    await writeFile(src, 'hello\n');
    const dest = join(dir, 'dest.txt');
    const c = counting();
    expect((await runModule(copyModule, { src, dest, mode: '0640' }, makeContext({ conn: c.conn }))).changed).toBe(true);
    expect({ execs: c.execs.length, puts: c.puts }).toEqual({ execs: 1, puts: [] });
    await writeFile(src, 'hello again\n');
    c.execs.length = 0;
    expect((await runModule(copyModule, { src, dest, mode: '0640', backup: true }, makeContext({ conn: c.conn }))).changed).toBe(true);
    expect({ execs: c.execs.length, puts: c.puts }).toEqual({ execs: 2, puts: [dest] });
    c.execs.length = 0;
    expect((await runModule(copyModule, { src, dest, mode: '0640' }, makeContext({ conn: c.conn }))).changed).toBe(false);
    expect(c.execs.length).toBe(1);
  });

  it('copy into an existing folder still keeps the file name', async () => {
    const src = join(dir, 'name.conf');
    await writeFile(src, 'x=1\n');
    await mkdir(join(dir, 'etc'));
    const c = counting();
    expect((await runModule(copyModule, { src, dest: join(dir, 'etc') }, makeContext({ conn: c.conn }))).changed).toBe(true);
    expect(await readFile(join(dir, 'etc', 'name.conf'), 'utf8')).toBe('x=1\n');
    expect((await runModule(copyModule, { src, dest: join(dir, 'etc') }, makeContext({ conn: c.conn }))).changed).toBe(false);
  });

  it('copy compares same-size content by hash and reports the checksum it wrote', async () => {
    const src = join(dir, 's.txt');
    const dest = join(dir, 'd.txt');
    await writeFile(src, 'aaaa\n');
    await writeFile(dest, 'bbbb\n');
    const out = await runModule(copyModule, { src, dest }, makeContext());
    expect(out).toMatchObject({ changed: true, data: { dest, checksum: createHash('sha256').update('aaaa\n').digest('hex') } });
    expect(await readFile(dest, 'utf8')).toBe('aaaa\n');
    expect(await runModule(copyModule, { src, dest }, makeContext())).toEqual({ changed: false, data: { dest, checksum: createHash('sha256').update('aaaa\n').digest('hex') } });
  });

  it('copy notices a controller file that changed since it was hashed', async () => {
    const src = join(dir, 'v.txt');
    const dest = join(dir, 'out.txt');
    await writeFile(src, 'one\n');
    await runModule(copyModule, { src, dest }, makeContext());
    await writeFile(src, 'two, longer\n');
    expect((await runModule(copyModule, { src, dest }, makeContext())).changed).toBe(true);
    expect(await readFile(dest, 'utf8')).toBe('two, longer\n');
  });

  it('SSH put skips its own checksum comparison when the module already planned the write', async () => {
    const execs: string[][] = [];
    const ops = {
      host: 'h',
      exec: async (argv: string[]) => (execs.push(argv), { rc: 1, stdout: '', stderr: '', timedOut: false, durationMs: 0 }),
      sftp: async () => Promise.reject(new Error('no sftp in this test')),
    };
    await expect(putFile(ops, { content: 'x' }, '/d', { replace: true, sha256: 'ab' })).rejects.toThrow('no sftp in this test');
    expect(execs).toEqual([]);
    await expect(putFile(ops, { content: 'x' }, '/d')).rejects.toThrow('no sftp in this test');
    expect(execs.length).toBe(1);
    expect(execs[0]!.join(' ')).toContain('sha256sum');
  });

  it('the audit append releases this run\'s lock in the same command, never another run\'s', async () => {
    const c = counting();
    const audit = join(dir, 'log', 'audit.log');
    const mine = join(dir, 'mine.lock');
    const theirs = join(dir, 'theirs.lock');
    await mkdir(mine);
    await writeFile(join(mine, 'holder'), '{"run_id":"run-1"}');
    await mkdir(theirs);
    await writeFile(join(theirs, 'holder'), '{"run_id":"run-2"}');
    expect(await appendRemoteAudit(c.conn, audit, '{"a":1}', undefined, { lockPath: mine, runId: 'run-1' })).toBe(true);
    expect(await appendRemoteAudit(c.conn, audit, '{"a":2}', undefined, { lockPath: theirs, runId: 'run-1' })).toBe(true);
    expect(c.execs.length).toBe(2);
    expect(await readFile(audit, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    expect({ mine: existsSync(mine), theirs: existsSync(theirs) }).toEqual({ mine: false, theirs: true });
  });

  it('a failed audit append still releases the lock and reports the failure', async () => {
    await writeFile(join(dir, 'file'), '');
    const lock = join(dir, 'l.lock');
    await mkdir(lock);
    await writeFile(join(lock, 'holder'), '{"run_id":"run-9"}');
    expect(await appendRemoteAudit(counting().conn, join(dir, 'file', 'audit.log'), '{}', undefined, { lockPath: lock, runId: 'run-9' })).toBe(false);
    expect(existsSync(lock)).toBe(false);
  });

  it('a large upload is verified with the faster hasher and still refuses a wrong checksum', async () => {
    const local = new LocalConnection('big');
    const body = Buffer.alloc(BIG_FILE, 7);
    const sha = createHash('sha256').update(body).digest('hex');
    const tmp = join(dir, '.big.tmp');
    const dest = join(dir, 'big.bin');
    // An openssl on the PATH that notes each call before it hashes.
    const log = join(dir, 'openssl.log');
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'openssl'), `#!/bin/sh\necho "$*" >> '${log}'\nexec ${execFileSync('sh', ['-c', 'command -v openssl'], { encoding: 'utf8' }).trim()} "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${join(dir, 'bin')}:${process.env['PATH']}` };
    const from = { src: tmp, size: BIG_FILE };
    expect(replaceArgv({ dest, sha256: sha, want: {} }, tmp, from).at(-1)).toBe(String(BIG_FILE));
    await writeFile(tmp, body);
    const bad = await local.exec(replaceArgv({ dest, sha256: 'f'.repeat(64), want: {} }, tmp, from), { env });
    expect(bad.rc).toBe(5);
    expect(bad.stderr).toBe(`the content arrived incomplete (sha256 ${sha}, expected ${'f'.repeat(64)})\n`);
    expect([existsSync(dest), existsSync(tmp)]).toEqual([false, false]);
    expect(await readFile(log, 'utf8')).toBe('dgst -sha256 -r\n');
    await writeFile(tmp, body);
    expect((await local.exec(replaceArgv({ dest, sha256: sha, want: { mode: '0640' } }, tmp, from), { env })).rc).toBe(0);
    expect(createHash('sha256').update(await readFile(dest)).digest('hex')).toBe(sha);
    await writeFile(tmp, 'small');
    expect((await local.exec(replaceArgv({ dest, sha256: createHash('sha256').update('small').digest('hex'), want: {} }, tmp, { src: tmp, size: 5 }), { env })).rc).toBe(0);
    expect(await readFile(log, 'utf8')).toBe('dgst -sha256 -r\ndgst -sha256 -r\n');
  });

  it('stat hashes large files with the faster hasher and small ones with sha256sum, to the same result', async () => {
    const local = new LocalConnection('stat');
    for (const size of [BIG_FILE, 10]) {
      const body = Buffer.alloc(size, 3);
      const p = join(dir, `f${size}`);
      await writeFile(p, body);
      const st = await statPath(local, p, undefined, { checksum: true });
      expect({ size: st.size, isFile: st.isFile, sha256: st.sha256 }).toEqual({ size, isFile: true, sha256: createHash('sha256').update(body).digest('hex') });
    }
    expect((await statPath(local, dir, undefined, { checksum: true })).sha256).toBeUndefined();
    expect((await statPath(local, join(dir, 'none'), undefined, { checksum: true })).exists).toBe(false);
  });

  it('command with creates: one command whether it runs or is skipped; check mode only looks', async () => {
    const marker = join(dir, 'made');
    const args = { argv: ['touch', marker], creates: marker };
    const c = counting();
    expect(await runModule(commandModule, args, makeContext({ conn: c.conn, checkMode: true }))).toMatchObject({ changed: false, skipped: true });
    expect(existsSync(marker)).toBe(false);
    c.execs.length = 0;
    expect(await runModule(commandModule, args, makeContext({ conn: c.conn }))).toMatchObject({ changed: true, rc: 0, data: { cmd: ['touch', marker] } });
    expect(existsSync(marker)).toBe(true);
    expect(await runModule(commandModule, args, makeContext({ conn: c.conn }))).toEqual({ changed: false, msg: `skipped, since ${marker} exists`, rc: 0 });
    expect(c.execs.length).toBe(2);
  });

  it('command with a relative creates and chdir still checks from the login folder', async () => {
    const c = counting();
    const out = await runModule(commandModule, { argv: ['true'], creates: 'no-such-file-here', chdir: dir }, makeContext({ conn: c.conn }));
    expect(out).toMatchObject({ changed: true, rc: 0 });
    expect(c.execs.length).toBe(2);
  });

  it('an SSH command that is a sh script runs in the wrapper shell, with the same $0, arguments, pid report and exit code', () => {
    const m = newMarkers();
    const argv = ['/bin/sh', '-c', 'printf "%s|" "$0" "$@"; echo "$$" >&2; exit 7', 'sh', 'a b', '$(id)'];
    expect(remoteArgv(argv, {}, m)).toEqual(['sh', '-c', `echo "${m.ready} $$ \${SHELL:-}" >&2\n${argv[2]}`, 'sh', 'a b', '$(id)']);
    const r = spawnSync('bash', ['-c', remoteCommand(argv, {}, m)], { encoding: 'utf8', env: { ...process.env, SHELL: '/bin/bash' } });
    expect({ rc: r.status, stdout: r.stdout }).toEqual({ rc: 7, stdout: 'sh|a b|$(id)|' });
    const [ready, pid] = r.stderr.trim().split('\n');
    expect(ready).toBe(`${m.ready} ${pid} /bin/bash`);
    expect(remoteArgv(argv, { cwd: '/' }, m)[2]).toBe(`echo "${m.ready} $$ \${SHELL:-}" >&2; cd -- "$1" && shift && exec "$@"`);
    expect(execFileSync('bash', ['-c', remoteCommand(['/bin/sh', '-c', 'pwd', 'sh'], { cwd: '/usr' }, m)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toBe('/usr\n');
  });
});
