// A user-space TCP relay that delays every chunk and stalls some, for kernels without netem: a slow, lossy link to one host.
// TCP never loses bytes in a stream, so loss shows up as what the sender sees: a retransmission wait before data goes on.
import { createServer, connect, type Server, type Socket } from 'node:net';

/** How the link behaves, each way. */
export interface RelayOptions {
  /** Where connections go. */
  target: { host: string; port: number };
  /** Address to listen on. @defaultValue '127.0.0.1' */
  listenHost?: string;
  /** One-way delay added to every chunk, in ms. @defaultValue 50 */
  delayMs?: number;
  /** Share of chunks that are "lost" and wait for a retransmission. @defaultValue 0 */
  lossRate?: number;
  /** How long a lost chunk waits, in ms (TCP's minimum RTO is 200 ms). @defaultValue 200 */
  retransmitMs?: number;
}

/** A running relay. */
export interface Relay {
  port: number;
  /** Chunks relayed and chunks held back as lost, both ways. */
  stats: { chunks: number; lost: number };
  close(): Promise<void>;
}

// Keeps the order of a direction's chunks: each waits for its own delay and for the chunk before it.
function delayedPipe(from: Socket, to: Socket, o: Required<Omit<RelayOptions, 'target' | 'listenHost'>>, stats: Relay['stats']): void {
  let last = Promise.resolve();
  from.on('data', (chunk: Buffer) => {
    stats.chunks++;
    const lost = Math.random() < o.lossRate;
    if (lost) stats.lost++;
    const wait = o.delayMs + (lost ? o.retransmitMs : 0);
    const due = Date.now() + wait;
    last = last.then(() => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())))).then(() => {
      if (!to.destroyed) to.write(chunk);
    });
  });
  from.on('end', () => void last.then(() => to.end()));
  from.on('error', () => to.destroy());
}

// Starts the relay on a free port.
export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const o = { delayMs: opts.delayMs ?? 50, lossRate: opts.lossRate ?? 0, retransmitMs: opts.retransmitMs ?? 200 };
  const stats = { chunks: 0, lost: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(opts.target.port, opts.target.host);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    delayedPipe(client, upstream, o, stats);
    delayedPipe(upstream, client, o, stats);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.listenHost ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
