// A thousand hosts must not start a thousand SSH handshakes at once: the run holds them to HANDSHAKES_AT_ONCE.
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDSHAKES_AT_ONCE, openClient } from '../../src/connection/ssh/open-client.js';
import { ConnectionError } from '../../src/core/errors.js';

describe('SSH handshakes at once', () => {
  // A server that accepts TCP and never answers the SSH banner: every handshake hangs until its connect timeout.
  // In order: 'accept' when the server takes a connection, 'timeout' when a client gives up on its handshake.
  const events: ('accept' | 'timeout')[] = [];
  const open = new Set<Socket>();
  const server = createServer((sock) => {
    events.push('accept');
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.on('error', () => undefined);
  });
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of open) s.destroy();
    server.close();
  });

  it(`keeps at most ${HANDSHAKES_AT_ONCE} in flight; the others wait for a slot and get their own full timeout`, async () => {
    const hosts = HANDSHAKES_AT_ONCE + 8;
    const outcomes = await Promise.allSettled(Array.from({ length: hosts }, (_, i) => openClient({
      host: `h${i}`, address: '127.0.0.1', port, user: 'root', password: 'x', hostKeyPolicy: 'off',
      connectTimeoutMs: 3000, keepaliveIntervalMs: 0,
    }, `h${i}`, undefined).catch((err: unknown) => {
      events.push('timeout');
      throw err;
    })));
    expect(events.filter((e) => e === 'accept')).toHaveLength(hosts);
    // Every queued handshake started only after one in flight had ended.
    expect(events.indexOf('timeout')).toBe(HANDSHAKES_AT_ONCE);
    for (const [i, o] of outcomes.entries()) {
      expect(o.status).toBe('rejected');
      const err = (o as PromiseRejectedResult).reason as Error;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toContain(`h${i}`);
      expect(err.message).toContain(`connect timeout after 3000 ms to 127.0.0.1:${port}`);
    }
  });
});
