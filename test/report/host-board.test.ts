// The live view's board: which rows it draws, how they fit the terminal, and the colours that stay cached.
import { describe, expect, it } from 'vitest';
import { painter } from '../../src/report/format.js';
import { addOutput, boardLines, fit, hostRow, OUTPUT_LINES, plainText, textWidth, type HostRow } from '../../src/report/host-board.js';

const plain = painter(false);
const T0 = 1_000_000;

function rows(n: number, at = T0): HostRow[] {
  return Array.from({ length: n }, (_, i) => ({ ...hostRow(`h${i + 1}`, at), current: 'copy the config', ok: 3 }));
}

describe('host board', () => {
  it('draws one row per host with its task, timer and counts when they fit', () => {
    const lines = boardLines(rows(3), T0 + 2500, { columns: 80, rows: 24 }, plain);
    expect(lines).toEqual([
      '◼ h1        copy the config 2.5s  ok=3 changed=0',
      '◼ h2        copy the config 2.5s  ok=3 changed=0',
      '◼ h3        copy the config 2.5s  ok=3 changed=0',
    ]);
  });

  it('marks finished and failed hosts and shows the failure in place of the task', () => {
    const [done, bad] = rows(2);
    Object.assign(done!, { since: 0, current: 'done' });
    Object.assign(bad!, { since: 0, failed: 1, problem: 'start: rc=1', current: 'start: rc=1' });
    expect(boardLines([done!, bad!], T0, { columns: 80, rows: 24 }, plain)).toEqual([
      '✔ h1        done  ok=3 changed=0',
      '✖ h2        start: rc=1  ok=3 changed=0 failed=1',
    ]);
  });

  it('keeps the last output lines of a running task under its host, without escapes', () => {
    const [r] = rows(1);
    for (let i = 1; i <= OUTPUT_LINES + 2; i++) addOutput(r!, `\x1b[31mline ${i}\x1b[0m\r`);
    expect(boardLines([r!], T0, { columns: 80, rows: 24 }, plain)).toEqual([
      '◼ h1        copy the config 0ms  ok=3 changed=0',
      '    › line 3',
      '    › line 4',
      '    › line 5',
    ]);
  });

  it('fits every line to the terminal width, cutting the task name first', () => {
    const [r] = rows(1);
    r!.current = 'render the OMS configuration for the migration service from its template';
    const [line] = boardLines([r!], T0, { columns: 60, rows: 24 }, plain);
    expect(line).toBe('◼ h1        render the OMS configuratio… 0ms  ok=3 changed=0');
    expect(textWidth(line!)).toBe(60);
    expect(boardLines([r!], T0, { columns: 20, rows: 24 }, plain)).toEqual(['◼ h1        render …']);
  });

  it('shows a summary and the busy or failing hosts when all hosts do not fit the terminal height', () => {
    const all = rows(50);
    for (const r of all.slice(0, 30)) Object.assign(r, { since: 0, current: 'done' });
    Object.assign(all[3]!, { problem: 'unreachable: timed out', current: 'unreachable: timed out' });
    const lines = boardLines(all, T0 + 1000, { columns: 80, rows: 12 }, plain);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('50 hosts: 20 running, 30 finished, 1 failed');
    expect(lines[1]).toBe('✖ h4        unreachable: timed out  ok=3 changed=0');
    expect(lines.slice(2, 10).map((l) => l.split(' ')[1])).toEqual(['h31', 'h32', 'h33', 'h34', 'h35', 'h36', 'h37', 'h38']);
    expect(lines[10]).toBe('… 41 more hosts not shown');
  });

  it('leaves every host for the scrollback when the play ends, whatever the height', () => {
    const all = rows(40).map((r) => ({ ...r, since: 0, current: 'done' }));
    expect(boardLines(all, T0, { columns: 80, rows: 10 }, plain, true)).toHaveLength(40);
  });

  it('measures wide and combining characters as the terminal draws them', () => {
    expect(textWidth('部署配置')).toBe(8);
    expect(textWidth('café')).toBe(4);
    expect(textWidth('cafe\u0301')).toBe(4);
    expect(fit('部署配置文件', 7)).toBe('部署配…');
    expect(plainText('a\tb\x1b[2Kc\x07')).toBe('a bc');
  });

  it('paints with the same escapes as util.styleText', async () => {
    const { styleText } = await import('node:util');
    const paint = painter(true);
    for (const style of ['red', 'gray', 'bold'] as const) {
      expect(paint(style, 'x')).toBe(styleText(style, 'x'));
      expect(paint(style, 'y')).toBe(styleText(style, 'y'));
    }
  });
});
