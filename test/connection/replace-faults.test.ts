// The one replace primitive under faults, on every way a file reaches a host: a full disk, a wrong checksum or a killed
// upload leave dest as it was and no temp file beside it. (The in-place mode has the same in test/modules/in-place.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Become, Connection } from '../../src/connection/connection.js';
import { LocalConnection } from '../../src/connection/local.js';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { InterruptedError } from '../../src/core/errors.js';
import { copyModule } from '../../src/modules/copy.js';
import { runModule } from '../../src/modules/run-module.js';
import { labEnabled, runOnHost, type LabHost } from '../lab/lab-helper.js';
import { useSideLab } from '../lab/side-lab.js';
import { makeContext, remoteLike } from '../helpers/module-context.js';

const OLD = 'old content\n';
const KIB = 1024;

/** One way a file reaches a host, and folders on that host a test can fill up. */
interface Way {
  name: string;
  conn: () => Connection;
  become?: () => Become;
  /** Content of this size takes the way's path: up to 64 KiB goes in the one converge command. */
  size: number;
  /** A fresh folder (on a 256 KiB file system when `small`) as the host names it, and where the controller reads it. */
  folder: (name: string, small: boolean) => Promise<{ at: string; seen: string }>;
  fill: (at: string) => Promise<void>;
}

const temps = (seen: string): string[] => readdirSync(seen).filter((n) => n.includes('.omsrun-'));
const FILL = 'dd if=/dev/zero of="$1/fill" bs=1k 2>/dev/null; true';

