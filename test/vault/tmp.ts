// Real files in a temp folder for vault tests; the test runs inside it so messages show relative paths.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];
const startCwd = process.cwd();

afterEach(() => {
  process.chdir(startCwd);
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Writes `files` (path → text, or [text, mode]) under a new temp folder and changes into it.
export function tree(files: Record<string, string | [string, number]>): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'omsrun-vault-test-')));
  made.push(dir);
  for (const [rel, spec] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    const [text, mode] = typeof spec === 'string' ? [spec, 0o644] : spec;
    writeFileSync(p, text, { mode });
  }
  process.chdir(dir);
  return dir;
}

// The error `f` throws (sync or async).
export async function errorOf(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, got none');
}
