// Live views want whole lines; pipes and channels cut lines, and UTF-8 characters, anywhere.
import { StringDecoder } from 'node:string_decoder';

/** Keeps a stream's bytes and emits each complete line (without its `\n` or `\r\n`) as it arrives. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunks: Buffer[] = [];
  private rest = '';

  /** No `emit`: the bytes are only kept. */
  constructor(private readonly emit?: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    if (!this.emit) return;
    const parts = (this.rest + this.decoder.write(chunk)).split('\n');
    this.rest = parts.pop() ?? '';
    for (const part of parts) this.emit(part.endsWith('\r') ? part.slice(0, -1) : part);
  }

  /** Emits a last line that had no newline; returns all the text pushed. */
  end(): string {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    if (this.emit && last !== '') this.emit(last);
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
