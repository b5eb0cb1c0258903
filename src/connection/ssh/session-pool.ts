// A host's sessions: one for the login user and one per become user, opened on first use, reopened after they die.
import type { Client } from 'ssh2';
import { ConnectionError } from '../../core/errors.js';
import type { Become, ExecOptions, ExecResult } from '../connection.js';
import { ChannelLostError } from './exec-channel.js';
import { RemoteSession, SessionUnsupportedError } from './session-channel.js';

/** Session settings of one SSH connection. */
export interface SessionOptions {
  /** argv of the shell that runs the session server on the host. @defaultValue ['/bin/sh'] */
  shell?: readonly string[];
  /** @defaultValue 10000 */
  helloTimeoutMs?: number;
}

/** What the pool needs from its SSH connection. */
export interface SessionHost {
  host: string;
  client(): Promise<Client>;
  /** Drops a connection found dead, so the next client() connects again. */
  reconnect(): void;
  /** The SSH connection is still up (a session can end alone: its shell killed on the host). */
  connected(): boolean;
}

// One key per become user and password, so a wrong password never reuses a session opened with another.
function keyOf(become: Become | undefined): string {
  return become ? JSON.stringify([become.user || 'root', become.password ?? null]) : '';
}

/**
 * Routes commands through sessions. One command at a time per session: a command that finds its session busy (or
 * opening), or that a session cannot carry (stdin stream, large or binary stdin), takes an exec channel instead.
 */
export class SessionPool {
  /** Why this host uses exec channels only (its shell could not run a session), once known. */
  fallback?: string;
  /** Sessions opened so far (a counter for tests and the bench). */
  opened = 0;
  private readonly sessions = new Map<string, Promise<RemoteSession>>();

  constructor(private readonly at: SessionHost, private readonly options: SessionOptions = {}) {}

  /** The command's result through a session, or undefined when it must take an exec channel. */
  async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult | undefined> {
    if (this.fallback !== undefined) return undefined;
    const key = keyOf(options.become);
    const pending = this.sessions.get(key);
    let session: RemoteSession | undefined;
    if (pending) {
      session = await pending.catch(() => undefined);
      if (session && !session.alive) session = undefined;
      else if (!session?.idle) return undefined;
    }
    session ??= await this.open(key, options.become);
    if (!session) return undefined;
    const running = session.run(argv, options);
    if (!running) return undefined;
    try {
      return await running;
    } catch (err) {
      if (!(err instanceof ChannelLostError)) throw err;
      const what = this.at.connected() ? `the remote session ended while running ${argv[0]} (its shell was killed?)` : `connection lost while running ${argv[0]}`;
      throw new ConnectionError(this.at.host, what, { cause: err });
    }
  }

  // Opens the session (reconnecting once when the connection was found dead); undefined when the host cannot run one.
  private async open(key: string, become: Become | undefined): Promise<RemoteSession | undefined> {
    const attempt = async (): Promise<RemoteSession> =>
      RemoteSession.open(await this.at.client(), { host: this.at.host, become, shell: this.options.shell, helloTimeoutMs: this.options.helloTimeoutMs });
    const opening = attempt().catch(async (err: unknown) => {
      if (!(err instanceof ChannelLostError)) throw err;
      this.at.reconnect();
      return attempt();
    });
    this.sessions.set(key, opening);
    try {
      const session = await opening;
      this.sessions.set(key, Promise.resolve(session));
      this.opened++;
      return session;
    } catch (err) {
      this.sessions.delete(key);
      if (err instanceof SessionUnsupportedError) {
        this.fallback = err.message;
        return undefined;
      }
      if (err instanceof ChannelLostError) throw new ConnectionError(this.at.host, `connection lost: ${err.message}`, { cause: err });
      throw err;
    }
  }

  /** The server shell's pid of the session for this become (none: the login user's), when one is open. */
  async sessionPid(become: Become | undefined): Promise<number | undefined> {
    const session = await this.sessions.get(keyOf(become))?.catch(() => undefined);
    return session?.alive ? session.pid : undefined;
  }

  /** Forgets every session (the connection is gone or closing). */
  drop(): void {
    for (const pending of this.sessions.values()) void pending.then((s) => s.close(), () => undefined);
    this.sessions.clear();
  }
}
