// The composition root picks the transport for a host from its variables (`ansible_connection`): one table of
// transports by name. Adding a transport is its own folder under src/connection plus one entry here.
import { homedir } from 'node:os';
import path from 'node:path';
import type { ConnectionFactory } from '../executor/context.js';
import { didYouMean } from '../core/did-you-mean.js';
import { ConfigError } from '../core/errors.js';
import { describeValue } from '../core/yaml-source.js';
import { connectionSpec, connectionVarName, type ConnectionSpec } from '../inventory/connection-vars.js';
import type { Vars } from '../inventory/model.js';
import type { Connection } from '../connection/connection.js';
import { LocalConnection } from '../connection/local.js';
import type { HostKeyPolicy } from '../connection/ssh/host-key.js';
import { resolveSshTarget } from '../connection/ssh/ssh-config.js';
import { SshConnection } from '../connection/ssh/ssh-connection.js';
import { sessionWanted } from './session-switch.js';

export interface FactoryOptions {
  /** @defaultValue 'strict' */
  hostKeyPolicy?: HostKeyPolicy;
  /** Used when a host sets no `ansible_ssh_known_hosts_file`. @defaultValue ~/.ssh/known_hosts */
  knownHostsFile?: string;
  /** @defaultValue ~/.ssh/config */
  sshConfigFile?: string;
}

const KNOWN_HOSTS_VARS = ['ansible_ssh_known_hosts_file', 'known_hosts_file'] as const;

// A host's own known_hosts file (`~/` expanded), so one inventory can pin keys without touching ~/.ssh.
export function knownHostsFileOf(host: string, vars: Vars): string | undefined {
  for (const name of KNOWN_HOSTS_VARS) {
    const value = vars[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value === '') {
      throw new ConfigError(`expected a file path, got ${describeValue(value)}`, { keyPath: `${host}.${name}`, hint: 'set in the inventory, group_vars or host_vars' });
    }
    return path.resolve(value === '~' || value.startsWith('~/') ? homedir() + value.slice(1) : value);
  }
  return undefined;
}

/** Opens nothing yet: builds the connection object for one host (connect() opens it). */
type Transport = (host: string, spec: ConnectionSpec, vars: Vars, o: FactoryOptions) => Connection;

const TRANSPORTS: Readonly<Record<string, Transport>> = {
  local: (host) => new LocalConnection(host),
  ssh: (host, spec, vars, o) =>
    new SshConnection(
      resolveSshTarget(
        {
          host,
          address: spec.host,
          port: spec.port,
          user: spec.user,
          password: spec.password,
          privateKeyFile: spec.privateKeyFile,
          jump: spec.jumpHost,
          hostKeyPolicy: o.hostKeyPolicy,
          knownHostsFile: knownHostsFileOf(host, vars) ?? o.knownHostsFile,
        },
        o.sshConfigFile,
      ),
      { session: sessionWanted(host, vars) },
    ),
};

/** The transports omsrun has, by the name `ansible_connection` gives. */
export function transportNames(): string[] {
  return Object.keys(TRANSPORTS);
}

export function connectionFactory(o: FactoryOptions = {}): ConnectionFactory {
  return (host, vars): Connection => {
    const spec = connectionSpec(host, vars);
    const transport = Object.hasOwn(TRANSPORTS, spec.connection) ? TRANSPORTS[spec.connection] : undefined;
    if (!transport) {
      const names = transportNames();
      const hint = didYouMean(spec.connection, names);
      throw new ConfigError(`expected one of ${names.join(', ')}, got ${describeValue(spec.connection)}`, {
        keyPath: `${host}.${connectionVarName(vars)}`,
        hint: hint ? `${hint} (set in the inventory, group_vars or host_vars)` : 'set in the inventory, group_vars or host_vars',
      });
    }
    return transport(host, spec, vars, o);
  };
}
