// Compatibility suite: omsrun reads each inventory of test/fixtures/inventory-compat with the groups, hosts and
// variables that Ansible's `ansible-inventory --list` reported for it (recorded by scripts/record-inventory-compat.mjs).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostVars } from '../../src/inventory/host-vars.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/model.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/inventory-compat');
const cases = JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8')) as { name: string; sources: string[] }[];

// The inventory in the shape of `ansible-inventory --list`: groups with their direct hosts and children, merged host vars.
function asAnsibleList(inv: Inventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const hostvars: Record<string, unknown> = {};
  for (const h of inv.hosts.values()) {
    const vars = hostVars(inv, h.name);
    if (!h.implicit && Object.keys(vars).length > 0) hostvars[h.name] = vars;
  }
  out._meta = { hostvars };
  for (const g of inv.groups.values()) {
    const entry: Record<string, string[]> = {};
    if (g.name !== 'all' && g.hosts.length) entry.hosts = g.hosts;
    if (g.children.length) entry.children = g.children;
    if (Object.keys(entry).length) out[g.name] = entry;
  }
  return out;
}

describe(`the same inventory as ${readFileSync(path.join(dir, 'expected/ansible-version.txt'), 'utf8').trim()}`, () => {
  for (const c of cases) {
    it(`${c.name}: ${c.sources.join(' + ')}`, async () => {
      const expected = JSON.parse(readFileSync(path.join(dir, 'expected', `${c.name}.json`), 'utf8')) as Record<string, unknown>;
      const inv = await loadInventory(c.sources, dir);
      expect(asAnsibleList(inv)).toEqual(expected);
    });
  }
});
