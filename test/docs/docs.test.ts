import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleReference } from '../../src/docs/module-reference.js';
import { allModules } from '../../src/modules/support/registry.js';

describe('generated docs', () => {
  it('docs/modules.md matches the module schemas (run npm run docs after changing a module)', () => {
    const committed = readFileSync(path.resolve(import.meta.dirname, '../../docs/modules.md'), 'utf8');
    expect(committed).toBe(moduleReference());
  });

  it('documents every module and every argument', () => {
    const text = moduleReference();
    for (const m of allModules()) expect(text).toContain(`## ${m.name}\n`);
    expect(text).not.toMatch(/\| \| $/m);
  });
});
