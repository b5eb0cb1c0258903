// Everything needed to reach one host over SSH, after inventory and ~/.ssh/config are merged.
import type { HostKeyPolicy } from './host-key.js';

/** Authentication methods the client may try. */
export type SshAuthMethod = 'publickey' | 'agent' | 'password' | 'keyboard-interactive';

export interface SshTarget {
  /** Inventory host name (used in messages). */
  host: string;
  /** Address or DNS name to connect to. */
  address: string;
  /** @defaultValue 22 */
  port: number;
  user: string;
  password?: string;
  /** Private key file on the controller (OpenSSH or PEM format). */
  privateKeyFile?: string;
  /** Passphrase of the private key. */
  passphrase?: string;
  /** ssh-agent socket path (SSH_AUTH_SOCK). */
  agent?: string;
  /** Reach this host through another one (ProxyJump). */
  jump?: SshTarget;
  /** Only these methods, in this order (like PreferredAuthentications). @defaultValue key, agent, password, keyboard-interactive */
  authMethods?: SshAuthMethod[];
  /** @defaultValue 'strict' */
  hostKeyPolicy: HostKeyPolicy;
  /** @defaultValue ~/.ssh/known_hosts */
  knownHostsFile?: string;
  /** @defaultValue 10000 */
  connectTimeoutMs: number;
  /** @defaultValue 15000 (0 disables) */
  keepaliveIntervalMs: number;
}

/** What an inventory knows about a host; the rest comes from ~/.ssh/config and defaults. */
export interface SshTargetSpec {
  host: string;
  address?: string;
  port?: number;
  user?: string;
  password?: string;
  privateKeyFile?: string;
  passphrase?: string;
  agent?: string;
  /** `user@host:port` (comma-separated for several hops) or a spec. */
  jump?: string | SshTargetSpec;
  hostKeyPolicy?: HostKeyPolicy;
  knownHostsFile?: string;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
}
