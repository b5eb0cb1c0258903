// Files are rewritten atomically (temp file + rename) so a crash never leaves half a secret behind.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, open, readFile, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shownPath } from './display.js';
import { VaultError } from './vault-error.js';

// Read errors become one-line VaultErrors naming the file.
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'expected a file, got a folder' : `cannot read it (${code ?? 'error'})`;
    throw new VaultError(`${shownPath(file)}: ${what}`, { cause: err });
  }
}

/** How {@link writeFileAtomic} picks the mode. */
export interface AtomicWriteOptions {
  /** Mode for a file that does not exist yet; an existing file keeps its mode. @defaultValue 0o600 */
  newMode?: number;
}

// Writes next to the target, fsyncs, then renames over it; a symlink's target is replaced, not the link.
export async function writeFileAtomic(file: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  let target = path.resolve(file);
  let mode = options.newMode ?? 0o600;
  try {
    target = await realpath(target);
    mode = (await stat(target)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new VaultError(`${shownPath(file)}: cannot write it (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, mode);
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new VaultError(`${shownPath(file)}: cannot write it (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

/** Who edits the plain text. */
export interface EditOptions {
  /** Editor command line, run by /bin/sh with the file as `$1`. */
  editor: string;
}

// Opens `plain` in the editor inside a private 0700 folder and returns the saved text; the folder is always removed.
export async function editInPrivateTemp(plain: string, name: string, { editor }: EditOptions): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'omsrun-vault-'));
  try {
    const tmp = path.join(dir, path.basename(name));
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(plain, 'utf8');
    } finally {
      await fh.close();
    }
    await runEditor(editor, tmp);
    return await readFile(tmp, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runEditor(editor: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'omsrun-editor', file], { stdio: 'inherit' });
    const ignore = () => undefined;
    const stop = () => child.kill('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', stop);
    const done = (err?: Error) => {
      process.removeListener('SIGINT', ignore);
      process.removeListener('SIGTERM', stop);
      process.removeListener('SIGHUP', stop);
      if (err) reject(err);
      else resolve();
    };
    child.on('error', (err) => done(new VaultError(`cannot start the editor ${JSON.stringify(editor)} (${err.message})`, { cause: err })));
    child.on('close', (code, signal) => {
      if (code === 0) done();
      else done(new VaultError(`the editor ${JSON.stringify(editor)} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; nothing was saved`));
    });
  });
}
