// One SSH connection per host (through jump hosts if needed), reused by every command and transfer.
import type { Client, SFTPWrapper } from 'ssh2';
import { CommandError, ConnectionError } from '../../core/errors.js';
import type { Become, Capabilities, Connection, ExecOptions, ExecResult, GetFileOptions, PutOptions, PutSource } from '../connection.js';
import { ChannelLostError, runChannel } from './exec-channel.js';
import { openClient } from './open-client.js';
import { directCommand, killArgv, newMarkers, POSIX_LOGIN_SHELL, remoteCommand } from './remote-command.js';
import { sessionFromEnv } from './session-env.js';
import { SessionPool, type SessionOptions } from './session-pool.js';
import { getFile } from './sftp-get.js';
import { putFile, type PutOutcome } from './sftp-put.js';
import type { SshTarget } from './target.js';

/** Options of an SSH connection beyond its target. */
export interface SshConnectionOptions {
  /**
   * Run commands through one long-lived remote shell per host (and per become user) instead of a channel each.
   * @defaultValue OMSRUN_SESSION (off when unset)
   */
  session?: boolean | SessionOptions;
}

// The SSH transport: connect once, a channel per command (or a session streaming them), one lazily opened SFTP session.
export class SshConnection implements Connection {
  readonly transport = 'ssh';
  readonly capabilities: Capabilities = { runsOnController: false };
  readonly host: string;
  /** Milliseconds the last successful connect() took (all hops). */
  connectMs = 0;
  private clients: Client[] = [];
  private alive = false;
  private opening?: Promise<void>;
  private sftpSession?: Promise<SFTPWrapper>;
  /** Learnt from the first command's wrapper: the login shell runs the wrapper itself (see directCommand). */
  private posixLoginShell?: boolean;
  /** The host's sessions, when enabled. */
  readonly sessions?: SessionPool;

  constructor(readonly target: SshTarget, options: SshConnectionOptions = {}) {
    this.host = target.host;
    const session = options.session ?? sessionFromEnv();
    if (session) {
      const at = { host: this.host, client: () => this.client(), reconnect: () => this.dropClients(), connected: () => this.alive };
      this.sessions = new SessionPool(at, session === true ? {} : session);
    }
  }

