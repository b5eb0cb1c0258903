// The transport-neutral half of one command, so local and SSH runs read output, answer sudo and settle alike.
import { constants } from 'node:os';
import { Readable, type Writable } from 'node:stream';
import { fromSystemError, InterruptedError } from '../core/errors.js';
import { becomeError, type BecomeHandshake } from './become-handshake.js';
import type { ExecOptions, ExecResult } from './connection.js';
import { LineSplitter } from './line-splitter.js';

/** rc reported when a command was killed for running past `timeoutMs` (as coreutils `timeout`). */
export const TIMEOUT_RC = 124;

/** Why a run was stopped from outside. */
export type Ending = 'timeout' | 'abort';

/** What the wrapper's marker line reported. */
export interface Ready {
  pid?: number;
  shell: string;
}

/** The options a run reads. */
export type CommandRunOptions = Pick<ExecOptions, 'stdin' | 'onLine' | 'become' | 'timeoutMs' | 'signal'>;

// The exit status of a command killed by a signal, named with or without its SIG prefix.
export function signalRc(name: string | undefined): number {
  if (!name) return 128;
  const signals = constants.signals as Record<string, number>;
  return 128 + (signals[name.startsWith('SIG') ? name : `SIG${name}`] ?? 0);
}

// Output lines, stdin held back until sudo lets the command start, and one order of verdicts.
export class CommandRun {
  readonly stdout: LineSplitter;
  readonly stderr: LineSplitter;
  private readonly started = performance.now();
  private ending?: Ending;
  private stdinError?: Error;
  private sink?: Writable;
  private stop: () => void = () => undefined;
  private onReady?: (ready: Ready) => void;
  private disarm: () => void = () => undefined;
  /** sudo reads the password from stdin: the command's own input waits for the marker. */
  private readonly holdStdin: boolean;

  constructor(
    private readonly options: CommandRunOptions,
    private readonly handshake?: BecomeHandshake,
  ) {
    this.holdStdin = handshake !== undefined && options.become !== undefined;
    const onLine = options.onLine;
    this.stdout = new LineSplitter(onLine && ((line) => onLine('stdout', line)));
    this.stderr = new LineSplitter(onLine && ((line) => onLine('stderr', line)));
    const input = options.stdin;
    if (input instanceof Readable) {
      this.stdinError = input.errored ?? undefined;
      input.once('error', (err) => ((this.stdinError = err), this.stop()));
    }
  }

  /** Arms timeoutMs and the abort signal; `halt` kills the command, false where it had already ended. An abort wins over a timeout. */
  watch(halt: (why: Ending) => boolean): void {
    const { timeoutMs, signal } = this.options;
    const stopFor = (why: Ending): void => {
      if (halt(why) && this.ending !== 'abort') this.ending = why;
    };
    const timer = timeoutMs !== undefined ? setTimeout(() => stopFor('timeout'), timeoutMs) : undefined;
    const onAbort = (): void => stopFor('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    this.disarm = () => (clearTimeout(timer), signal?.removeEventListener('abort', onAbort));
    if (signal?.aborted) onAbort();
  }

  /** The command started: `sink` is its stdin, `stop` ends it at once (a failed stdin stream, a wrong password). */
  attach(sink: Writable, stop: () => void, onReady?: (ready: Ready) => void): void {
    this.sink = sink;
    this.stop = stop;
    this.onReady = onReady;
    if (!this.holdStdin) this.sendStdin();
  }

  /** A stderr chunk goes through the handshake until the command runs, then to the command's stderr. */
  pushStderr(chunk: Buffer): void {
    if (!this.handshake || this.handshake.running) return this.stderr.push(chunk);
    const step = this.handshake.push(chunk);
    if (step.kind === 'send-password') this.sink?.write(`${this.options.become?.password ?? ''}\n`);
    else if (step.kind === 'wrong-password') this.stop();
    else if (step.kind === 'ready') {
      this.onReady?.(step);
      if (this.holdStdin) this.sendStdin();
      if (step.stderr !== '') this.stderr.push(Buffer.from(step.stderr));
    }
  }

  private sendStdin(): void {
    const input = this.options.stdin;
    const sink = this.sink as Writable;
    if (input instanceof Readable) {
      if (this.stdinError) this.stop();
      else input.pipe(sink);
    } else if (input !== undefined && input.length > 0) sink.end(input);
    else sink.end();
  }

  /**
   * The verdict once the command is gone: interrupted, stdin failed, timed out, sudo refused, else its own result.
   * rc undefined: its exit was never reported, and `lost` says why.
   */
  settle(rc: number | undefined, host: string, lost?: () => Error): ExecResult | Error {
    this.disarm();
    if (this.sink && this.options.stdin instanceof Readable) this.options.stdin.unpipe(this.sink);
    const stdout = this.stdout.end();
    const stderr = this.stderr.end();
    const durationMs = performance.now() - this.started;
    if (this.ending === 'abort') return new InterruptedError();
    if (this.stdinError) return fromSystemError(`cannot read ${(this.stdinError as NodeJS.ErrnoException).path ?? 'the input of the command'}`, this.stdinError) as Error;
    const early = this.handshake?.end(this.ending === 'timeout') ?? { stderr: '' };
    if (this.ending === 'timeout') return { rc: TIMEOUT_RC, stdout, stderr: early.stderr + stderr, timedOut: true, durationMs };
    const become = this.options.become;
    if (early.failure && become) return becomeError(early.failure, early.stderr, { host, become, stdout, rc });
    if (rc === undefined) return lost?.() ?? new Error(`${host}: the command ended without an exit status`);
    return { rc, stdout, stderr: early.stderr + stderr, timedOut: false, durationMs };
  }
}
