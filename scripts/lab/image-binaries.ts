import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { type ImageFile } from './busybox-image.js';

// Paths `ldd` resolves for a dynamically linked binary: every shared library and the dynamic loader.
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
    else if (/=>\s*not found/.test(line)) throw new Error(`${binary}: ldd cannot resolve ${line.trim()}`);
  }
  return [...new Set(libs)].sort();
}

/** A controller binary to place in an image root with what it needs to run. */
export interface ImageBinary {
  /** Path of the binary on the controller, e.g. /usr/bin/mariadb. */
  source: string;
  /** Path inside the image. @defaultValue source */
  target?: string;
}

// Image files for binaries copied from the controller: each binary, its libraries and the loader, at the paths ldd shows.
export function binaryFiles(binaries: ImageBinary[]): Record<string, ImageFile> {
  const files: Record<string, ImageFile> = {};
  for (const b of binaries) {
    files[b.target ?? b.source] = { content: readFileSync(realpathSync(b.source)), mode: 0o755 };
    for (const lib of sharedLibraries(b.source)) files[lib] = { content: readFileSync(realpathSync(lib)), mode: 0o755 };
  }
  return files;
}

// sha256 of every file `binaryFiles` would copy (paths and bytes), for image cache keys.
export function binaryFilesHash(binaries: ImageBinary[]): string {
  const h = createHash('sha256');
  for (const [path, f] of Object.entries(binaryFiles(binaries)).sort(([a], [b]) => a.localeCompare(b))) {
    h.update(`${path}\n`).update(f.content);
  }
  return h.digest('hex');
}
