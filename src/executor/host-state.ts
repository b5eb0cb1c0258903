// Per-host state for one playbook run: connection, facts, failure flags, counters.
import type { Become, Connection } from '../connection/connection.js';
import { emptyStats, type HostStats } from '../core/result.js';
import type { Vars } from '../inventory/model.js';
import type { Facts } from '../facts/parse.js';

export class HostState {
  conn?: Connection;
  /** The user the connection logged in as (one connection per host per run). */
  loginUser?: string;
  /** Registered results and set_fact values; they outlive a play. */
  readonly facts: Vars = {};
  /** Gathered facts (Ansible's short names), cached for the run. */
  gathered?: Facts;
  /**
   * Facts that modules returned as ansible_facts (getent's `getent_passwd`, package_facts' `packages`): keys of
   * `ansible_facts` and variables of their own, kept over a later gathering.
   */
  readonly moduleFacts: Facts = {};
  /** The gathering in flight or done, shared by every task that needs the facts. */
  gathering?: Promise<Facts>;
  /** The host's fact variables (getters reading `gathered`), made once per run. */
  factsLayer?: Vars;
  failed = false;
  unreachable = false;
  readonly stats: HostStats = emptyStats();
  /** Handler names notified in the current batch. */
  readonly notified = new Set<string>();
  /** Names of tasks that changed something, for the audit log. */
  readonly changedTasks: string[] = [];
  /** Deploy lock this run holds on the host. */
  lockPath?: string;
  /** How to act as root for the lock and the audit log (undefined: already root). */
  admin?: Become;
  /** Where to append this host's audit record. */
  auditPath?: string;
  private connecting?: Promise<void>;

  constructor(readonly name: string) {}

  get active(): boolean {
    return !this.failed && !this.unreachable;
  }

  /** Connects once; later calls share the same promise. */
  connect(open: () => Connection): Promise<void> {
    if (!this.connecting) {
      const conn = open();
      this.connecting = conn.connect().then(() => {
        this.conn = conn;
      });
    }
    return this.connecting;
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.connecting = undefined;
    if (conn) await conn.close().catch(() => undefined);
  }
}
