// Upload over SFTP into a temp file beside dest (or through sudo for files the login user cannot write), then the
// shared replace (replace-file.ts) puts it in place.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { CommandError, ConfigError, fromSystemError, InterruptedError } from '../../core/errors.js';
import type { Become, ExecOptions, ExecResult, PutOptions, PutSource } from '../connection.js';
import { applyArgv } from '../fs-ops.js';
import { fileSha256, removingTemp, replaceArgv, replaceViaExec, siblingTemp } from '../replace-file.js';

/** What put needs from the connection. */
export interface RemoteOps {
  host: string;
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  sftp(): Promise<SFTPWrapper>;
}

/** Skipped: the remote file already had the same sha256. */
export interface PutOutcome {
  uploaded: boolean;
  sha256: string;
}

// sha256 and size of what will be uploaded.
export async function localDigest(source: PutSource): Promise<{ sha256: string; size: number }> {
  if ('content' in source) {
    const buf = Buffer.from(source.content);
    return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
  }
  return { sha256: await fileSha256(source.localPath), size: (await stat(source.localPath)).size };
}

// The caller's sha256 when given (a large file is then read only once, by the upload).
async function knownDigest(source: PutSource, sha256: string | Promise<string> | undefined): Promise<{ sha256: string | Promise<string>; size: number }> {
  if ('content' in source) return sha256 === undefined ? localDigest(source) : { sha256, size: Buffer.byteLength(source.content) };
  try {
    return sha256 === undefined ? await localDigest(source) : { sha256, size: (await stat(source.localPath)).size };
  } catch (err) {
    throw fromSystemError(`cannot read ${source.localPath}`, err);
  }
}

// sha256 of a remote file, undefined when it does not exist or cannot be read.
export async function remoteSha256(ops: RemoteOps, path: string, become?: Become): Promise<string | undefined> {
  const r = await ops.exec(['sh', '-c', 'sha256sum < "$1"', 'sh', path], { become });
  return r.rc === 0 ? r.stdout.split(' ')[0] : undefined;
}

function upload(host: string, sftp: SFTPWrapper, source: PutSource, remote: string, size: number, o: PutOptions): Promise<void> {
  const fail = (reject: (e: Error) => void) => (err: Error): void =>
    reject(new CommandError(`${host}: cannot upload to ${remote}: ${err.message}`, 1, '', err.message));
  const transfer = new Promise<void>((resolve, rej) => {
    const reject = fail(rej);
    if ('localPath' in source) {
      const step = (done: number): void => o.onProgress?.(done, size);
      // fastPut opens with the server's default mode and chmods only at the end: create the file 0600 first.
      sftp.open(remote, 'wx', { mode: 0o600 }, (err, handle) => {
        if (err) return reject(err);
        sftp.close(handle, (e) => {
          if (e) return reject(e);
          sftp.fastPut(source.localPath, remote, { mode: 0o600, concurrency: 16, chunkSize: 32768, step }, (err2) =>
            err2 ? reject(err2) : (o.onProgress?.(size, size), resolve()),
          );
        });
      });
      return;
    }
    writeBuffer(sftp, remote, Buffer.from(source.content), (done) => o.onProgress?.(done, size)).then(resolve, reject);
  });
  return untilGone(sftp, transfer, o.signal);
}

// An interrupted transfer ends when the SFTP channel is closed (callbacks queued on an ended channel may never run).
function untilGone(sftp: SFTPWrapper, transfer: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return transfer;
  let onClose = (): void => undefined;
  const gone = new Promise<never>((_, reject) => {
    onClose = () => signal.aborted && reject(new InterruptedError());
    sftp.once('close', onClose);
    if (signal.aborted) reject(new InterruptedError());
  });
  return Promise.race([transfer, gone]).finally(() => sftp.off('close', onClose));
}

const CHUNK = 32768;
const IN_FLIGHT = 64;

// Writes a buffer with several SFTP write requests in flight (a write stream waits for each ack in turn).
function writeBuffer(sftp: SFTPWrapper, remote: string, buf: Buffer, step: (done: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    sftp.open(remote, 'wx', { mode: 0o600 }, (err, handle) => {
      if (err) return reject(err);
      let next = 0;
      let done = 0;
      let active = 0;
      let failed: Error | undefined;
      const finish = (): void => sftp.close(handle, (e) => (failed ? reject(failed) : e ? reject(e) : (step(buf.length), resolve())));
      const pump = (): void => {
        while (!failed && active < IN_FLIGHT && next < buf.length) {
          const at = next;
          const len = Math.min(CHUNK, buf.length - at);
          next += len;
          active++;
          sftp.write(handle, buf, at, len, at, (e) => {
            active--;
            if (e) failed ??= e;
            done += len;
            if (!failed) step(done);
            if (active === 0 && (failed || next >= buf.length)) finish();
            else pump();
          });
        }
        if (active === 0 && next >= buf.length) finish();
      };
      pump();
    });
  });
}

