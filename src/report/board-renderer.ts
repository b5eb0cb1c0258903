// A listr2 renderer that draws the host board on a timer: one write per redraw, no per-event work, no text wrapping.
import { ProcessOutput } from 'listr2';

export interface BoardRendererOptions {
  /** The board's lines now; `final` asks for the lines left in the scrollback when the play ends. */
  lines: (final: boolean) => string[];
  /**
   * How often the board is redrawn.
   * @defaultValue 1000
   */
  everyMs?: number;
  /**
   * The terminal the board is drawn on.
   * @defaultValue process.stdout
   */
  stream?: NodeJS.WriteStream;
}

// listr2's default renderer wraps every line with wrap-ansi twice per redraw (its own format and log-update's),
// measuring each word's width by grapheme: ~140 ms of CPU per redraw at 50 hosts, 10-14 % of a 50-host run. The
// board's lines already fit the terminal, so this renderer only erases the previous lines and writes the new ones.
export class BoardRenderer {
  static nonTTY = false;
  static rendererOptions: BoardRendererOptions;
  static rendererTaskOptions: Record<PropertyKey, never>;

  private readonly output: ProcessOutput;
  private timer?: NodeJS.Timeout;
  private drawn = 0;

  constructor(
    _tasks: unknown,
    private readonly options: BoardRendererOptions,
  ) {
    this.output = new ProcessOutput(options.stream);
  }

  render(): void {
    // Hides the cursor and holds back what else writes to stdout or stderr until the board is done.
    this.output.hijack();
    this.draw();
    this.timer = setInterval(() => this.draw(), this.options.everyMs ?? 1000);
  }

  end(): void {
    clearInterval(this.timer);
    const lines = this.options.lines(true);
    this.output.toStdout(`${eraseLines(this.drawn)}${lines.join('\n')}`, lines.length > 0);
    this.drawn = 0;
    this.output.release();
  }

  private draw(): void {
    const lines = this.options.lines(false);
    this.output.toStdout(`${eraseLines(this.drawn)}${lines.join('\n')}\n`, false);
    this.drawn = lines.length + 1;
  }
}

/** Erases the last `count` lines and leaves the cursor at the start of the first, as log-update does. */
export function eraseLines(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += `\x1b[2K${i < count - 1 ? '\x1b[1A' : ''}`;
  return count ? `${out}\x1b[G` : '';
}
