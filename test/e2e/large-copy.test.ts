// A 200 MB copy to three hosts: the bytes arrive intact, and an unchanged file is never sent again.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labEnabled } from '../lab/lab-helper.js';
import { labInventory, run, runOnHost, useSideLab, writeFiles, type LabHost } from './e2e-lab.js';

const MB = 1024 * 1024;
const SIZE = 200 * MB;

// Bytes the controller side has sent into a host's link (its veth end on the bridge).
function sentTo(host: LabHost): number {
  return Number(readFileSync(`/sys/class/net/${host.veth}/statistics/tx_bytes`, 'utf8'));
}

describe.skipIf(!labEnabled())('e2e: large file copy', () => {
  const side = useSideLab('ebig', 3);

  it('copies 200 MB of random data to three hosts intact, and skips it unsent on the second run', async () => {
    const { lab } = side;
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(lab),
      'site.yml': '- hosts: all\n  tasks:\n    - name: blob\n      copy: { src: blob.bin, dest: /data/blob.bin, mode: "0640" }\n',
    });
    const hash = createHash('sha256');
    const fd = openSync(path.join(dir, 'blob.bin'), 'w');
    for (let done = 0; done < SIZE; done += 8 * MB) {
      const chunk = randomBytes(8 * MB);
      hash.update(chunk);
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const sha = hash.digest('hex');

    const before = lab.hosts.map(sentTo);
    const t0 = Date.now();
    const first = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    const firstMs = Date.now() - t0;
    const sent = lab.hosts.map((h, i) => sentTo(h) - before[i]!);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('OK: 3 hosts, 3 changes in');
    for (const n of sent) expect(n).toBeGreaterThan(SIZE);
    for (const h of lab.hosts) {
      const r = await runOnHost(h, 'sha256sum /data/blob.bin; stat -c %a:%s /data/blob.bin');
      expect(r.stdout).toBe(`${sha}  /data/blob.bin\n640:${SIZE}\n`);
    }

    const mid = lab.hosts.map(sentTo);
    const t1 = Date.now();
    const second = await run(dir, ['site.yml', '-i', 'inventory.yml']);
    const secondMs = Date.now() - t1;
    const resent = lab.hosts.map((h, i) => sentTo(h) - mid[i]!);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('ok: [h1]');
    expect(second.stdout).toContain('OK: 3 hosts, 0 changes in');
    for (const n of resent) expect(n).toBeLessThan(MB);
    const rate = (3 * SIZE) / MB / (firstMs / 1000);
    console.log(`e2e: 3 x 200 MB copy ${firstMs} ms (${rate.toFixed(0)} MB/s total); unchanged rerun ${secondMs} ms, sent ${resent.join('/')} bytes`);
  }, 180_000);
});