function check(o: PutOptions): void {
  if (o.mode !== undefined && !/^[0-7]{3,4}$/.test(o.mode)) {
    throw new ConfigError(`expected an octal mode such as '0644', got ${JSON.stringify(o.mode)}`, { keyPath: 'mode' });
  }
  if (o.signal?.aborted) throw new InterruptedError();
}

// Runs the command that puts dest in place (or only sets its attributes); Ctrl-C stops it too.
async function finalize(ops: RemoteOps, argv: string[], dest: string, o: Pick<PutOptions, 'become' | 'signal'>): Promise<void> {
  const r = await ops.exec(argv, { become: o.become, signal: o.signal, ownScript: true });
  if (r.rc !== 0) throw cannotWrite(ops.host, dest, r);
}

function cannotWrite(host: string, dest: string, r: ExecResult): CommandError {
  return new CommandError(`${host}: cannot write ${dest}: ${r.stderr.trim() || `exit code ${r.rc}`}`, r.rc, r.stdout, r.stderr);
}

// Writes as another (non-root) user by piping the bytes through sudo, in one command, into a 0600 temp file that user
// owns: a staged copy would have to be readable by everyone for that user to read it.
async function streamAsUser(ops: RemoteOps, source: PutSource, dest: string, d: { sha256: string; size: number }, o: PutOptions & { become: Become }): Promise<PutOutcome> {
  const stdin = 'content' in source ? Buffer.from(source.content) : createReadStream(source.localPath);
  const r = await replaceViaExec(ops, { dest, sha256: d.sha256, want: o }, stdin, { size: d.size, become: o.become, signal: o.signal });
  check(o);
  if (r.rc !== 0) throw cannotWrite(ops.host, dest, r);
  o.onProgress?.(d.size, d.size);
  return { uploaded: true, sha256: d.sha256 };
}

// Writes dest atomically; skips the transfer when the remote file already has the same sha256.
export async function putFile(ops: RemoteOps, source: PutSource, dest: string, o: PutOptions = {}): Promise<PutOutcome> {
  check(o);
  const { sha256: pending, size } = await knownDigest(source, o.sha256);
  if (!o.replace && (await remoteSha256(ops, dest, o.become)) === (await pending)) {
    const argv = applyArgv(dest, undefined, o);
    if (argv) await finalize(ops, argv, dest, o);
    return { uploaded: false, sha256: await pending };
  }
  if (o.become && (o.become.user || 'root') !== 'root') return streamAsUser(ops, source, dest, { sha256: await pending, size }, { ...o, become: o.become });
  const sftp = await ops.sftp();
  const onAbort = (): void => sftp.end();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (!o.become) {
      const tmp = siblingTemp(dest);
      await removingTemp(ops, tmp, undefined, async () => {
        await upload(ops.host, sftp, source, tmp, size, o);
        check(o);
        await finalize(ops, replaceArgv({ dest, sha256: await pending, want: o }, tmp, { src: tmp, size }), dest, { signal: o.signal });
      });
      return { uploaded: true, sha256: await pending };
    }
    const mk = await ops.exec(['mktemp', '-d']);
    const dir = mk.stdout.trim();
    if (mk.rc !== 0 || dir === '') throw new CommandError(`${ops.host}: mktemp -d failed: ${mk.stderr.trim()}`, mk.rc, mk.stdout, mk.stderr);
    try {
      const staged = posix.join(dir, 'upload');
      await upload(ops.host, sftp, source, staged, size, o);
      check(o);
      const tmp = siblingTemp(dest);
      const argv = replaceArgv({ dest, sha256: await pending, want: o }, tmp, { src: staged, size });
      await removingTemp(ops, tmp, o.become, () => finalize(ops, argv, dest, o));
    } finally {
      await ops.exec(['rm', '-rf', '--', dir]).catch(() => undefined);
    }
    return { uploaded: true, sha256: await pending };
  } catch (err) {
    if (o.signal?.aborted) throw new InterruptedError();
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}
