// Words, colours and layouts shared by the plain and live views.
import { createTwoFilesPatch } from 'diff';
import { styleText } from 'node:util';
import { isFailed, type FileDiff, type HostStats, type TaskResult, type TaskStatus } from '../core/result.js';

export type Style = Parameters<typeof styleText>[0];

/** Colours text when colour is on; identity otherwise. */
export function painter(color: boolean): (style: Style, text: string) => string {
  if (!color) return (_style, text) => text;
  // styleText asks the terminal for its colour depth on every call (~20 µs, most of a live view redraw's CPU); the
  // escapes it puts around a style do not change during a run, so each style's pair is asked for once.
  const wraps = new Map<string, [string, string]>();
  return (style, text) => {
    const key = String(style);
    let wrap = wraps.get(key);
    if (!wrap) {
      const marked = styleText(style, '\0');
      const at = marked.indexOf('\0');
      wrap = [marked.slice(0, at), marked.slice(at + 1)];
      wraps.set(key, wrap);
    }
    return `${wrap[0]}${text}${wrap[1]}`;
  };
}

export const STATUS_WORD: Record<TaskStatus, string> = {
  ok: 'ok',
  changed: 'changed',
  failed: 'failed',
  skipped: 'skipping',
  unreachable: 'unreachable',
};

export const STATUS_STYLE: Record<TaskStatus, Style> = {
  ok: 'green',
  changed: 'yellow',
  failed: 'red',
  skipped: 'cyan',
  unreachable: 'red',
};

export function statusWord(r: TaskResult): string {
  if (isFailed(r) && r.ignored) return 'failed (ignored)';
  return STATUS_WORD[r.status];
}

/** The line a run in --check mode opens with, in every view. */
export const CHECK_MODE_LINE = 'CHECK MODE: nothing will be changed';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A unified diff of one file, with headers naming the path. */
export function formatDiff(d: FileDiff): string {
  return createTwoFilesPatch(`${d.path} (before)`, `${d.path} (after)`, d.before, d.after, undefined, undefined, { context: 3 });
}

/** The recap table: one line per host, fixed columns, then a one-line verdict. */
export function formatRecap(stats: Record<string, HostStats>, durationMs: number, interrupted: boolean, paint = painter(false)): string[] {
  const names = Object.keys(stats);
  const width = Math.max(4, ...names.map((n) => n.length));
  const lines = ['', paint('bold', 'PLAY RECAP')];
  for (const name of names) {
    const s = stats[name]!;
    const bad = s.failed > 0 || s.unreachable > 0;
    const host = paint(bad ? 'red' : s.changed ? 'yellow' : 'green', name.padEnd(width));
    const cols = [
      `ok=${s.ok}`,
      `changed=${s.changed}`,
      `failed=${s.failed}`,
      `skipped=${s.skipped}`,
      `unreachable=${s.unreachable}`,
      `rescued=${s.rescued}`,
      `ignored=${s.ignored}`,
    ].map((c) => c.padEnd(c.indexOf('=') + 6));
    lines.push(`${host} : ${cols.join('')}time=${formatDuration(s.durationMs)}`);
  }
  lines.push('', verdict(stats, durationMs, interrupted, paint));
  return lines;
}

/** One line: did the run work, and if not, which hosts did not. */
export function verdict(stats: Record<string, HostStats>, durationMs: number, interrupted: boolean, paint = painter(false)): string {
  const names = Object.keys(stats);
  const failed = names.filter((n) => stats[n]!.failed > 0);
  const unreachable = names.filter((n) => stats[n]!.unreachable > 0);
  const changed = names.reduce((sum, n) => sum + stats[n]!.changed, 0);
  const took = formatDuration(durationMs);
  const hosts = `${names.length} host${names.length === 1 ? '' : 's'}`;
  if (interrupted) return paint('red', `INTERRUPTED after ${took}: ${hosts}, recap so far above`);
  const problems = [
    failed.length ? `${failed.length} failed (${failed.join(', ')})` : '',
    unreachable.length ? `${unreachable.length} unreachable (${unreachable.join(', ')})` : '',
  ].filter(Boolean);
  if (problems.length) return paint('red', `FAILED: ${problems.join(', ')} of ${hosts} in ${took}`);
  return paint('green', `OK: ${hosts}, ${changed} change${changed === 1 ? '' : 's'} in ${took}`);
}
