import { describe, expect, it } from 'vitest';
import { measure } from '../../scripts/bench/measure.js';
import { parseRecap } from '../../scripts/bench/tools.js';
import { ratioLines } from '../../scripts/bench/report.js';

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

describe('bench report', () => {
  const run = (wallMs: number) => ({ wallMs, cpuMs: wallMs / 2, peakRssMb: 120, exitCode: 0, stdout: '', stderr: '', hosts: 0, changed: 0, failed: 0, unreachable: 0, problem: '' });
  const sized = (hosts: number) => ({
    hosts,
    omsrun: { first: run(5000), second: run(4000) },
    ansible: { first: run(110_000), second: run(110_000) },
    floor: { first: run(3000), second: run(3100) },
  });

  it('judges the targets at 50 hosts and prints the bare ratios at other sizes', () => {
    expect(ratioLines(sized(50))).toEqual([
      'ansible/omsrun wall, first run: 22.00× (target ≥20×: met)',
      'ansible/omsrun wall, idempotent: 27.50× (target ≥25×: met)',
      'ansible/omsrun cpu, first / idempotent: 22.00× / 27.50×',
      'omsrun/floor wall, first run: 1.67× (target ≤2.5×: met)',
      'omsrun/floor wall, idempotent: 1.33× (target ≤1.5×: met)',
      'omsrun peak memory: 120 MB (target < 150 MB: met)',
    ]);
    const ten = ratioLines(sized(10));
    expect(ten).toContain('omsrun/floor wall, idempotent: 1.33×');
    expect(ten.join('\n')).not.toMatch(/target|MET/);
  });
});
