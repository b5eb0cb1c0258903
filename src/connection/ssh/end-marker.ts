// Finds a request's end marker in a stream of raw bytes, passing on every byte before it at once.

/** Cuts one stream at `marker`: bytes before it go to `emit` as they come; the rest of the marker's line is kept. */
export class EndMarker {
  private readonly marker: Buffer;
  private held = Buffer.alloc(0);
  private tail?: Buffer;

  constructor(marker: string, private readonly emit: (chunk: Buffer) => void) {
    this.marker = Buffer.from(marker);
  }

  /** The text after the marker up to its newline, once the whole line came (the exit code on stdout, '' on stderr). */
  get line(): string | undefined {
    if (!this.tail) return undefined;
    const eol = this.tail.indexOf(0x0a);
    return eol < 0 ? undefined : this.tail.subarray(0, eol).toString('utf8').trim();
  }

  push(chunk: Buffer): void {
    if (this.tail) {
      this.tail = Buffer.concat([this.tail, chunk]);
      return;
    }
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      if (at > 0) this.emit(data.subarray(0, at));
      this.held = Buffer.alloc(0);
      this.tail = data.subarray(at + this.marker.length);
      return;
    }
    const keep = this.partial(data);
    if (data.length > keep) this.emit(data.subarray(0, data.length - keep));
    this.held = Buffer.from(data.subarray(data.length - keep));
  }

  // Length of the longest end of `data` that starts the marker (held back until the next chunk tells).
  private partial(data: Buffer): number {
    const first = this.marker[0] as number;
    for (let at = data.indexOf(first, Math.max(0, data.length - this.marker.length + 1)); at >= 0; at = data.indexOf(first, at + 1)) {
      const n = data.length - at;
      if (data.compare(this.marker, 0, n, at) === 0) return n;
    }
    return 0;
  }

  /** Bytes held back as a possible marker start when the stream ended without one. */
  flush(): void {
    if (this.held.length) this.emit(this.held);
    this.held = Buffer.alloc(0);
  }
}
