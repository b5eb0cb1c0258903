import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDirLock } from './proc.js';

// Machine-wide cache of what whole-system hosts share (root file system, package repository), kept across labs.
export function labCacheDir(): string {
  return process.env['OMSRUN_LAB_CACHE'] ?? '/var/cache/omsrun-lab';
}

// Short hash of a recipe: a changed recipe builds a new folder and never reuses an old one.
export function recipeHash(recipe: unknown): string {
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 12);
}

// Returns `cache/<kind>-<hash>`, building it first (once per machine, other processes wait) when it is not complete.
// The build fills a private folder that is renamed into place, so a crashed build never leaves a half folder in use.
export async function cachedBuild(kind: string, recipe: unknown, build: (dir: string) => Promise<void>, timeoutMs = 15 * 60_000): Promise<string> {
  const root = labCacheDir();
  mkdirSync(root, { recursive: true });
  const dir = join(root, `${kind}-${recipeHash(recipe)}`);
  const done = join(dir, '.omsrun-complete');
  if (existsSync(done)) return dir;
  return withDirLock(`${dir}.lock`, timeoutMs, `building ${kind}`, async () => {
    if (existsSync(done)) return dir;
    const work = `${dir}.building`;
    rmSync(work, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    await build(work);
    writeFileSync(join(work, 'recipe.json'), JSON.stringify(recipe, null, 2) + '\n');
    writeFileSync(join(work, '.omsrun-complete'), new Date().toISOString() + '\n');
    renameSync(work, dir);
    return dir;
  });
}
