// Line output for logs, CI and pipes: Ansible-like headers, one line per host result.
import type { RunEvent } from '../core/events.js';
import { quoteArgv } from '../connection/quote.js';
import { isFailed, type TaskResult } from '../core/result.js';
import { CHECK_MODE_LINE, formatDiff, formatDuration, formatRecap, painter, STATUS_STYLE, statusWord } from './format.js';
import type { View, ViewOptions } from './view.js';

export function plainView(o: ViewOptions): View {
  const paint = painter(o.color);
  const write = (line: string) => o.out.write(`${line}\n`);
  const header = (title: string) => write(`\n${paint('bold', title)} ${'*'.repeat(Math.max(3, 70 - title.length))}`);

  const result = (host: string, r: TaskResult, item?: unknown, module = '') => {
    const label = item === undefined ? `[${host}]` : `[${host}] => (item=${short(item)})`;
    let line = `${statusWord(r)}: ${label}`;
    if (o.verbosity >= 1) line += ` ${paint('gray', formatDuration(r.durationMs))}`;
    const showMsg = r.msg && (isFailed(r) || ((o.verbosity >= 1 || module === 'debug') && r.status !== 'skipped'));
    if (showMsg) line += r.msg!.includes('\n') ? ` =>\n${r.msg!.replace(/\n$/, '')}` : ` => ${r.msg}`;
    write(paint(r.ignored ? 'cyan' : STATUS_STYLE[r.status], line));
    const cmd = r.data?.cmd;
    if (o.verbosity >= 1 && Array.isArray(cmd)) write(paint('gray', `    cmd: ${quoteArgv(cmd.map(String))}`));
    const showOutput = isFailed(r) || o.verbosity >= 1;
    if (showOutput && r.results === undefined) {
      for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
        if (text && text.trim()) write(indent(`${name}:\n${tail(text, isFailed(r) && o.verbosity < 1 ? 20 : 200)}`));
      }
    }
    if (r.diff) for (const d of r.diff) write(formatDiff(d).trimEnd());
    for (const sub of r.results ?? []) result(host, sub, sub.label ?? sub.item, module);
  };

  const listener = (e: RunEvent) => {
    switch (e.kind) {
      case 'run_start':
        if (e.check) write(paint('cyan', CHECK_MODE_LINE));
        break;
      case 'play_start':
        header(`PLAY [${e.play}]`);
        break;
      case 'task_start':
        header(`${e.task.handler ? 'RUNNING HANDLER' : 'TASK'} [${e.task.name}]`);
        if (o.verbosity >= 2 && e.task.file) write(paint('gray', `task path: ${e.task.file}:${e.task.line}`));
        break;
      case 'host_task_result':
        result(e.host, e.result, undefined, e.task.module);
        break;
      case 'host_unreachable':
        write(paint('red', `unreachable: [${e.host}] => ${e.msg}`));
        break;
      case 'host_output':
        if (o.verbosity >= 2) write(paint('gray', `  [${e.host}] ${e.line}`));
        break;
      case 'verbose':
        if (e.level <= o.verbosity) write(paint('gray', e.host ? `  [${e.host}] ${e.msg}` : e.msg));
        break;
      case 'warning':
        write(paint('magenta', `[WARNING]: ${e.host ? `[${e.host}] ` : ''}${e.msg}`));
        break;
      case 'recap':
        for (const line of formatRecap(e.stats, e.durationMs, e.interrupted, paint)) write(line);
        break;
      case 'host_task_start':
      case 'host_progress':
      case 'play_end':
        break;
    }
  };
  return { listener, close: async () => undefined };
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function tail(text: string, lines: number): string {
  const all = text.replace(/\n$/, '').split('\n');
  const kept = all.slice(-lines);
  return (all.length > lines ? [`... (${all.length - lines} earlier lines)`, ...kept] : kept).join('\n');
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
