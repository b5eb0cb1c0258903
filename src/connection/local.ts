// The controller itself as a host: argv runs without a shell, files are replaced atomically.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, open, readFile, rename, rm, chmod, chown } from 'node:fs/promises';
import { constants, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { CommandError, InterruptedError } from '../core/errors.js';
import { becomeArgv } from './become.js';
import type { Become, Connection, ExecOptions, ExecResult, PutOptions, PutSource } from './connection.js';
import { getViaExec, putViaExec } from './fs-ops.js';
import { LineSplitter } from './line-splitter.js';

/** rc reported when a command was killed for running past `timeoutMs` (as coreutils `timeout`). */
export const TIMEOUT_RC = 124;

// One class for every local run; `host` is the inventory name it stands for.
export class LocalConnection implements Connection {
  readonly transport = 'local';
  private readonly user = userInfo().username;

  constructor(readonly host = 'localhost') {}

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  /** True when `become` asks for a user other than the one running omsrun. */
  needsSudo(become: Become | undefined): boolean {
    return become !== undefined && become.user !== this.user;
  }

  exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) return Promise.reject(new Error('exec: empty argv'));
    if (options.signal?.aborted) return Promise.reject(new InterruptedError());
    // sudo resets the environment: the wanted variables go inside it, through env(1).
    const sudo = this.needsSudo(options.become) && Object.keys(options.env ?? {}).length > 0;
    const inner = sudo ? ['env', ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`), ...argv] : argv;
    const plan = becomeArgv(inner, options.become, this.user);
    const started = Date.now();
    return new Promise<ExecResult>((resolve, reject) => {
      const child = spawn(plan.argv[0] as string, plan.argv.slice(1), {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let timedOut = false;
      let aborted = false;
      let waitingForSudo = plan.success !== undefined;
      let pending = '';
      let prompts = 0;
      let stdinError: Error | undefined;
      if (options.stdin instanceof Readable) {
        stdinError = options.stdin.errored ?? undefined;
        options.stdin.once('error', (err) => ((stdinError = err), killGroup()));
      }
      const outLines = new LineSplitter(options.onLine && ((line) => options.onLine?.('stdout', line)));
      const errLines = new LineSplitter(options.onLine && ((line) => options.onLine?.('stderr', line)));
      const killGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const writeStdin = (): void => {
        const input = options.stdin;
        if (input instanceof Readable) {
          if (stdinError) killGroup();
          else input.pipe(child.stdin);
          return;
        }
        if (input !== undefined) child.stdin.write(input);
        child.stdin.end();
      };
      const addErr = (text: string): void => errLines.push(Buffer.from(text));
      const timer =
        options.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              killGroup();
            }, options.timeoutMs)
          : undefined;
      const onAbort = (): void => {
        aborted = true;
        killGroup();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdin.on('error', () => {});
      child.stdout.on('data', (chunk: Buffer) => outLines.push(chunk));
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        if (!waitingForSudo) return addErr(d);
        pending += d;
        while (plan.prompt && pending.includes(plan.prompt)) {
          pending = pending.replace(plan.prompt, '');
          prompts += 1;
          if (prompts > 1) {
            pending += 'sudo: incorrect password\n';
            killGroup();
          } else child.stdin.write(`${options.become?.password ?? ''}\n`);
        }
        const mark = `${plan.success}\n`;
        const at = pending.indexOf(mark);
        if (at >= 0) {
          waitingForSudo = false;
          const before = pending.slice(0, at);
          const after = pending.slice(at + mark.length);
          pending = '';
          writeStdin();
          if (before.trim() !== '') addErr(before);
          if (after) addErr(after);
        }
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const why = err.code === 'ENOENT' ? 'no such file or directory' : err.message;
        resolve({ rc: 127, stdout: '', stderr: `cannot run ${argv[0]}: ${why}`, timedOut: false, durationMs: Date.now() - started });
      });
      child.on('close', (code, sig) => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (pending) addErr(pending);
        const stdout = outLines.end();
        const stderr = errLines.end();
        if (options.stdin instanceof Readable) options.stdin.unpipe(child.stdin);
        if (aborted) return reject(new InterruptedError());
        if (stdinError) return reject(stdinError);
        const rc = timedOut ? TIMEOUT_RC : (code ?? (sig ? 128 + (constants.signals[sig] ?? 0) : 1));
        resolve({ rc, stdout, stderr, timedOut, durationMs: Date.now() - started });
      });
      if (!waitingForSudo) writeStdin();
    });
  }

  async put(source: PutSource, dest: string, options: PutOptions = {}): Promise<void> {
    const content = 'content' in source ? Buffer.from(source.content) : await readFile(source.localPath);
    if (this.needsSudo(options.become)) return putViaExec(this, content, dest, options);
    const tmp = join(dirname(dest), `.${basename(dest)}.omsrun-${randomBytes(6).toString('hex')}`);
    try {
      const existing = await lstat(dest).catch(() => undefined);
      const fh = await open(tmp, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        throw new CommandError(`cannot write ${dest}: the folder ${dirname(dest)} does not exist`, 1, '', err.message);
      });
      try {
        await fh.writeFile(content);
        options.onProgress?.(content.length, content.length);
        await fh.sync();
      } finally {
        await fh.close();
      }
      const mode = options.mode ? parseInt(options.mode, 8) : existing?.isFile() ? existing.mode & 0o7777 : 0o644;
      // Where not asked for, the replaced file keeps its owner and group; chmod comes last, as chown clears setuid bits.
      if (existing?.isFile() && this.user === 'root') await chown(tmp, existing.uid, existing.gid);
      if (options.owner || options.group) {
        const spec = `${options.owner ?? ''}${options.group ? `:${options.group}` : ''}`;
        const r = await this.exec(['chown', spec, tmp]);
        if (r.rc !== 0) throw new CommandError(`chown ${spec} failed: ${r.stderr.trim()}`, r.rc, r.stdout, r.stderr);
      }
      await chmod(tmp, mode);
      if (options.signal?.aborted) throw new InterruptedError();
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(path: string, options: { become?: Become } = {}): Promise<Buffer> {
    if (this.needsSudo(options.become)) return getViaExec(this, path, options.become);
    return readFile(path);
  }
}
