// Runs one built command line on its own SSH channel: output lines, stdin, sudo password, timeout and abort.
import { constants } from 'node:os';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel } from 'ssh2';
import { CommandError, InterruptedError } from '../../core/errors.js';
import type { Become, ExecResult } from '../connection.js';
import { LineSplitter } from '../line-splitter.js';
import type { CommandMarkers } from './remote-command.js';

/** Options of runChannel. */
export interface ChannelRunOptions {
  /** Inventory host name, for messages. */
  host: string;
  markers: CommandMarkers;
  become?: Become;
  stdin?: string | Buffer | Readable;
  timeoutMs?: number;
  signal?: AbortSignal;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Kills the command's processes on the host (second channel); called on timeout and abort. */
  kill: (pid: number | undefined) => Promise<void>;
  /** Receives stdout bytes as they come (for binary reads). */
  onRaw?: (chunk: Buffer) => void;
  /** Called once the command runs, with the login shell its wrapper reported. */
  onReady?: (shell: string) => void;
}

/** The channel closed without an exit status: the connection went away. */
export class ChannelLostError extends Error {
  constructor(message: string, readonly started: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function signalRc(name: string | undefined): number {
  const n = name ? (constants.signals as Record<string, number>)[`SIG${name}`] : undefined;
  return 128 + (n ?? 0);
}

// Opens a channel, runs the command, and settles once the channel closes.
export function runChannel(client: Client, command: string, o: ChannelRunOptions): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let stdinError: Error | undefined;
    let onStdinError: (() => void) | undefined;
    if (o.stdin instanceof Readable) {
      stdinError = o.stdin.errored ?? undefined;
      o.stdin.once('error', (e) => ((stdinError = e), onStdinError?.()));
    }
    const onChannel = (err: Error | undefined, ch: ClientChannel): void => {
      if (err) return reject(new ChannelLostError(err.message, false, { cause: err }));
      const out = new LineSplitter(o.onLine && ((l) => o.onLine?.('stdout', l)));
      const errLines = new LineSplitter(o.onLine && ((l) => o.onLine?.('stderr', l)));
      const dec = new StringDecoder('utf8');
      let pre = '';
      let pid: number | undefined;
      let ready = false;
      let prompts = 0;
      let badPassword = false;
      let rc: number | undefined;
      let ending: 'timeout' | 'abort' | undefined;
      const sendStdin = (): void => {
        const input = o.stdin;
        if (input instanceof Readable) {
          onStdinError = () => ch.close();
          if (stdinError) ch.close();
          else input.pipe(ch);
        } else if (input !== undefined && input.length > 0) ch.end(input);
        else ch.end();
      };
      const stop = (why: 'timeout' | 'abort'): void => {
        if (ending || rc !== undefined) return;
        ending = why;
        const bounded = Promise.race([o.kill(pid), new Promise((r) => setTimeout(r, 5000).unref())]);
        void bounded.catch(() => undefined).finally(() => {
          ch.signal('KILL');
          ch.close();
          setTimeout(settle, 2000).unref();
        });
      };
      const timer = o.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), o.timeoutMs) : undefined;
      const onAbort = (): void => stop('abort');
      o.signal?.addEventListener('abort', onAbort, { once: true });
      if (o.signal?.aborted) stop('abort');
      if (!o.become) sendStdin();

      ch.on('data', (b: Buffer) => (o.onRaw?.(b), out.push(b)));
      ch.stderr.on('data', (b: Buffer) => {
        if (ready) return errLines.push(b);
        pre += dec.write(b);
        const promptCount = pre.split(o.markers.prompt).length - 1;
        if (promptCount > prompts) {
          prompts = promptCount;
          if (prompts > 1 || /Sorry, try again/.test(pre)) {
            badPassword = true;
            ch.close();
            return;
          }
          ch.write(`${o.become?.password ?? ''}\n`);
        }
        const m = new RegExp(`${o.markers.ready} (\\d+) ?([^\\n]*)\\n`).exec(pre);
        if (!m) return;
        ready = true;
        pid = Number(m[1]);
        o.onReady?.(m[2] ?? '');
        const rest = pre.slice(m.index + m[0].length);
        if (o.become) sendStdin();
        if (rest !== '') errLines.push(Buffer.from(rest));
      });
      ch.on('exit', (code: number | null, sig?: string) => {
        rc = typeof code === 'number' ? code : signalRc(sig);
      });
      let settled = false;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        if (o.stdin instanceof Readable) o.stdin.unpipe(ch);
        const stdout = out.end();
        const stderr = errLines.end();
        const durationMs = performance.now() - started;
        const noise = pre.split(o.markers.prompt).join('').trim();
        if (ending === 'abort') return reject(new InterruptedError());
        if (stdinError) return reject(stdinError);
        if (ending === 'timeout') return resolve({ rc: 124, stdout, stderr, timedOut: true, durationMs });
        if (o.become && !ready) {
          const user = o.become.user || 'root';
          if (badPassword || /incorrect password/.test(noise)) {
            return reject(new CommandError(`sudo: incorrect password for become user on ${o.host}`, 1, stdout, ''));
          }
          if (/password is required/.test(noise)) {
            return reject(new CommandError(`sudo: a password is required to become ${user} on ${o.host} (set a become password)`, 1, stdout, noise));
          }
          return reject(new CommandError(`sudo: cannot become ${user} on ${o.host}: ${noise || `exit code ${rc}`}`, rc ?? 1, stdout, noise));
        }
        if (rc === undefined) return reject(new ChannelLostError('the connection closed while the command was running', true));
        resolve({ rc, stdout, stderr: ready ? stderr : noise + stderr, timedOut: false, durationMs });
      };
      ch.on('close', settle);
    };
    try {
      client.exec(command, onChannel);
    } catch (err) {
      reject(new ChannelLostError((err as Error).message, false, { cause: err }));
    }
  });
}
