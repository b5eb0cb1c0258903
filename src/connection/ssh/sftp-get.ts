// Streams a remote file to a controller file over SFTP (through a root-only staged copy under become).
import { writeFile } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { CommandError, InterruptedError } from '../../core/errors.js';
import type { Become, ExecOptions, ExecResult, GetFileOptions } from '../connection.js';

/** What getFile needs from the connection. */
export interface RemoteGetOps {
  host: string;
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  sftp(): Promise<SFTPWrapper>;
  get(path: string, options?: { become?: Become }): Promise<Buffer>;
}

// Copies the file as the become user into a fresh folder of the login user, readable by that user only.
const STAGE = `set -e
src=$1 dir=$2 uid=$3
[ -f "$src" ] || { echo "$src is not a regular file" >&2; exit 1; }
install -m 0600 -o "$uid" -- "$src" "$dir/fetch"`;

function fastGet(ops: RemoteGetOps, sftp: SFTPWrapper, remote: string, local: string, o: GetFileOptions): Promise<void> {
  const transfer = new Promise<void>((resolve, reject) => {
    const step = (done: number, _chunk: number, total: number): void => o.onProgress?.(done, total);
    sftp.fastGet(remote, local, { concurrency: 16, chunkSize: 32768, step }, (err) =>
      err ? reject(new CommandError(`${ops.host}: cannot read ${remote}: ${err.message}`, 1, '', err.message)) : resolve(),
    );
  });
  if (!o.signal) return transfer;
  const signal = o.signal;
  const onAbort = (): void => sftp.end();
  signal.addEventListener('abort', onAbort, { once: true });
  return transfer
    .catch((err: unknown) => {
      throw signal.aborted ? new InterruptedError() : err;
    })
    .finally(() => signal.removeEventListener('abort', onAbort));
}

// Without become: SFTP reads the file. With root become: a private staged copy is read, then removed. Another become
// user cannot hand a copy to the login user: its bytes come through get() instead.
export async function getFile(ops: RemoteGetOps, path: string, local: string, o: GetFileOptions = {}): Promise<void> {
  if (o.signal?.aborted) throw new InterruptedError();
  if (!o.become) return fastGet(ops, await ops.sftp(), path, local, o);
  if ((o.become.user || 'root') !== 'root') {
    await writeFile(local, await ops.get(path, { become: o.become }), { mode: 0o600 });
    return;
  }
  const mk = await ops.exec(['/bin/sh', '-c', 'id -u && mktemp -d']);
  const [uid = '', dir = ''] = mk.stdout.trim().split('\n');
  if (mk.rc !== 0 || !dir) throw new CommandError(`${ops.host}: mktemp -d failed: ${mk.stderr.trim()}`, mk.rc, mk.stdout, mk.stderr);
  try {
    const r = await ops.exec(['/bin/sh', '-c', STAGE, 'sh', path, dir, uid], { become: o.become });
    if (r.rc !== 0) throw new CommandError(`${ops.host}: cannot read ${path}: ${r.stderr.trim() || `rc ${r.rc}`}`, r.rc, r.stdout, r.stderr);
    await fastGet(ops, await ops.sftp(), `${dir}/fetch`, local, o);
  } finally {
    await ops.exec(['rm', '-rf', '--', dir]).catch(() => undefined);
  }
}
