// The terminal view: per play, a board with one row per host (current task, timer, counts), redrawn once a second.
import { Listr } from 'listr2';
import type { RunEvent } from '../core/events.js';
import { isChanged, isFailed, type TaskResult } from '../core/result.js';
import { BoardRenderer } from './board-renderer.js';
import { CHECK_MODE_LINE, formatBytes, formatDiff, formatDuration, formatRecap, painter } from './format.js';
import { addOutput, boardLines, hostRow, type HostRow } from './host-board.js';
import { tail } from './plain-view.js';
import type { View, ViewOptions } from './view.js';

interface Slot extends HostRow {
  skipped: number;
  /** The row shows a transfer's progress as its last output line. */
  progress: boolean;
}

export function liveView(o: ViewOptions): View {
  const paint = painter(o.color);
  const write = (line: string) => o.out.write(`${line}\n`);
  const terminal = o.out as Partial<NodeJS.WriteStream>;
  let chain: Promise<unknown> = Promise.resolve();
  let slots = new Map<string, Slot>();
  let notes: string[] = [];
  let endPlay = () => {};

  const startPlay = (play: string, hosts: string[]) => {
    const now = Date.now();
    const rows = hosts.map((host): Slot => ({ ...hostRow(host, now), skipped: 0, progress: false }));
    slots = new Map(rows.map((r) => [r.host, r]));
    const ended = new Promise<void>((resolve) => (endPlay = resolve));
    const lines = (final: boolean) => boardLines(rows, Date.now(), { columns: terminal.columns || 80, rows: terminal.rows || 24 }, paint, final);
    const list = new Listr<unknown, typeof BoardRenderer>([{ task: () => ended }], {
      exitOnError: false,
      renderer: BoardRenderer,
      rendererOptions: { lines, everyMs: REDRAW_MS, stream: terminal as NodeJS.WriteStream },
    });
    const printed = notes;
    notes = [];
    chain = chain.then(async () => {
      write(paint('bold', `PLAY [${play}]`));
      await list.run().catch(() => undefined);
      for (const n of printed) write(n);
    });
  };

  const onResult = (host: string, taskName: string, module: string, r: TaskResult) => {
    const s = slots.get(host);
    // A host outside the current play (its deploy lock is taken with the first play's hosts) still shows its failure.
    if (!s) {
      if (isFailed(r) && !r.ignored) notes.push(paint('red', `failed: [${host}] ${taskName} => ${r.msg ?? ''}`));
      return;
    }
    if (module === 'debug' && r.msg && !isFailed(r) && r.status !== 'skipped') notes.push(r.msg.includes('\n') ? `[${host}]\n${r.msg.replace(/\n$/, '')}` : `[${host}] ${r.msg}`);
    if (r.status === 'skipped') s.skipped++;
    else if (r.ignored) notes.push(paint('cyan', `failed (ignored): [${host}] ${taskName} => ${r.msg ?? ''}`));
    else if (isFailed(r)) {
      s.failed++;
      const out = [r.stderr, r.stdout].filter((x) => x && x.trim()).map((x) => tail(x!, 10));
      s.problem = `${taskName}: ${r.msg ?? 'failed'}`;
      notes.push(paint('red', `failed: [${host}] ${taskName} => ${r.msg ?? ''}`), ...out.map((x) => x.replace(/^/gm, '    ')));
    } else {
      s.ok++;
      if (isChanged(r)) s.changed++;
    }
    if (r.diff) for (const d of r.diff) notes.push(formatDiff(d).trimEnd());
  };

  const listener = (e: RunEvent) => {
    switch (e.kind) {
      case 'run_start':
        if (e.check) write(paint('cyan', CHECK_MODE_LINE));
        break;
      case 'play_start':
        startPlay(e.play, e.hosts);
        break;
      case 'host_task_start': {
        const s = slots.get(e.host);
        if (s) {
          s.current = e.task.handler ? `handler: ${e.task.name}` : e.task.name;
          s.since = e.time;
          s.output = [];
          s.progress = false;
        }
        break;
      }
      case 'host_output': {
        const s = slots.get(e.host);
        if (s) {
          if (s.progress) s.output.pop();
          s.progress = false;
          addOutput(s, e.line);
        }
        break;
      }
      case 'host_progress': {
        const s = slots.get(e.host);
        if (s && e.total > 0) {
          if (s.progress) s.output.pop();
          s.progress = true;
          addOutput(s, e.unit === 'bytes' ? transferLine(e.done, e.total, e.time - s.since) : `${e.done}/${e.total}`);
        }
        break;
      }
      case 'host_task_result':
        onResult(e.host, e.task.name, e.task.module, e.result);
        break;
      case 'host_unreachable': {
        notes.push(paint('red', `unreachable: [${e.host}] => ${e.msg}`));
        const s = slots.get(e.host);
        if (s) {
          s.problem = `unreachable: ${e.msg.split('\n')[0]}`;
          s.current = s.problem;
          s.since = 0;
        }
        break;
      }
      case 'warning':
        notes.push(paint('magenta', `[WARNING]: ${e.host ? `[${e.host}] ` : ''}${e.msg}`));
        break;
      case 'verbose':
        if (e.level <= o.verbosity) notes.push(paint('gray', e.host ? `  [${e.host}] ${e.msg}` : e.msg));
        break;
      case 'play_end':
        for (const s of slots.values()) {
          s.current = s.problem ?? 'done';
          s.since = 0;
        }
        endPlay();
        break;
      case 'recap': {
        const leftover = notes;
        notes = [];
        chain = chain.then(() => {
          for (const n of leftover) write(n);
          for (const line of formatRecap(e.stats, e.durationMs, e.interrupted, paint)) write(line);
        });
        break;
      }
      case 'task_start':
        break;
    }
  };
  // A run that ended early (an internal error) leaves the board open: close ends it so the terminal is given back.
  const close = (): Promise<void> => {
    endPlay();
    return chain.then(() => undefined);
  };
  return { listener, close };
}

/** The board is redrawn this often (host timers count whole seconds); events only update fields. */
const REDRAW_MS = 1000;

/** `512.0 MiB / 1.0 GiB (50%) 98.2 MiB/s, ETA 5s` */
export function transferLine(done: number, total: number, elapsedMs: number): string {
  const pct = Math.floor((done / total) * 100);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? formatDuration(Math.round(((total - done) / rate) * 1000)) : '?';
  return `${formatBytes(done)} / ${formatBytes(total)} (${pct}%) ${formatBytes(Math.round(rate))}/s, ETA ${eta}`;
}
