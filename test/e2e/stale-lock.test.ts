// A deploy lock is stale only when this controller took it and the process that took it is gone.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isStale } from '../../src/executor/host-lock.js';

const holder = (pid: number, controller = 'ctl-1') => JSON.stringify({ run_id: 'r1', user: 'ops', controller, pid, playbook: 'site.yml', started: 'now' });

describe('isStale', () => {
  it('is true for a lock from this controller whose process has exited', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    expect(isStale(holder(gone), 'ctl-1')).toBe(true);
  });

  it('is false for a live process, another controller, this process, or an unreadable holder', () => {
    expect(isStale(holder(process.ppid), 'ctl-1')).toBe(false);
    expect(isStale(holder(spawnSync(process.execPath, ['-e', '0']).pid!, 'ctl-2'), 'ctl-1')).toBe(false);
    expect(isStale(holder(process.pid), 'ctl-1')).toBe(false);
    expect(isStale('{"holder":"unknown (no holder file)"}', 'ctl-1')).toBe(false);
    expect(isStale('not json', 'ctl-1')).toBe(false);
  });
});
