// Questions on a terminal (or any stream of lines): one answer per line; hidden answers are read with echo off.
import { InterruptedError, OmsrunError } from '../core/errors.js';

/** Where questions are asked and answered. */
export interface QuestionStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

// Reads lines as they come and keeps what arrived ahead of the question that wants it (answers piped in at once).
export class Questions {
  private buffer = '';
  private ended = false;
  private waiting: (() => void) | undefined;
  private readonly onData = (chunk: string | Buffer) => {
    this.buffer += String(chunk);
    this.waiting?.();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.waiting?.();
  };

  constructor(private readonly streams: QuestionStreams) {
    streams.input.setEncoding?.('utf8');
    streams.input.on('data', this.onData);
    streams.input.on('end', this.onEnd);
    streams.input.resume();
  }

  /** One answer; `fallback` is what an empty answer means (shown in brackets). */
  async ask(question: string, fallback?: string): Promise<string> {
    this.streams.output.write(fallback ? `${question} [${fallback}]: ` : `${question}: `);
    const answer = (await this.line(false)).trim();
    return answer === '' && fallback !== undefined ? fallback : answer;
  }

  /** An answer that is not echoed (passwords). */
  async askHidden(question: string): Promise<string> {
    this.streams.output.write(`${question}: `);
    const tty = this.streams.input.isTTY === true && this.streams.input.setRawMode !== undefined;
    if (tty) this.streams.input.setRawMode?.(true);
    try {
      return await this.line(tty);
    } finally {
      if (tty) {
        this.streams.input.setRawMode?.(false);
        this.streams.output.write('\n');
      }
    }
  }

  /** y/n with a default. */
  async confirm(question: string, fallback: boolean): Promise<boolean> {
    for (;;) {
      const a = (await this.ask(`${question} (y/n)`, fallback ? 'y' : 'n')).toLowerCase();
      if (a === 'y' || a === 'yes') return true;
      if (a === 'n' || a === 'no') return false;
      this.streams.output.write('  answer y or n\n');
    }
  }

  close(): void {
    this.streams.input.removeListener('data', this.onData);
    this.streams.input.removeListener('end', this.onEnd);
    this.streams.input.pause();
  }

  // In raw mode the terminal sends keys: Enter ends the line, Backspace edits, Ctrl-C interrupts, Ctrl-D ends.
  private async line(raw: boolean): Promise<string> {
    for (;;) {
      if (raw) {
        let value = '';
        for (const [i, ch] of Array.from(this.buffer).entries()) {
          if (ch === '\r' || ch === '\n') {
            this.buffer = Array.from(this.buffer).slice(i + 1).join('').replace(/^\n/, '');
            return value;
          }
          if (ch === '\u0003') throw new InterruptedError();
          if (ch === '\u0004') throw new OmsrunError('the answer was cut short (Ctrl-D)');
          if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
          else if (ch >= ' ') value += ch;
        }
      } else {
        const nl = this.buffer.indexOf('\n');
        if (nl >= 0) {
          const text = this.buffer.slice(0, nl).replace(/\r$/, '');
          this.buffer = this.buffer.slice(nl + 1);
          return text;
        }
      }
      if (this.ended) {
        if (this.buffer !== '' && !raw) {
          const text = this.buffer;
          this.buffer = '';
          return text;
        }
        throw new OmsrunError('no more answers: the input ended before every question was answered (give the rest as options)');
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }
}
