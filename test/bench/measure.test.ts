import { describe, expect, it } from 'vitest';
import { measure } from '../../scripts/bench/measure.js';
import { parseRecap } from '../../scripts/bench/tools.js';

describe('bench measurements', () => {
  it('sums memory over the whole process tree and counts the CPU of children', async () => {
    const hold = (mb: number) => `node -e "const b=Buffer.alloc(${mb}*1024*1024,1); setTimeout(()=>b.length, 600)"`;
    const m = await measure('sh', ['-c', `${hold(120)} & ${hold(60)}; wait; echo done`]);
    expect(m.exitCode).toBe(0);
    expect(m.stdout).toBe('done\n');
    expect(m.peakRssMb).toBeGreaterThan(180);
    expect(m.cpuMs).toBeGreaterThan(50);
    expect(m.wallMs).toBeGreaterThan(550);
  });

  it('reads the recap counters omsrun and Ansible both print', () => {
    const text = [
      'PLAY RECAP *****',
      'h1                         : ok=20   changed=14   unreachable=0    failed=0    skipped=0',
      'h2   : ok=19   changed=0    failed=1    skipped=0    unreachable=0    rescued=0    ignored=0    time=1.2s',
      '',
      'OK: 2 hosts',
    ].join('\n');
    expect(parseRecap(text)).toEqual({ hosts: 2, changed: 14, failed: 1, unreachable: 0 });
  });
});
