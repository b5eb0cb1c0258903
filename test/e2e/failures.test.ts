// Hosts that go away before or during a run, the retry file, and Ctrl-C with remote commands still running.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { killSshd, labEnabled, startSshd } from '../lab/lab-helper.js';
import type { CliRun } from '../cli/cli-helper.js';
import { dataPath, hostProcesses, killSessions, labInventory, run, useSideLab, writeFiles, type LabHost } from './e2e-lab.js';

// Polls until every host runs a process matching the pattern (or gives up after 10 s).
async function untilRunning(hosts: LabHost[], pattern: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const seen = await Promise.all(hosts.map((h) => hostProcesses(h, pattern)));
    if (seen.every((s) => s.length > 0)) return;
    await sleep(50);
  }
  throw new Error(`"${pattern}" never ran on every host`);
}

// Starts the CLI and, once the given task header shows, runs `act` with a way to signal the CLI.
async function runActing(dir: string, args: string[], header: string, act: (kill: (sig: NodeJS.Signals) => void) => Promise<void>): Promise<{ r: CliRun; acted: Promise<void> }> {
  let acted: Promise<void> | undefined;
  const r = await run(dir, args, (out, kill) => {
    if (!acted && out.includes(header)) {
      acted = act(kill).catch((err: unknown) => {
        kill('SIGKILL');
        throw err;
      });
      acted.catch(() => undefined);
    }
  });
  return { r, acted: acted ?? Promise.reject(new Error(`${header} never showed`)) };
}

const allDone = (hosts: LabHost[], rel: string) => hosts.map((h) => existsSync(dataPath(h, rel)));

describe.skipIf(!labEnabled())('e2e: unreachable hosts and interrupts', () => {
  const side = useSideLab('efail', 3);

  it('reports a host whose sshd is down as unreachable and finishes the others', async () => {
    const { lab } = side;
    const h3 = lab.hosts[2]!;
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(lab),
      'site.yml': '- hosts: all\n  tasks:\n    - name: touch\n      file: { path: /data/down-test, state: touch }\n',
    });
    await killSshd(h3);
    try {
      const t0 = Date.now();
      const r = await run(dir, ['site.yml', '-i', 'inventory.yml']);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.code).toBe(3);
      expect(r.stdout).toContain(`unreachable: [h3] => connection refused by ${h3.ip}:22 (is sshd running?)`);
      expect(r.stdout).toMatch(/h1 +: ok=1 +changed=1 +failed=0 +skipped=0 +unreachable=0/);
      expect(r.stdout).toMatch(/h3 +: ok=0 +changed=0 +failed=0 +skipped=0 +unreachable=1/);
      expect(allDone(lab.hosts, 'down-test')).toEqual([true, true, false]);
    } finally {
      await startSshd(h3);
    }
  });

  it('marks a host that drops off mid-task unreachable, finishes the others, and reruns only it from the retry file', async () => {
    const { lab } = side;
    const h2 = lab.hosts[1]!;
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(lab),
      'site.yml': `- hosts: all
  tasks:
    - name: nap
      command: sleep 6.25
    - name: after
      copy: { content: "done\\n", dest: /data/after-nap }
`,
    });
    let lostAt = 0;
    const t0 = Date.now();
    const { r, acted } = await runActing(dir, ['site.yml', '-i', 'inventory.yml'], 'TASK [nap]', async () => {
      await untilRunning([h2], 'sleep 6.25');
      await killSshd(h2);
      expect(killSessions(h2).length).toBeGreaterThan(0);
      lostAt = Date.now();
    });
    await acted;
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('unreachable: [h2] => connection lost while running sleep');
    expect(r.stdout).not.toContain('[h2] could not finish');
    expect(r.stdout).toMatch(/h1 +: ok=2 +changed=2 +failed=0 +skipped=0 +unreachable=0/);
    expect(r.stdout).toMatch(/h2 +: ok=0 +changed=0 +failed=0 +skipped=0 +unreachable=1/);
    expect(r.stdout).toMatch(/h3 +: ok=2 +changed=2 +failed=0 +skipped=0 +unreachable=0/);
    expect(r.stdout).toContain('FAILED: 1 unreachable (h2) of 3 hosts');
    expect(allDone(lab.hosts, 'after-nap')).toEqual([true, false, true]);
    expect(readFileSync(path.join(dir, 'site.retry'), 'utf8')).toBe('h2\n');
    expect(lostAt - t0).toBeLessThan(6000);
    console.log(`e2e: host lost ${lostAt - t0} ms into the run; run ended ${Date.now() - t0} ms`);

    await startSshd(h2);
    const again = await run(dir, ['site.yml', '-i', 'inventory.yml', '--limit', '@site.retry']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/\[WARNING\]: \[h2\] took over a stale deploy lock: .* \(pid \d+\) running .*site\.yml since .* \(no longer running\)/);
    expect(again.stdout).not.toMatch(/\[h1\]|\[h3\]/);
    expect(again.stdout).toMatch(/h2 +: ok=2 +changed=2 +failed=0/);
    expect(again.stdout).toContain('OK: 1 host, 2 changes in');
    expect(allDone(lab.hosts, 'after-nap')).toEqual([true, true, true]);
    expect(existsSync(path.join(dir, 'site.retry'))).toBe(false);
  });

  it('stops on SIGINT with exit 130 and a recap, and leaves no remote command running', async () => {
    const { lab } = side;
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(lab),
      'site.yml': '- hosts: all\n  tasks:\n    - name: long\n      command: sleep 333\n    - name: never\n      file: { path: /data/never, state: touch }\n',
    });
    const t0 = Date.now();
    let sentAt = 0;
    const { r, acted } = await runActing(dir, ['site.yml', '-i', 'inventory.yml'], 'TASK [long]', async (kill) => {
      await untilRunning(lab.hosts, 'sleep 333');
      sentAt = Date.now();
      kill('SIGINT');
    });
    await acted;
    expect(r.code).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(8000);
    expect(r.stderr).toContain('interrupted: stopping running commands');
    expect(r.stdout).toContain('PLAY RECAP');
    expect(r.stdout).not.toContain('TASK [never]');
    expect(allDone(lab.hosts, 'never')).toEqual([false, false, false]);
    const left = await Promise.all(lab.hosts.map((h) => hostProcesses(h, 'sleep 333')));
    expect(left).toEqual([[], [], []]);
    console.log(`e2e: SIGINT ${sentAt - t0} ms into the run, exit after ${Date.now() - sentAt} ms`);
  });
});
