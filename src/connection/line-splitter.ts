// Live views want whole lines; chunks from a pipe cut lines anywhere.
export class LineSplitter {
  private rest = '';
  constructor(private readonly emit: (line: string) => void) {}

  push(text: string): void {
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.emit(p.endsWith('\r') ? p.slice(0, -1) : p);
  }

  /** Emits a last line that had no newline. */
  end(): void {
    if (this.rest !== '') this.emit(this.rest);
    this.rest = '';
  }
}
