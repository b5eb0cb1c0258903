// sudo's stderr conversation as a pure step function: local and SSH answer it alike, and tests need no sudo.
import { StringDecoder } from 'node:string_decoder';
import { CommandError } from '../core/errors.js';
import type { Become } from './connection.js';

/** What the handshake looks for on stderr. */
export interface HandshakeOptions {
  /** Starts the line the wrapper prints right before exec'ing the command; ` <pid> <login shell>` may follow it. */
  marker: string;
  /** sudo's prompt (`sudo -S -p`), given only when a password will answer it. */
  prompt?: string;
  /** sudo runs the wrapper: a command that never reached the marker is a become failure. @defaultValue false */
  sudo?: boolean;
}

/**
 * What the transport does after one stderr chunk: nothing yet; write the password and a newline to stdin; stop the
 * command (sudo refused the password); or let it run, with the pid and login shell the marker line carried and the
 * command's own stderr that came in the same chunk.
 */
export type HandshakeStep =
  | { kind: 'wait' }
  | { kind: 'send-password' }
  | { kind: 'wrong-password' }
  | { kind: 'ready'; pid?: number; shell: string; stderr: string };

/** Why sudo did not run the command. */
export type BecomeFailure = 'wrong-password' | 'password-required' | 'refused';

/** The handshake's share of a finished run. */
export interface HandshakeEnd {
  failure?: BecomeFailure;
  /** What sudo or the shell said before a marker that never came, prompts removed; '' once the command ran. */
  stderr: string;
}

const WAIT: HandshakeStep = { kind: 'wait' };
const RETRY = 'Sorry, try again';

// Fed stderr until the marker: answers the first prompt, stops at a second one; text before the marker is never the command's.
export class BecomeHandshake {
  private readonly decoder = new StringDecoder('utf8');
  private seen = '';
  private answered = 0;
  private refused = false;
  private ran = false;

  constructor(private readonly options: HandshakeOptions) {}

  /** The marker came: later stderr is the command's own and goes past the handshake. */
  get running(): boolean {
    return this.ran;
  }

  push(chunk: Buffer): HandshakeStep {
    if (this.ran) return WAIT;
    this.seen += this.decoder.write(chunk);
    if (this.refused) return WAIT;
    const prompts = this.promptCount();
    if (prompts > 1 || (prompts > 0 && this.seen.includes(RETRY))) {
      this.refused = true;
      return { kind: 'wrong-password' };
    }
    const ready = this.readyStep();
    if (ready) return ready;
    if (prompts === this.answered) return WAIT;
    this.answered = prompts;
    return { kind: 'send-password' };
  }

  /** timedOut: the run's clock stopped it, which is no sudo failure. */
  end(timedOut: boolean): HandshakeEnd {
    if (this.ran) return { stderr: '' };
    const prompt = this.options.prompt;
    const stderr = (prompt ? this.seen.split(prompt).join('') : this.seen).trim();
    if (timedOut || !this.options.sudo) return { stderr };
    if (this.refused || stderr.includes('incorrect password')) return { failure: 'wrong-password', stderr: '' };
    if (stderr.includes('password is required')) return { failure: 'password-required', stderr };
    return { failure: 'refused', stderr };
  }

  private promptCount(): number {
    return this.options.prompt ? this.seen.split(this.options.prompt).length - 1 : 0;
  }

  private readyStep(): HandshakeStep | undefined {
    const at = this.seen.indexOf(this.options.marker);
    const eol = at < 0 ? -1 : this.seen.indexOf('\n', at);
    if (eol < 0) return undefined;
    const fields = /^ (\d+) ?(.*)$/.exec(this.seen.slice(at + this.options.marker.length, eol));
    const stderr = this.seen.slice(eol + 1);
    this.ran = true;
    this.seen = '';
    return { kind: 'ready', pid: fields ? Number(fields[1]) : undefined, shell: fields?.[2] ?? '', stderr };
  }
}

/** Where a become failure happened, for its message. */
export interface FailureContext {
  /** Inventory host name. */
  host: string;
  become: Become;
  stdout: string;
  /** sudo's exit code, when it exited. */
  rc?: number;
}

// One wording for sudo failures on every transport; it never holds the password.
export function becomeError(failure: BecomeFailure, stderr: string, at: FailureContext): CommandError {
  const user = at.become.user || 'root';
  if (failure === 'wrong-password') return new CommandError(`sudo: incorrect password for become user on ${at.host}`, 1, at.stdout, '');
  if (failure === 'password-required') {
    return new CommandError(`sudo: a password is required to become ${user} on ${at.host} (set a become password)`, 1, at.stdout, stderr);
  }
  return new CommandError(`sudo: cannot become ${user} on ${at.host}: ${stderr || `exit code ${at.rc}`}`, at.rc ?? 1, at.stdout, stderr);
}
