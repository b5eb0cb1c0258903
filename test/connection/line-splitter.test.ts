import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/connection/line-splitter.js';

function split(chunks: Buffer[]): { lines: string[]; text: string } {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  return { lines, text: splitter.end() };
}

describe('LineSplitter', () => {
  it('emits whole lines across chunks, without \\n or \\r\\n, and a last line without newline', () => {
    expect(split([Buffer.from('a\nb'), Buffer.from('c\r\nd\n\ntail')])).toEqual({ lines: ['a', 'bc', 'd', '', 'tail'], text: 'a\nbc\r\nd\n\ntail' });
  });

  it('keeps a UTF-8 character cut between two chunks whole', () => {
    const bytes = Buffer.from('é€\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)])).toEqual({ lines: ['é€'], text: 'é€\n' });
  });

  it('only keeps the bytes when nobody wants lines', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from('x\ny'));
    expect(splitter.end()).toBe('x\ny');
  });
});
