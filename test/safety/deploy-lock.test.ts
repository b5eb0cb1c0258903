import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { omsrun, type CliRun } from '../cli/cli-helper.js';
import { filesIn, inventoryOf, labEnabled, onHost, useSideLab, type SideLab } from './safety-lab.js';

const PLAY = `- hosts: all
  tasks:
    - name: hold
      shell: sleep {{ hold }}
    - name: mark
      shell: echo {{ run_name }} >> /data/marks
`;
const who = `${userInfo().username}@${hostname()}`;

function workspace(side: SideLab): string {
  const inventory = inventoryOf(side.lab, {}, { omsrun_audit_log: '/data/audit.log' });
  return filesIn(side, { 'inventory.yml': inventory, 'site.yml': PLAY });
}

// Starts a run that holds the lock for `hold` seconds; resolves `started` once it is inside the play.
function holder(dir: string, hold: number, name: string, onStart?: (kill: (s: NodeJS.Signals) => void) => void): { started: Promise<void>; done: Promise<CliRun> } {
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const done = omsrun(['site.yml', '-i', 'inventory.yml', '-e', `hold=${hold}`, '-e', `run_name=${name}`], {
    cwd: dir, isolate: false,
    onStdout: (text, kill) => {
      if (text.includes('TASK [hold]')) (ready(), onStart?.(kill));
    },
  });
  return { started, done };
}

const second = (dir: string, name: string, extra: string[] = []) =>
  omsrun(['site.yml', '-i', 'inventory.yml', '-e', 'hold=0', '-e', `run_name=${name}`, ...extra], { cwd: dir, isolate: false });

describe.skipIf(!labEnabled())('deploy lock across two concurrent CLI runs on the same hosts', () => {
  const side = useSideLab('sflock', 2);

  it('the second run stops each host with the holder details and exit 2; --lock-wait waits for the first', async () => {
    const dir = workspace(side);
    const first = holder(dir, 3, 'first');
    await first.started;
    const blocked = await second(dir, 'blocked');
    expect(blocked.code).toBe(2);
    for (const h of ['h1', 'h2']) {
      expect(blocked.stdout).toMatch(new RegExp(
        `failed: \\[${h}\\] => locked by another run: ${who} \\(pid \\d+\\) running site\\.yml since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; ` +
          `wait for it \\(--lock-wait SECONDS\\) or, if it crashed, release it with: omsrun unlock -i INVENTORY -l ${h}\\n`,
      ));
    }
    expect(blocked.stdout).not.toContain('TASK [hold]');
    const waiting = second(dir, 'waited', ['--lock-wait', '30']);
    expect((await first.done).code).toBe(0);
    const waited = await waiting;
    expect(waited.code).toBe(0);
    for (const h of side.lab.hosts) {
      expect(readFileSync(onHost(h, '/data/marks'), 'utf8')).toBe('first\nwaited\n');
      expect(existsSync(onHost(h, '/run/omsrun.lock'))).toBe(false);
    }
  }, 90_000);

  it('after SIGKILL the lock stays; omsrun unlock releases it naming the holder; a later run takes a stale one over', async () => {
    const dir = workspace(side);
    const [h1, h2] = side.lab.hosts as [SideLab['lab']['hosts'][0], SideLab['lab']['hosts'][0]];
    const crashed = holder(dir, 30, 'crashed', (kill) => kill('SIGKILL'));
    const r = await crashed.done;
    expect(r.code).toBe(null);
    const left = JSON.parse(readFileSync(onHost(h1, '/run/omsrun.lock/holder'), 'utf8')) as { pid: number; playbook: string };
    expect(left.playbook).toBe('site.yml');
    expect(existsSync(onHost(h2, '/run/omsrun.lock'))).toBe(true);

    const unlock = await omsrun(['unlock', '-i', 'inventory.yml', '-l', 'h1'], { cwd: dir, isolate: false });
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toMatch(new RegExp(`^h1: released lock held by ${who} \\(pid ${left.pid}\\) running site\\.yml since \\S+\\n$`));
    expect(existsSync(onHost(h1, '/run/omsrun.lock'))).toBe(false);
    expect(existsSync(onHost(h2, '/run/omsrun.lock'))).toBe(true);
    expect((await omsrun(['unlock', '-i', 'inventory.yml', '-l', 'h1'], { cwd: dir, isolate: false })).stdout).toBe('h1: no lock\n');

    const next = await second(dir, 'next');
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(new RegExp(`\\[h2\\] took over a stale deploy lock: ${who} \\(pid ${left.pid}\\)`));
    for (const h of side.lab.hosts) {
      expect(readFileSync(onHost(h, '/data/marks'), 'utf8')).toContain('next\n');
      expect(existsSync(onHost(h, '/run/omsrun.lock'))).toBe(false);
    }
  }, 90_000);
});
