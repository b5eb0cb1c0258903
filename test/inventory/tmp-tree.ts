// Real files in a temp folder; the test runs inside it so messages show relative paths.
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

// Writes `files` (path → text) under a new temp folder and changes into it.
export function tree(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'omsrun-load-')));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    if (rel.endsWith('/')) mkdirSync(p, { recursive: true });
    else writeFileSync(p, text);
  }
  process.chdir(dir);
  return dir;
}

// The message of what `f` throws (sync or async).
export async function errorOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error, got none');
}