  async connect(): Promise<void> {
    if (this.alive) return;
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<void> {
    const started = performance.now();
    const hops: SshTarget[] = [];
    for (let t: SshTarget | undefined = this.target; t; t = t.jump) hops.unshift(t);
    this.dropClients();
    const clients: Client[] = [];
    try {
      for (const hop of hops) {
        const prev = clients[clients.length - 1];
        const sock = prev ? await forward(prev, hop, this.host) : undefined;
        const via = hop === this.target ? undefined : hop;
        clients.push(await openClient(hop, this.host, via, sock));
      }
    } catch (err) {
      for (const c of clients.reverse()) c.end();
      throw err;
    }
    const last = clients[clients.length - 1] as Client;
    const dead = (): void => {
      if (this.clients === clients) this.markDead();
    };
    for (const c of clients) c.on('close', dead);
    last.on('error', dead);
    this.clients = clients;
    this.alive = true;
    this.connectMs = performance.now() - started;
  }

  private markDead(): void {
    this.alive = false;
    this.sftpSession = undefined;
  }

  private dropClients(): void {
    for (const c of this.clients.reverse()) c.end();
    this.clients = [];
    this.markDead();
    this.sessions?.drop();
  }

  private async client(): Promise<Client> {
    await this.connect();
    return this.clients[this.clients.length - 1] as Client;
  }

  async exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const viaSession = await this.sessions?.exec(argv, options);
    if (viaSession) return viaSession;
    const markers = newMarkers();
    const direct = this.posixLoginShell ? directCommand(argv, options, markers) : undefined;
    const command = direct ?? remoteCommand(argv, options, markers);
    const run = async (): Promise<ExecResult> =>
      runChannel(await this.client(), command, {
        host: this.host,
        markers,
        become: options.become,
        stdin: options.stdin,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        onLine: options.onLine,
        kill: (pid) => this.kill(pid, options.become),
        onReady: (shell) => {
          if (!options.become) this.posixLoginShell ??= POSIX_LOGIN_SHELL.test(shell);
        },
      });
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ChannelLostError)) throw err;
      if (err.started) throw new ConnectionError(this.host, `connection lost while running ${argv[0]}`, { cause: err });
    }
    this.dropClients();
    try {
      return await run();
    } catch (err) {
      if (err instanceof ChannelLostError) throw new ConnectionError(this.host, `connection lost: ${err.message}`, { cause: err });
      throw err;
    }
  }

  private async kill(pid: number | undefined, become: Become | undefined): Promise<void> {
    if (pid === undefined) return;
    await this.exec(killArgv(pid), { become, timeoutMs: 5000 });
  }

  /** The shared SFTP session, opened on first use. */
  async sftp(): Promise<SFTPWrapper> {
    const client = await this.client();
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((err, sftp) => {
        if (err) return reject(new ConnectionError(this.host, `cannot open SFTP: ${err.message}`, { cause: err }));
        sftp.on('close', () => (this.sftpSession = undefined));
        resolve(sftp);
      });
    });
    const session = this.sftpSession;
    session.catch(() => (this.sftpSession = undefined));
    return session;
  }

  async put(source: PutSource, dest: string, options: PutOptions = {}): Promise<void> {
    await this.putWithOutcome(source, dest, options);
  }

  /** put() that also says whether bytes were sent (false when the remote sha256 already matched). */
  async putWithOutcome(source: PutSource, dest: string, options: PutOptions = {}): Promise<PutOutcome> {
    return putFile({ host: this.host, exec: (a, o) => this.exec(a, o), sftp: () => this.sftp() }, source, dest, options);
  }

  async get(path: string, options: { become?: Become } = {}): Promise<Buffer> {
    if (options.become) {
      const r = await this.execRaw(['cat', '--', path], options.become);
      if (r.rc !== 0) throw new CommandError(`${this.host}: cannot read ${path}: ${r.stderr.trim()}`, r.rc, '', r.stderr);
      return r.raw;
    }
    const sftp = await this.sftp();
    return new Promise((resolve, reject) =>
      sftp.readFile(path, (err: Error | undefined, data: Buffer) =>
        err ? reject(new CommandError(`${this.host}: cannot read ${path}: ${err.message}`, 1, '', err.message)) : resolve(data),
      ),
    );
  }

  async getFile(path: string, localPath: string, options: GetFileOptions = {}): Promise<void> {
    const ops = { host: this.host, exec: this.exec.bind(this), sftp: () => this.sftp(), get: this.get.bind(this) };
    return getFile(ops, path, localPath, options);
  }

  private async execRaw(argv: string[], become: Become): Promise<ExecResult & { raw: Buffer }> {
    const markers = newMarkers();
    const chunks: Buffer[] = [];
    const r = await runChannel(await this.client(), remoteCommand(argv, { become }, markers), {
      host: this.host,
      markers,
      become,
      onRaw: (b) => chunks.push(b),
      kill: (pid) => this.kill(pid, become),
    });
    return { ...r, raw: Buffer.concat(chunks) };
  }

  async close(): Promise<void> {
    const clients = [...this.clients].reverse();
    this.clients = [];
    this.markDead();
    this.sessions?.drop();
    await Promise.all(
      clients.map(
        (c) => new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 2000);
          c.once('close', () => (clearTimeout(t), resolve()));
          c.end();
        }),
      ),
    );
  }
}

function forward(prev: Client, hop: SshTarget, host: string): Promise<NodeJS.ReadWriteStream> {
  return new Promise((resolve, reject) => {
    prev.forwardOut('127.0.0.1', 0, hop.address, hop.port, (err, stream) =>
      err ? reject(new ConnectionError(host, `jump host cannot reach ${hop.address}:${hop.port}: ${err.message}`, { cause: err })) : resolve(stream),
    );
  });
}
