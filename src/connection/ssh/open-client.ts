// Opens one authenticated ssh2 Client to one hop, with host key checking and clear failure messages.
import { homedir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Client } from 'ssh2';
import { ConnectionError } from '../../core/errors.js';
import { authConfig, describeAuth, keyboardAnswers } from './auth.js';
import { hostKeyVerifier } from './host-key.js';
import { preferredHostKeyAlgorithms } from './known-hosts.js';
import { ssh2Lib } from './ssh2-lib.js';
import type { SshTarget } from './target.js';

const HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

// The known_hosts file a target uses.
export function knownHostsPath(t: SshTarget): string {
  return t.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
}

function describeError(err: Error & { level?: string; code?: string }, hop: SshTarget, ms: number): string {
  const where = `${hop.address}:${hop.port}`;
  if (err.level === 'client-authentication') return `authentication failed for ${hop.user}@${where} (tried ${describeAuth(hop)})`;
  if (err.level === 'client-timeout' || /timed out/i.test(err.message)) return `connect timeout after ${ms} ms to ${where}`;
  if (err.code === 'ECONNREFUSED') return `connection refused by ${where} (is sshd running?)`;
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return `no route to ${where}`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `cannot resolve ${hop.address}`;
  return `cannot connect to ${where}: ${err.message}`;
}

/**
 * SSH handshakes (key exchange, host key check, authentication) in flight at once, over the whole run. A handshake
 * costs a few milliseconds of CPU on each side; a thousand started together share the cores so evenly that none
 * finishes within its connect timeout (1,000 lab hosts on 2 cores: all unreachable). Queued handshakes wait for a
 * free slot, and a hop's connect timeout runs from its own start.
 */
export const HANDSHAKES_AT_ONCE = 32;
const handshakes = pLimit(HANDSHAKES_AT_ONCE);

// Connects and authenticates; `sock` is the forwarded stream when going through a jump host.
export function openClient(hop: SshTarget, host: string, via: SshTarget | undefined, sock?: NodeJS.ReadWriteStream): Promise<Client> {
  return handshakes(() => handshake(hop, host, via, sock));
}

function handshake(hop: SshTarget, host: string, via: SshTarget | undefined, sock?: NodeJS.ReadWriteStream): Promise<Client> {
  const verifier = hostKeyVerifier(hop.hostKeyPolicy, knownHostsPath(hop), hop.address, hop.port);
  const auth = authConfigFor(hop, host);
  const prefix = via ? `jump host ${hop.host}: ` : '';
  return new Promise((resolve, reject) => {
    const c = new (ssh2Lib().Client)();
    let settled = false;
    c.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => finish(keyboardAnswers(hop.password, prompts)));
    c.once('ready', () => {
      settled = true;
      resolve(c);
    });
    c.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      settled = true;
      c.end();
      const msg = verifier.rejection ?? describeError(err, hop, hop.connectTimeoutMs);
      reject(new ConnectionError(host, prefix + msg, { cause: err }));
    });
    c.once('close', () => {
      if (settled) return;
      settled = true;
      reject(new ConnectionError(host, prefix + (verifier.rejection ?? `connection to ${hop.address}:${hop.port} closed during the handshake`)));
    });
    c.connect({
      host: hop.address,
      port: hop.port,
      sock: sock as never,
      ...auth,
      readyTimeout: hop.connectTimeoutMs,
      keepaliveInterval: hop.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => verifier.verify(key),
      algorithms: verifier.knownTypes.length ? { serverHostKey: preferredHostKeyAlgorithms(HOST_KEY_ALGOS, verifier.knownTypes) as never } : undefined,
    });
    c.setNoDelay(true);
  });
}

function authConfigFor(hop: SshTarget, host: string): ReturnType<typeof authConfig> {
  try {
    return authConfig(hop);
  } catch (err) {
    if (err instanceof ConnectionError && hop.host !== host) throw new ConnectionError(host, `jump host ${err.message}`, { cause: err });
    throw err;
  }
}
