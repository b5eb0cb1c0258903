// Everything a running playbook shares: options, hosts, the event sink.
import type { Connection } from '../connection/connection.js';
import type { RunEvent } from '../core/events.js';
import type { Redactor } from '../core/secrets.js';
import type { Inventory, Vars } from '../inventory/model.js';
import type { HostState } from './host-state.js';
import type { TaskFilter } from '../playbook/select-tasks.js';

/** Opens the right connection for a host from its merged variables. */
export type ConnectionFactory = (host: string, vars: Vars) => Connection;

type Distribute<E> = E extends RunEvent ? Omit<E, 'time'> : never;
export type EventInput = Distribute<RunEvent>;

export interface ExecutorOptions {
  inventory: Inventory;
  extraVars: Vars;
  checkMode: boolean;
  diffMode: boolean;
  /** Most hosts worked on at once. @defaultValue 50 */
  forks: number;
  /** Hosts selected by --limit (undefined: no limit). */
  limitHosts?: ReadonlySet<string>;
  filter: TaskFilter;
  startAtTask?: string;
  verbosity: number;
  redactor: Redactor;
  connect: ConnectionFactory;
  /** Opens a connection to the controller itself (delegate_to: localhost). */
  localConnection: () => Connection;
  signal: AbortSignal;
  emit: (event: RunEvent) => void;
  /** Who runs what, for the deploy lock and the audit records. */
  run: RunIdentity;
  /** Take a deploy lock on every host. @defaultValue true */
  lock: boolean;
  /** How long to wait for another run's lock before giving up on a host. @defaultValue 0 */
  lockWaitMs: number;
  /** Append an audit record on every host at the end. @defaultValue true */
  audit: boolean;
}

export interface RunIdentity {
  id: string;
  user: string;
  controller: string;
  playbook: string;
  started: string;
}

export interface RunState {
  opts: ExecutorOptions;
  hosts: Map<string, HostState>;
  /** False until the task named by --start-at-task is reached; true from the start without it. */
  started: boolean;
  emit(event: EventInput): void;
}

export function createRunState(opts: ExecutorOptions, hosts: Map<string, HostState>): RunState {
  return {
    opts,
    hosts,
    started: !opts.startAtTask,
    emit(event) {
      opts.emit(opts.redactor.maskDeep({ ...event, time: Date.now() } as RunEvent));
    },
  };
}