describe.skipIf(!labEnabled())('replacing a file under faults', () => {
  const side = useSideLab('rplflt', 1, '/var/tmp/omsrun-replace');
  const local = path.join('/var/tmp/omsrun-replace', `local-${process.pid}`);
  const mounts: string[] = [];
  const conns: SshConnection[] = [];
  let h: LabHost;

  beforeAll(() => {
    h = side.lab.hosts[0]!;
    mkdirSync(local, { recursive: true });
  });
  afterAll(async () => {
    for (const m of mounts.reverse()) execFileSync('umount', ['-l', m]);
    execFileSync('rm', ['-rf', '--', local]);
    await Promise.all(conns.map((c) => c.close()));
  });

  async function localFolder(name: string, small: boolean): Promise<{ at: string; seen: string }> {
    const at = path.join(local, name);
    mkdirSync(at, { mode: 0o777 });
    if (small) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0777', 'tmpfs', at]);
      mounts.push(at);
    }
    execFileSync('chmod', ['0777', at]);
    return { at, seen: at };
  }

  // The host's own mount namespace: a tmpfs mounted there goes away with the side lab.
  async function hostFolder(name: string, small: boolean): Promise<{ at: string; seen: string }> {
    const at = `/data/replace/${name}`;
    const mount = small ? ` && mount -t tmpfs -o size=256k,mode=0777 tmpfs "$1"` : '';
    const r = await runOnHost(h, `set -- ${at}; mkdir -p "$1"${mount} && chmod 0777 "$1"`);
    expect(r.stderr).toBe('');
    return { at, seen: `/proc/${h.pids.keeper!.pid}/root${at}` };
  }

  function ssh(user: string): () => Connection {
    return () => {
      const c = new SshConnection({
        host: h.name, address: h.ip, port: 22, user, privateKeyFile: side.lab.keyFile, hostKeyPolicy: 'strict',
        knownHostsFile: side.lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000,
        ...(user === 'root' ? {} : { password: side.lab.tester.password, privateKeyFile: undefined }),
      });
      conns.push(c);
      return c;
    };
  }

  const onController = { folder: localFolder, fill: async (at: string) => void execFileSync('sh', ['-c', FILL, 'sh', at]) };
  const onHost = { folder: hostFolder, fill: async (at: string) => void (await runOnHost(h, `set -- ${at}; ${FILL}`)) };
  const ways: Way[] = [
    { name: 'local (node fs)', conn: () => new LocalConnection(), size: 100 * KIB, ...onController },
    { name: 'exec-only transport, one command', conn: () => remoteLike(), size: 20 * KIB, ...onController },
    { name: 'local through sudo (one command, stdin)', conn: () => new LocalConnection(), become: () => ({ user: 'nobody' }), size: 100 * KIB, ...onController },
    { name: 'SFTP', conn: ssh('root'), size: 100 * KIB, ...onHost },
    { name: 'SSH, one command', conn: ssh('root'), size: 20 * KIB, ...onHost },
    { name: 'SFTP staged, sudo to root', conn: ssh('tester'), become: () => ({ user: 'root', password: side.lab.tester.password }), size: 100 * KIB, ...onHost },
    { name: 'SSH through sudo to a user (one command, stdin)', conn: ssh('root'), become: () => ({ user: 'tester' }), size: 100 * KIB, ...onHost },
  ];

  ways.forEach((way, i) => {
    it(`a full disk: the task fails, dest keeps its content, no temp file is left (${way.name})`, async () => {
      const { at, seen } = await way.folder(`full-${i}`, true);
      writeFileSync(path.join(seen, 'app.conf'), OLD, { mode: 0o666 });
      await way.fill(at);
      const out = await runModule(copyModule, { content: 'x'.repeat(way.size), dest: `${at}/app.conf` }, makeContext({ conn: way.conn(), become: way.become?.() }));
      expect(out.failed, JSON.stringify(out)).toBe(true);
      expect(out.msg).toMatch(new RegExp(`^(h1: )?cannot (write|upload to) ${at}/.*: .*(no space left on device|failure)`, 'i'));
      expect(readFileSync(path.join(seen, 'app.conf'), 'utf8')).toBe(OLD);
      expect(readdirSync(seen).sort()).toEqual(['app.conf', 'fill']);
    });
  });

  ways.filter((w) => w.size > 64 * KIB).forEach((way, i) => {
    it(`a wrong checksum: put fails, dest keeps its content, no temp file is left (${way.name})`, async () => {
      const { at, seen } = await way.folder(`sum-${i}`, false);
      writeFileSync(path.join(seen, 'app.conf'), OLD, { mode: 0o666 });
      const put = way.conn().put({ content: 'new\n' }, `${at}/app.conf`, { become: way.become?.(), sha256: 'f'.repeat(64), replace: true });
      await expect(put).rejects.toThrow(/cannot write .*: the content arrived incomplete \(sha256 [0-9a-f]{64}, expected f{64}\)$/);
      expect(readFileSync(path.join(seen, 'app.conf'), 'utf8')).toBe(OLD);
      expect(temps(seen)).toEqual([]);
    });

    it(`a killed upload: interrupted, dest keeps its content, no temp file is left (${way.name})`, async () => {
      const { at, seen } = await way.folder(`kill-${i}`, false);
      writeFileSync(path.join(seen, 'app.conf'), OLD, { mode: 0o666 });
      const src = path.join(side.work, `big-${i}.bin`);
      writeFileSync(src, Buffer.alloc(48 * KIB * KIB, 7));
      const abort = new AbortController();
      let seenTemp = false;
      const poll = setInterval(() => {
        if (temps(seen).length > 0) (seenTemp = true), abort.abort();
      }, 1);
      const ctx = makeContext({ conn: way.conn(), become: way.become?.(), signal: abort.signal });
      const run = runModule(copyModule, { src, dest: `${at}/app.conf` }, ctx).finally(() => clearInterval(poll));
      await expect(run).rejects.toBeInstanceOf(InterruptedError);
      expect(seenTemp).toBe(true);
      expect(readFileSync(path.join(seen, 'app.conf'), 'utf8')).toBe(OLD);
      expect(temps(seen)).toEqual([]);
    }, 60_000);
  });
});
