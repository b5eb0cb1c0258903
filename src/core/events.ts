// The executor emits these; the live view, the plain view, the JSON stream and tests subscribe.
import { withFlags, type HostStats, type TaskResult } from './result.js';

export interface TaskRef {
  /** Stable id within the run (play index / task path). */
  id: string;
  name: string;
  module: string;
  file?: string;
  line?: number;
  handler?: boolean;
}

export type RunEvent =
  | { kind: 'run_start'; playbook: string; check: boolean; diff: boolean; time: number }
  | { kind: 'play_start'; play: string; hosts: string[]; index: number; time: number }
  | { kind: 'task_start'; play: string; task: TaskRef; hosts: string[]; time: number }
  | { kind: 'host_task_start'; host: string; task: TaskRef; time: number }
  | { kind: 'host_output'; host: string; task: TaskRef; stream: 'stdout' | 'stderr' | 'info'; line: string; time: number }
  | { kind: 'host_progress'; host: string; task: TaskRef; done: number; total: number; unit: 'bytes' | 'items'; time: number }
  | { kind: 'host_task_result'; host: string; task: TaskRef; result: TaskResult; time: number }
  | { kind: 'host_unreachable'; host: string; msg: string; time: number }
  | { kind: 'verbose'; level: 1 | 2 | 3; host?: string; msg: string; time: number }
  | { kind: 'warning'; msg: string; host?: string; time: number }
  | { kind: 'play_end'; play: string; time: number }
  | { kind: 'recap'; stats: Record<string, HostStats>; durationMs: number; interrupted: boolean; time: number };

export type RunEventKind = RunEvent['kind'];
export type EventOf<K extends RunEventKind> = Extract<RunEvent, { kind: K }>;

export type Listener = (event: RunEvent) => void;

/** One event as a JSON line; a task result carries its derived flags as well as its status. */
export function eventLine(e: RunEvent): string {
  return `${JSON.stringify(e.kind === 'host_task_result' ? { ...e, result: withFlags(e.result) } : e)}\n`;
}

/** A tiny synchronous event bus: subscribers run in registration order. */
export class EventBus {
  private readonly listeners: Listener[] = [];

  on(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(event: RunEvent): void {
    for (const l of this.listeners) l(event);
  }
}
