// Table tests of the file-editing modules: a file's text before, the arguments, the text after, the message, and no
// change on the second run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Module } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { makeContext, tempDir } from './module-context.js';

/** One situation: the file's text (undefined: missing), the arguments without path, what the file holds after. */
export interface EditCase {
  name: string;
  before: string | undefined;
  args: Record<string, unknown>;
  after: string;
  msg?: string;
}

// One `it` per case, each in a fresh folder.
export function runEditCases(module: Module, cases: EditCase[]): void {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(async () => cleanup());
  for (const c of cases) {
    it(c.name, async () => {
      const path = join(dir, 'f.txt');
      if (c.before !== undefined) writeFileSync(path, c.before);
      const args = { path, ...c.args };
      const first = await runModule(module, args, makeContext());
      expect(first.failed, first.msg).toBeUndefined();
      expect(readFileSync(path, 'utf8')).toBe(c.after);
      expect(first.changed).toBe(c.after !== c.before);
      if (c.msg !== undefined) expect(first.msg).toBe(c.msg);
      const second = await runModule(module, args, makeContext());
      expect(second.changed).toBe(false);
      expect(readFileSync(path, 'utf8')).toBe(c.after);
    });
  }
}
