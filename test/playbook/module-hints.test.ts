import { describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/modules/support/registry.js';
import { hintedModules, unknownModuleHint } from '../../src/playbook/module-hints.js';

describe('unknown module hints', () => {
  it('name only modules omsrun lacks (a module that lands takes its line out of the table)', () => {
    const known = new Set(moduleNames());
    expect(hintedModules().filter((m) => known.has(m))).toEqual([]);
    expect(hintedModules().length).toBeGreaterThan(0);
  });

  it('say what to use instead, also under a collection name, or name the nearest module', () => {
    const known = moduleNames();
    expect(unknownModuleHint('ansible.builtin.synchronize', known)).toBe('omsrun has no synchronize module; use copy');
    expect(unknownModuleHint('community.general.sysctl', known)).toBe('omsrun names it "sysctl"');
    expect(unknownModuleHint('servise', known)).toMatch(/service/);
  });
});
