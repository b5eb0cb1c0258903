import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import type { SshTarget } from '../../src/connection/ssh/target.js';

// An in-process SSH server that only offers keyboard-interactive (the lab's sshd runs without PAM).
// ssh2's generator now and then writes an ed25519 key its own parser rejects ("Malformed OpenSSH private key"):
// take the first one it reads back.
const keys = ((): { private: string; public: string } => {
  for (let i = 0; i < 10; i++) {
    const k = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(k.private) instanceof Error)) return k;
  }
  throw new Error('ssh2 generated no host key it can read in 10 tries');
})();
const dir = mkdtempSync(join(tmpdir(), 'omsrun-kbd-'));
const prompts: string[][] = [];
const server = new ssh2.Server({ hostKeys: [keys.private] }, (client) => {
  client.on('authentication', (ctx) => {
    if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
    ctx.prompt([{ prompt: 'Verification code: ', echo: true }, { prompt: 'Password: ', echo: false }], (answers) => {
      prompts.push(answers);
      return answers[1] === 'right-pw' ? ctx.accept() : ctx.reject();
    });
  });
  client.on('ready', () =>
    client.on('session', (accept) =>
      accept().on('exec', (acc, _rej, info) => {
        const ch = acc();
        ch.write(info.command);
        ch.exit(0);
        ch.end();
      }),
    ),
  );
  client.on('error', () => undefined);
});
let port = 0;

function target(password: string): SshTarget {
  return {
    host: 'kbd', address: '127.0.0.1', port, user: 'u', password, hostKeyPolicy: 'strict',
    knownHostsFile: join(dir, 'known_hosts'), connectTimeoutMs: 5000, keepaliveIntervalMs: 0,
  };
}

describe('keyboard-interactive auth and [host]:port known_hosts against a live server', () => {
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${keys.public.trim().split(' ').slice(0, 2).join(' ')}\n`);
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the hidden password prompt with the password and nothing else', async () => {
    const c = new SshConnection(target('right-pw'));
    await c.connect();
    const r = await c.exec(['id']);
    expect(r.stdout.endsWith(' sh id')).toBe(true);
    expect(prompts.at(-1)).toEqual(['', 'right-pw']);
    await c.close();
  });

  it('a server that never answers hits the connect timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const p = (silent.address() as AddressInfo).port;
    try {
      const c = new SshConnection({ ...target('x'), port: p, connectTimeoutMs: 300 });
      const t0 = performance.now();
      await expect(c.connect()).rejects.toThrow(`kbd: connect timeout after 300 ms to 127.0.0.1:${p}`);
      expect(performance.now() - t0).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });

  it('a wrong password fails authentication with a clear message', async () => {
    await expect(new SshConnection(target('bad')).connect()).rejects.toThrow(
      'kbd: authentication failed for u@127.0.0.1:' + port + ' (tried password, keyboard-interactive)',
    );
  });
});
