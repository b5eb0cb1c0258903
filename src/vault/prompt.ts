// Reads a password from the terminal with echo off; Ctrl-C interrupts, the terminal is always restored.
import { InterruptedError } from '../core/errors.js';
import { VaultError } from './vault-error.js';

/** The terminal to ask on. */
export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

// Raw mode gives us each key without echo; we handle Enter, Backspace, Ctrl-C and Ctrl-D ourselves.
export function promptHidden(question: string, { input, output }: PromptStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const wasPaused = input.isPaused();
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.resume();
    output.write(question);
    const finish = (err?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      if (wasPaused) input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new InterruptedError());
        if (ch === '\u0004') return value === '' ? finish(new VaultError('no password entered')) : finish();
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
