// Every case under test/modules/cases/: the commands a module sends for what the host reports, exactly and in order.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { allModules } from '../../src/modules/support/registry.js';
import { caseFolders, CASES_DIR, expectedSent, loadCase, runCase, scriptCatalogue, scriptDrift } from '../helpers/module-cases.js';

// Temp names and markers come from randomBytes: zeros here, so cases can spell them out.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, randomBytes: (size: number) => Buffer.alloc(size) };
});

/** Modules that send nothing to the host: they evaluate on the controller (the mysql_* modules log in from there; include_vars reads the controller's files; meta and pause act on the run). */
const SENDS_NOTHING = ['add_host', 'assert', 'debug', 'fail', 'group_by', 'include_vars', 'meta', 'mysql_db', 'mysql_query', 'mysql_user', 'oms_settings', 'pause', 'set_fact'];
const MIN_CASES = 3;

const catalogue = scriptCatalogue();
const folders = caseFolders();

describe('module cases', () => {
  it(`every module that sends commands has at least ${MIN_CASES} cases`, () => {
    const counts = Object.fromEntries(folders.map((f) => [f.module, f.files.length]));
    for (const m of allModules()) {
      if (SENDS_NOTHING.includes(m.name)) expect(counts[m.name], m.name).toBeUndefined();
      else expect(counts[m.name] ?? 0, `cases of ${m.name}`).toBeGreaterThanOrEqual(MIN_CASES);
    }
  });

  for (const { module, files } of folders) {
    describe(module, () => {
      for (const file of files) {
        const path = join(CASES_DIR, module, file);
        it(file.replace(/\.json$/, ''), async () => {
          const c = loadCase(path);
          const run = await runCase(module, c, catalogue);
          expect(scriptDrift(run.sent, catalogue).join('\n'), `${path}: scripts sent`).toBe('');
          expect(run.unmatched, `${path}: commands the case's host has no reply for`).toEqual([]);
          expect(run.sent, `${path}: commands sent`).toEqual(expectedSent(c));
          expect(run.unused, `${path}: host replies no command asked for`).toEqual([]);
          expect(run.outcome, `${path}: result`).toMatchObject(c.result);
        });
      }
    });
  }
});
