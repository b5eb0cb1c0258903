// The live view's picture of a play: plain per-host fields updated in O(1) per event, drawn as lines cut to the terminal.
import { formatDuration, type Style } from './format.js';

export interface HostRow {
  host: string;
  /** The task running now, `done`, or the problem that stopped the host. */
  current: string;
  /** When the current task started; 0 once the host has finished the play. */
  since: number;
  ok: number;
  changed: number;
  failed: number;
  problem?: string;
  /** The last lines the current task printed (or its progress), newest last. */
  output: string[];
}

export interface BoardSize {
  columns: number;
  rows: number;
}

export type Paint = (style: Style, text: string) => string;

/** Lines of a task's output kept under its host's row while it runs. */
export const OUTPUT_LINES = 3;

/** Starts a host's row. */
export function hostRow(host: string, now: number): HostRow {
  return { host, current: 'connecting', since: now, ok: 0, changed: 0, failed: 0, output: [] };
}

/** Keeps the newest `OUTPUT_LINES` output lines of the host's current task, without terminal escapes. */
export function addOutput(row: HostRow, line: string): void {
  row.output.push(plainText(line));
  if (row.output.length > OUTPUT_LINES) row.output.shift();
}

/**
 * The board: every host's row, or, when they do not fit the terminal's height, a summary line and the hosts that
 * failed or still run, in inventory order. Each line fits the terminal's width, so the terminal never wraps it.
 * `final` draws the play's end for the scrollback: every host, no output lines.
 */
export function boardLines(rows: HostRow[], now: number, size: BoardSize, paint: Paint, final = false): string[] {
  const width = Math.max(8, ...rows.map((r) => r.host.length));
  const draw = (r: HostRow, withOutput: boolean): string[] => {
    const line = [hostLine(r, now, width, size.columns, paint)];
    if (withOutput && r.since) for (const o of r.output) line.push(paint('gray', fit(`    › ${o}`, size.columns)));
    return line;
  };
  if (final) return rows.map((r) => draw(r, false)[0]!);
  const all = rows.flatMap((r) => draw(r, true));
  // log-update kept the last `rows` lines as well: one row stays free for the cursor.
  const room = Math.max(2, size.rows - 1);
  if (all.length <= room) return all;
  const running = rows.filter((r) => r.since).length;
  const failed = rows.filter((r) => r.problem).length;
  const shown: string[] = [];
  let hosts = 0;
  for (const r of rows) {
    if (!r.problem && !r.since) continue;
    const lines = draw(r, true);
    if (shown.length + lines.length > room - 2) break;
    shown.push(...lines);
    hosts++;
  }
  const hidden = rows.length - hosts;
  const summary = `${rows.length} hosts: ${running} running, ${rows.length - running} finished${failed ? `, ${failed} failed` : ''}`;
  return [paint('bold', fit(summary, size.columns)), ...shown, paint('gray', fit(`… ${hidden} more host${hidden === 1 ? '' : 's'} not shown`, size.columns))];
}

const ICON = { running: '◼', done: '✔', failed: '✖' } as const;
const ICON_STYLE: Record<keyof typeof ICON, Style> = { running: 'yellow', done: 'green', failed: 'red' };

function hostLine(r: HostRow, now: number, width: number, columns: number, paint: Paint): string {
  const state = r.problem ? 'failed' : r.since ? 'running' : 'done';
  const timer = r.since ? ` ${formatDuration(Math.max(0, now - r.since))}` : '';
  const counts = `ok=${r.ok} changed=${r.changed}${r.failed ? ` failed=${r.failed}` : ''}`;
  const head = `${r.host.padEnd(width)}  `;
  // The task's name gives way first: the columns left after the icon, the host, the timer and the counts.
  const room = columns - 2 - head.length - timer.length - 2 - counts.length;
  const task = room >= 8 ? fit(r.current, room) : r.current;
  const plain = `${ICON[state]} ${head}${task}${timer}  ${counts}`;
  // A terminal too narrow for the whole row keeps its start: the host and its task.
  if (textWidth(plain) > columns) return fit(plain, columns);
  const taskStyle = r.since ? undefined : r.problem ? 'red' : 'green';
  return `${paint(ICON_STYLE[state], ICON[state])} ${head}${taskStyle ? paint(taskStyle, task) : task}${paint('gray', timer)}  ${paint('gray', counts)}`;
}

/** Cuts text to `columns` terminal cells, ending in `…` when cut. */
export function fit(text: string, columns: number): string {
  if (textWidth(text) <= columns) return text;
  if (columns < 1) return '';
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0)!);
    if (used + w > columns - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

const widths = new Map<string, number>();

/** Terminal cells a string without escapes takes: ASCII counts its length, other text is measured once and remembered. */
export function textWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let w = widths.get(text);
  if (w === undefined) {
    w = 0;
    for (const ch of text) w += charWidth(ch.codePointAt(0)!);
    if (widths.size > 4096) widths.clear();
    widths.set(text, w);
  }
  return w;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;
const WIDE = /^[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]$/u;

function charWidth(code: number): number {
  const ch = String.fromCodePoint(code);
  if (ZERO_WIDTH.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

/** A command's output line as plain text: terminal escapes and control characters would move the cursor or recolour the board. */
export function plainText(line: string): string {
  return line.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g, '').replace(/\t/g, ' ');
}
