// The terminal view: per play, one listr2 line per host with its current task, spinner and timer.
import { Listr, ListrEventType, PRESET_TIMER, type ListrTaskWrapper } from 'listr2';
import type { RunEvent } from '../core/events.js';
import { isChanged, isFailed, type TaskResult } from '../core/result.js';
import { CHECK_MODE_LINE, formatBytes, formatDiff, formatDuration, formatRecap, painter } from './format.js';
import { tail } from './plain-view.js';
import type { View, ViewOptions } from './view.js';

interface Slot {
  host: string;
  task?: ListrTaskWrapper<unknown, any, any>;
  current: string;
  /** When the current task started on this host. */
  since: number;
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  problem?: string;
  done: () => void;
  fail: (msg: string) => void;
}

export function liveView(o: ViewOptions): View {
  const paint = painter(o.color);
  const write = (line: string) => o.out.write(`${line}\n`);
  let chain: Promise<unknown> = Promise.resolve();
  let slots = new Map<string, Slot>();
  let notes: string[] = [];
  let width = 8;

  let ticker: NodeJS.Timeout | undefined;
  const title = (s: Slot) => {
    const counts = paint('gray', `ok=${s.ok} changed=${s.changed}${s.failed ? ` failed=${s.failed}` : ''}`);
    const running = s.since ? paint('gray', ` ${formatDuration(Date.now() - s.since)}`) : '';
    return `${s.host.padEnd(width)}  ${s.current}${running}  ${counts}`;
  };
  const refresh = (s: Slot) => {
    if (s.task) s.task.title = title(s);
  };

  const startPlay = (play: string, hosts: string[]) => {
    const current = new Map<string, Slot>();
    width = Math.max(8, ...hosts.map((h) => h.length));
    const tasks = hosts.map((host) => {
      let done!: () => void;
      let fail!: (msg: string) => void;
      const finished = new Promise<void>((resolve, reject) => {
        done = resolve;
        fail = (msg) => reject(new Error(msg));
      });
      finished.catch(() => undefined);
      const slot: Slot = { host, current: 'connecting', since: Date.now(), ok: 0, changed: 0, failed: 0, skipped: 0, done, fail };
      current.set(host, slot);
      return {
        title: title(slot),
        task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, any, any>) => {
          slot.task = task;
          refresh(slot);
          await finished;
        },
        rendererOptions: { outputBar: 3, persistentOutput: false },
      };
    });
    slots = current;
    const list = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      renderer: 'default',
      rendererOptions: { timer: PRESET_TIMER, collapseErrors: false, lazy: true },
    });
    const redraw = quietRedraws(list);
    const printed = notes;
    notes = [];
    chain = chain.then(async () => {
      write(paint('bold', `PLAY [${play}]`));
      ticker = setInterval(() => current.forEach(refresh), 1000);
      const redrawing = setInterval(redraw, REDRAW_MS);
      await list.run().catch(() => undefined);
      clearInterval(redrawing);
      clearInterval(ticker);
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
    refresh(s);
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
          refresh(s);
        }
        break;
      }
      case 'host_output': {
        const s = slots.get(e.host);
        if (s?.task) s.task.output = e.line;
        break;
      }
      case 'host_progress': {
        const s = slots.get(e.host);
        if (s?.task && e.total > 0) {
          s.task.output = e.unit === 'bytes' ? transferLine(e.done, e.total, e.time - s.since) : `${e.done}/${e.total}`;
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
          s.fail(s.problem);
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
          s.current = s.problem ? paint('red', s.problem) : paint('green', 'done');
          s.since = 0;
          refresh(s);
          if (s.problem) s.fail(s.problem);
          else s.done();
        }
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
  // A run that ended early (an internal error) leaves host lines open: close ends them so the terminal is given back.
  const close = (): Promise<void> => {
    for (const s of slots.values()) s.done();
    return chain.then(() => undefined);
  };
  return { listener, close };
}

/** The live view redraws this often: each redraw measures and writes every host's line (at 50 hosts, 200 ms cost 35 % of the wall time at a terminal); host timers count whole seconds. */
const REDRAW_MS = 1000;

// listr2 redraws every line on each title or output change, which costs O(hosts) per change and O(hosts²) per task
// round (a 50-host run took 20 s instead of 4 s at a terminal). Those per-change redraws are dropped; the view
// redraws on a timer instead (the renderer is lazy: no spinner-driven redraws), and listr2's end() draws the final
// state. Returns the redraw.
function quietRedraws(list: Listr<unknown, 'default'>): () => void {
  const events = list.events;
  const emit = events.emit.bind(events) as (type: ListrEventType, ...rest: unknown[]) => void;
  (events as { emit: typeof emit }).emit = (type, ...rest) => {
    if (type !== ListrEventType.SHOULD_REFRESH_RENDER) emit(type, ...rest);
  };
  return () => emit(ListrEventType.SHOULD_REFRESH_RENDER);
}

/** `512.0 MiB / 1.0 GiB (50%) 98.2 MiB/s, ETA 5s` */
export function transferLine(done: number, total: number, elapsedMs: number): string {
  const pct = Math.floor((done / total) * 100);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? formatDuration(Math.round(((total - done) / rate) * 1000)) : '?';
  return `${formatBytes(done)} / ${formatBytes(total)} (${pct}%) ${formatBytes(Math.round(rate))}/s, ETA ${eta}`;
}
