// One long-lived remote shell on one SSH channel: opened once (sudo answered once), then one command at a time.
import { Writable } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { OmsrunError } from '../../core/errors.js';
import { BecomeHandshake, becomeError } from '../become-handshake.js';
import { CommandRun } from '../command-run.js';
import type { Become, ExecOptions, ExecResult } from '../connection.js';
import { EndMarker } from './end-marker.js';
import { ChannelLostError } from './exec-channel.js';
import { killFrame, requestMarkers, sessionRequest, sessionStart, UNSUPPORTED, type SessionStart } from './session-script.js';

/** The host's shell cannot run the session (no hello in time, a missing tool): use exec channels there. */
export class SessionUnsupportedError extends OmsrunError {
  override readonly name = 'SessionUnsupportedError';
}

/** How a session is opened. */
export interface SessionOpenOptions {
  /** Inventory host name, for messages. */
  host: string;
  /** argv of the shell that runs the server. @defaultValue ['/bin/sh'] */
  shell?: readonly string[];
  become?: Become;
  /** Time the hello may take before the host is taken as unable to run a session. @defaultValue 10000 */
  helloTimeoutMs?: number;
}

/** After a kill, time the job's end markers may take before the whole session is dropped. */
const KILL_GRACE_MS = 5000;
const DISCARD = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() });

/** The request in flight: its two end markers, and how it settles (lost: the session ended first). */
interface InFlight {
  stdout: EndMarker;
  stderr: EndMarker;
  finish: (lost: boolean) => void;
}

// A channel running the session server; `run` streams one request at a time through it.
export class RemoteSession {
  /** The server shell's pid on the host. */
  pid?: number;
  private current?: InFlight;
  private closed = false;
  /** Script functions this session's shell holds. */
  private readonly defined = new Set<string>();

  private constructor(private readonly ch: ClientChannel, private readonly start: SessionStart, private readonly host: string) {
    ch.on('data', (chunk: Buffer) => this.feed('stdout', chunk));
    ch.stderr.on('data', (chunk: Buffer) => this.feed('stderr', chunk));
    ch.on('close', () => {
      this.closed = true;
      this.current?.finish(true);
    });
  }

  // Output between requests (a job's stray background child) belongs to no command and is dropped.
  private feed(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const flight = this.current;
    if (!flight) return;
    flight[stream].push(chunk);
    if (flight.stdout.line !== undefined && flight.stderr.line !== undefined) flight.finish(false);
  }

  /** The session can take a command now. */
  get idle(): boolean {
    return !this.closed && this.current === undefined;
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Opens the channel and waits for the hello (answering sudo once). Rejects with SessionUnsupportedError, a become error or ChannelLostError. */
  static open(client: Client, o: SessionOpenOptions): Promise<RemoteSession> {
    const start = sessionStart(o.shell ?? ['/bin/sh'], o.become);
    return new Promise((resolve, reject) => {
      const onChannel = (err: Error | undefined, ch: ClientChannel): void => {
        if (err) return reject(new ChannelLostError(err.message, false, { cause: err }));
        const handshake = new BecomeHandshake({ marker: start.hello, prompt: start.prompt, sudo: o.become !== undefined });
        let rc: number | undefined;
        let settled = false;
        const fail = (error: Error): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          ch.close();
          reject(error);
        };
        const timeoutMs = o.helloTimeoutMs ?? 10_000;
        const timer = setTimeout(() => fail(new SessionUnsupportedError(`no session hello within ${timeoutMs} ms`)), timeoutMs);
        const onStderr = (chunk: Buffer): void => {
          const step = handshake.push(chunk);
          if (step.kind === 'send-password') ch.write(`${o.become?.password ?? ''}\n`);
          else if (step.kind === 'wrong-password') ch.close();
          else if (step.kind === 'ready' && !settled) {
            settled = true;
            clearTimeout(timer);
            ch.stderr.off('data', onStderr);
            ch.off('close', onClose);
            const session = new RemoteSession(ch, start, o.host);
            session.pid = step.pid;
            resolve(session);
          }
        };
        const onClose = (): void => {
          const end = handshake.end(false);
          if (end.stderr.includes(UNSUPPORTED) || !end.failure || !o.become) {
            const why = end.stderr.split(UNSUPPORTED).pop()?.trim() || `the session shell exited with code ${rc ?? 'unknown'}`;
            return fail(new SessionUnsupportedError(why));
          }
          fail(becomeError(end.failure, end.stderr, { host: o.host, become: o.become, stdout: '', rc }));
        };
        ch.on('exit', (code: number | null) => (rc = code ?? undefined));
        ch.resume();
        ch.stderr.on('data', onStderr);
        ch.on('close', onClose);
      };
      try {
        client.exec(start.command, onChannel);
      } catch (err) {
        reject(new ChannelLostError((err as Error).message, false, { cause: err }));
      }
    });
  }

  /**
   * Runs one command; undefined when it cannot go through a session (see sessionRequest). Rejects with ChannelLostError
   * (started) when the session ends while the command runs.
   */
  run(argv: readonly string[], options: ExecOptions): Promise<ExecResult> | undefined {
    if (!this.idle) return undefined;
    const markers = requestMarkers();
    const request = sessionRequest(argv, options, markers, this.start.token, this.defined);
    if (request === undefined) return undefined;
    const { stdin: _stdin, become: _become, ...rest } = options;
    return new Promise((resolve, reject) => {
      const run = new CommandRun(rest, new BecomeHandshake({ marker: markers.ready }));
      let pid: number | undefined;
      let killWanted = false;
      let grace: NodeJS.Timeout | undefined;
      const kill = (): void => {
        if (pid !== undefined) this.ch.write(killFrame(pid));
        else killWanted = true;
        grace ??= setTimeout(() => this.ch.close(), KILL_GRACE_MS);
      };
      const flight: InFlight = {
        stdout: new EndMarker(markers.end, (b) => run.stdout.push(b)),
        stderr: new EndMarker(markers.end, (b) => run.pushStderr(b)),
        finish: (lost) => {
          if (this.current !== flight) return;
          this.current = undefined;
          clearTimeout(grace);
          const code = lost ? undefined : Number(flight.stdout.line);
          if (lost) {
            flight.stdout.flush();
            flight.stderr.flush();
          }
          const result = run.settle(code, this.host, () => new ChannelLostError('the session shell ended while the command was running', true));
          if (result instanceof Error) reject(result);
          else resolve(result);
        },
      };
      this.current = flight;
      run.watch(() => {
        if (this.current !== flight) return false;
        kill();
        return true;
      });
      run.attach(DISCARD(), kill, (ready) => {
        pid = ready.pid;
        if (killWanted && pid !== undefined) this.ch.write(killFrame(pid));
      });
      this.ch.write(request.frame);
      if (request.defines) this.defined.add(request.defines);
    });
  }

  close(): void {
    this.closed = true;
    this.ch.close();
  }
}
