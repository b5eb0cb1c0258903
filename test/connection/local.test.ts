import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { becomeArgv } from '../../src/connection/become.js';
import { LocalConnection } from '../../src/connection/local.js';
import { InterruptedError, SystemError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/module-context.js';

const conn = new LocalConnection();
const isRoot = process.getuid?.() === 0;
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('LocalConnection.exec', () => {
  it('runs argv without a shell, with stdin, cwd and env', async () => {
    const r = await conn.exec(['sh', '-c', 'cat; pwd; echo "$FOO"'], { stdin: 'in\n', cwd: dir, env: { FOO: 'bar' } });
    expect(r).toMatchObject({ rc: 0, stdout: `in\n${dir}\nbar\n`, stderr: '', timedOut: false });
    const lit = await conn.exec(['echo', '$HOME', '*', '; ls']);
    expect(lit.stdout).toBe('$HOME * ; ls\n');
  });

  it('reports rc and stderr of a failing command', async () => {
    const r = await conn.exec(['sh', '-c', 'echo oops >&2; exit 3']);
    expect(r).toMatchObject({ rc: 3, stdout: '', stderr: 'oops\n' });
  });

  it('reports a missing program as rc 127', async () => {
    const r = await conn.exec(['/no/such/prog']);
    expect(r).toMatchObject({ rc: 127, stderr: 'cannot run /no/such/prog: no such file or directory' });
  });

  it('kills the whole process group on timeout: rc 124, timedOut', async () => {
    const pidFile = join(dir, 'pid');
    const r = await conn.exec(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], { timeoutMs: 300 });
    expect(r).toMatchObject({ rc: 124, timedOut: true });
    expect(r.durationMs).toBeLessThan(5000);
    const child = Number(await readFile(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 100));
    const state = await readFile(`/proc/${child}/stat`, 'utf8').then((t) => t.split(') ')[1]?.[0], () => 'gone');
    expect(['gone', 'Z', 'X']).toContain(state);
  });

  it('abort kills the command and rejects with InterruptedError', async () => {
    const ac = new AbortController();
    const p = conn.exec(['sleep', '30'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
  });

  it('streams complete lines per stream, including a last line without newline', async () => {
    const lines: string[] = [];
    await conn.exec(['sh', '-c', 'printf "a\\nb"; sleep 0.05; printf "c\\n"; echo e1 >&2; printf tail'], {
      onLine: (s, l) => lines.push(`${s}:${l}`),
    });
    expect(lines.filter((l) => l.startsWith('stdout'))).toEqual(['stdout:a', 'stdout:bc', 'stdout:tail']);
    expect(lines.filter((l) => l.startsWith('stderr'))).toEqual(['stderr:e1']);
  });

  it('runs directly when become names the current user', async () => {
    const me = (await conn.exec(['id', '-un'])).stdout.trim();
    expect(becomeArgv(['id'], { user: me }, me).argv).toEqual(['id']);
    const r = await conn.exec(['id', '-un'], { become: { user: me } });
    expect(r.stdout.trim()).toBe(me);
  });

  it.skipIf(!isRoot)('becomes another user with sudo -n, and with a password without leaking it to stdin', async () => {
    expect((await conn.exec(['id', '-un'], { become: { user: 'nobody' } })).stdout).toBe('nobody\n');
    const r = await conn.exec(['sh', '-c', 'id -un; cat; echo warn >&2'], {
      become: { user: 'nobody', password: 'pw-secret' },
      stdin: 'payload',
    });
    expect(r).toMatchObject({ rc: 0, stdout: 'nobody\npayload', stderr: 'warn\n' });
  });
});

describe('becomeArgv', () => {
  const markers = { prompt: '[P]', success: '[OK]' };
  it('uses sudo -n without a password', () => {
    expect(becomeArgv(['ls', '-l'], { user: 'root' }, 'deploy', markers).argv).toEqual(['sudo', '-n', '-u', 'root', '--', 'ls', '-l']);
  });
  it('uses sudo -S with a prompt marker and a success marker with a password', () => {
    expect(becomeArgv(['ls'], { user: 'root', password: 'x' }, 'deploy', markers)).toEqual({
      argv: ['sudo', '-S', '-p', '[P]', '-u', 'root', '--', '/bin/sh', '-c', `echo '[OK]' >&2; exec "$@"`, 'sh', 'ls'],
      prompt: '[P]',
      success: '[OK]',
    });
  });
});

describe('LocalConnection.put/get', () => {
  it('writes atomically with the asked mode and leaves no temp file', async () => {
    const dest = join(dir, 'a.txt');
    await conn.put({ content: 'hello' }, dest, { mode: '0600' });
    expect(await readFile(dest, 'utf8')).toBe('hello');
    expect((await stat(dest)).mode & 0o7777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['a.txt']);
    expect((await conn.get(dest)).toString()).toBe('hello');
  });

  it('keeps the mode of the file it replaces, and copies from a controller path', async () => {
    const dest = join(dir, 'b.txt');
    const src = join(dir, 'src.bin');
    await writeFile(dest, 'old');
    await chmod(dest, 0o640);
    await writeFile(src, Buffer.from([0, 1, 2, 255]));
    await conn.put({ localPath: src }, dest);
    expect([...(await readFile(dest))]).toEqual([0, 1, 2, 255]);
    expect((await stat(dest)).mode & 0o7777).toBe(0o640);
  });

  it('removes the temp file when the rename fails', async () => {
    const dest = join(dir, 'sub');
    await mkdir(join(dest, 'child'), { recursive: true });
    await expect(conn.put({ content: 'x' }, dest)).rejects.toThrow(new SystemError(`cannot write ${dest}: expected a file, got a folder`));
    expect((await readdir(dir)).sort()).toEqual(['sub']);
  });

  it('names the file it cannot read, on either side', async () => {
    const gone = join(dir, 'gone');
    await expect(conn.get(gone)).rejects.toThrow(new SystemError(`cannot read ${gone}: no such file or directory`));
    await expect(conn.put({ localPath: gone }, join(dir, 'f'))).rejects.toThrow(new SystemError(`cannot read ${gone}: no such file or directory`));
    await expect(conn.exec(['cat'], { stdin: createReadStream(gone) })).rejects.toThrow(new SystemError(`cannot read ${gone}: no such file or directory`));
  });

  it('fails on a missing folder without leaving anything', async () => {
    await expect(conn.put({ content: 'x' }, join(dir, 'nope', 'f'))).rejects.toThrow(`cannot write ${join(dir, 'nope', 'f')}: the folder ${join(dir, 'nope')} does not exist`);
    expect(await readdir(dir)).toEqual([]);
  });

  it.skipIf(!isRoot)('hands environment variables through sudo', async () => {
    const r = await conn.exec(['sh', '-c', 'echo "$(id -un) $OMS_X"'], { become: { user: 'nobody' }, env: { OMS_X: 'a b' } });
    expect(r).toMatchObject({ rc: 0, stdout: 'nobody a b\n' });
  });

  it.skipIf(!isRoot)('chowns, and writes and reads as another user through sudo', async () => {
    await chmod(dir, 0o777);
    const dest = join(dir, 'owned');
    await conn.put({ content: 'o' }, dest, { owner: 'nobody', mode: '0640' });
    expect((await stat(dest)).uid).toBe(65534);
    const asNobody = join(dir, 'by-nobody');
    await conn.put({ content: Buffer.from([0, 10, 200]) }, asNobody, { become: { user: 'nobody' }, mode: '0600' });
    const st = await stat(asNobody);
    expect([st.uid, st.mode & 0o7777]).toEqual([65534, 0o600]);
    expect([...(await conn.get(asNobody, { become: { user: 'nobody' } }))]).toEqual([0, 10, 200]);
    expect((await readdir(dir)).sort()).toEqual(['by-nobody', 'owned']);
  });
});
