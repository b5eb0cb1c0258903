// Paths in vault messages read like the rest of omsrun: relative to where the user stands.
import path from 'node:path';

export function shownPath(file: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}
