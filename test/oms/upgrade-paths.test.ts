// playbooks/oms/upgrade-paths.yml, the one table of upgrade paths: well formed, and only ever forward.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const FILE = path.resolve(import.meta.dirname, '../../playbooks/oms/upgrade-paths.yml');
const table = parse(readFileSync(FILE, 'utf8')) as { oms_upgrade_paths: Record<string, string[]>; oms_upgrade_minimum: string };
const VERSION = /^\d+\.\d+\.\d+$/;

const older = (a: string, b: string): boolean => {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) < (y[i] as number);
  return false;
};

describe('upgrade paths', () => {
  it('has exactly the two keys upgrade.yml reads', () => {
    expect(Object.keys(table).sort()).toEqual(['oms_upgrade_minimum', 'oms_upgrade_paths']);
    expect(table.oms_upgrade_minimum).toMatch(VERSION);
  });

  it('names x.y.z versions, each source older than its target and not older than the minimum', () => {
    for (const [to, from] of Object.entries(table.oms_upgrade_paths)) {
      expect(to).toMatch(VERSION);
      expect(from.length).toBeGreaterThan(0);
      for (const v of from) {
        expect(v).toMatch(VERSION);
        expect(older(v, to), `${v} -> ${to}`).toBe(true);
        expect(older(v, table.oms_upgrade_minimum), `${v} is below the minimum`).toBe(false);
      }
    }
  });

  it('holds the documented paths: 4.2.9 from 4.2.0-4.2.8, 4.2.6 from 4.2.4 and 4.2.5', () => {
    expect(table.oms_upgrade_paths['4.2.9']).toEqual(['4.2.0', '4.2.1', '4.2.2', '4.2.3', '4.2.4', '4.2.5', '4.2.6', '4.2.7', '4.2.8']);
    expect(table.oms_upgrade_paths['4.2.6']).toEqual(['4.2.4', '4.2.5']);
    expect(table.oms_upgrade_minimum).toBe('4.1.0');
  });
});
