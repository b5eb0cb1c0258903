// `command: ls -l "/my dir"` is split like a shell would, but never run by one.
import { OmsrunError } from '../../core/errors.js';

/** Thrown for an unbalanced quote; the message names the input. */
export class SplitArgsError extends OmsrunError {
  override readonly name = 'SplitArgsError';
}

// Quotes group words, backslash escapes outside single quotes; no expansion of any kind.
export function splitArgs(input: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < input.length && '"\\$`'.includes(input[i + 1] as string)) cur += input[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < input.length) {
      cur += input[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new SplitArgsError(`unterminated ${quote === "'" ? 'single' : 'double'} quote in: ${input}`);
  if (inWord) out.push(cur);
  return out;
}
