// The controller itself as a host: argv runs without a shell, files are replaced atomically.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { fromSystemError, InterruptedError } from '../core/errors.js';
import { becomeArgv } from './become.js';
import { BecomeHandshake } from './become-handshake.js';
import { CommandRun, signalRc } from './command-run.js';
import type { Become, Capabilities, Connection, ExecOptions, ExecResult, GetFileOptions, PutOptions, PutSource } from './connection.js';
import { commandError, getViaExec } from './fs-ops.js';
import { replaceLocally, replaceViaExec } from './replace-file.js';

// One class for every local run; `host` is the inventory name it stands for.
export class LocalConnection implements Connection {
  readonly transport = 'local';
  readonly capabilities: Capabilities = { runsOnController: true };
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
    const plan = becomeArgv(this.sudoEnv(argv, options), options.become, this.user);
    const handshake = plan.success !== undefined ? new BecomeHandshake({ marker: plan.success, prompt: plan.prompt, sudo: true }) : undefined;
    return this.spawnRun(plan.argv, argv[0] as string, options, new CommandRun(options, handshake));
  }

  // sudo resets the environment: the wanted variables go inside it, through env(1).
  private sudoEnv(argv: string[], options: ExecOptions): string[] {
    const env = Object.entries(options.env ?? {});
    if (!this.needsSudo(options.become) || env.length === 0) return argv;
    return ['env', ...env.map(([name, value]) => `${name}=${value}`), ...argv];
  }

  // Its own process group, so a timeout or abort kills everything the command started.
  private spawnRun(argv: string[], name: string, options: ExecOptions, run: CommandRun): Promise<ExecResult> {
    const started = performance.now();
    return new Promise<ExecResult>((resolve, reject) => {
      const child = spawn(argv[0] as string, argv.slice(1), {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const killGroup = (): boolean => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        return true;
      };
      run.watch(killGroup);
      child.stdin.on('error', () => {});
      child.stdout.on('data', (chunk: Buffer) => run.stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => run.pushStderr(chunk));
      child.on('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? 'no such file or directory' : err.message;
        resolve({ rc: 127, stdout: '', stderr: `cannot run ${name}: ${why}`, timedOut: false, durationMs: performance.now() - started });
      });
      child.on('close', (code, signal) => {
        const result = run.settle(code ?? (signal ? signalRc(signal) : 1), this.host);
        if (result instanceof Error) reject(result);
        else resolve(result);
      });
      run.attach(child.stdin, killGroup);
    });
  }

  async put(source: PutSource, dest: string, options: PutOptions = {}): Promise<void> {
    const content = 'content' in source ? Buffer.from(source.content) : await readLocal(source.localPath);
    const to = { dest, sha256: await (options.sha256 ?? createHash('sha256').update(content).digest('hex')), want: options };
    if (this.needsSudo(options.become)) {
      const r = await replaceViaExec(this, to, content, { size: content.length, become: options.become, signal: options.signal });
      if (r.rc !== 0) throw commandError(`cannot write ${dest}`, r);
    } else {
      await replaceLocally(this, to, content, options.signal);
    }
    options.onProgress?.(content.length, content.length);
  }

  async get(path: string, options: { become?: Become } = {}): Promise<Buffer> {
    if (this.needsSudo(options.become)) return getViaExec(this, path, options.become);
    return readLocal(path);
  }

  async getFile(path: string, localPath: string, options: GetFileOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw new InterruptedError();
    if (this.needsSudo(options.become)) {
      await writeFile(localPath, await getViaExec(this, path, options.become), { mode: 0o600 });
      return;
    }
    await copyFile(path, localPath).catch((err: unknown) => {
      throw fromSystemError(`cannot read ${path}`, err);
    });
  }
}

function readLocal(path: string): Promise<Buffer> {
  return readFile(path).catch((err: unknown) => {
    throw fromSystemError(`cannot read ${path}`, err);
  });
}
