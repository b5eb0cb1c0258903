// Picks the transport for a host from its variables: local for the controller, SSH otherwise.
import type { ConnectionFactory } from '../executor/context.js';
import { connectionSpec } from '../inventory/connection-vars.js';
import type { Connection } from './connection.js';
import { LocalConnection } from './local.js';
import type { HostKeyPolicy } from './ssh/host-key.js';
import { resolveSshTarget, SshConnection } from './ssh/index.js';

export interface FactoryOptions {
  /** @defaultValue 'strict' */
  hostKeyPolicy?: HostKeyPolicy;
  /** @defaultValue ~/.ssh/known_hosts */
  knownHostsFile?: string;
  /** @defaultValue ~/.ssh/config */
  sshConfigFile?: string;
}

export function connectionFactory(o: FactoryOptions = {}): ConnectionFactory {
  return (host, vars): Connection => {
    const spec = connectionSpec(host, vars);
    if (spec.connection === 'local') return new LocalConnection(host);
    const target = resolveSshTarget(
      {
        host,
        address: spec.host,
        port: spec.port,
        user: spec.user,
        password: spec.password,
        privateKeyFile: spec.privateKeyFile,
        jump: spec.jumpHost,
        hostKeyPolicy: o.hostKeyPolicy,
        knownHostsFile: o.knownHostsFile,
      },
      o.sshConfigFile,
    );
    return new SshConnection(target);
  };
}
