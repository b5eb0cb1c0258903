// Counts the channels a connected SshConnection opens from now on (exec channels and session channels alike).
import type { Client } from 'ssh2';
import type { SshConnection } from '../../src/connection/ssh/ssh-connection.js';

type ExecFn = (...args: unknown[]) => unknown;

// Wraps the connection's current ssh2 client's exec; a reconnect starts an uncounted client.
export function countChannels(conn: SshConnection): () => number {
  let channels = 0;
  const client = (conn as unknown as { clients: Client[] }).clients.at(-1) as unknown as { exec: ExecFn };
  const exec = client.exec.bind(client);
  client.exec = (...args: unknown[]) => (channels++, exec(...args));
  return () => channels;
}
