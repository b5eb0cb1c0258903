import { $ } from 'zx';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const q = $({ quiet: true });

/** A file placed in the image root. */
export interface ImageFile {
  /** Text, or bytes for binaries copied from the controller. */
  content: string | Uint8Array;
  /** @defaultValue 0o644 */
  mode?: number;
}

/** Options of a busybox-based stand-in image. */
export interface BusyboxImageOptions {
  /** REPO:TAG of the image. */
  tag: string;
  /** Extra files by absolute path inside the image, e.g. '/entrypoint.sh'. */
  files?: Record<string, ImageFile>;
  /** ENTRYPOINT (exec form). @defaultValue none */
  entrypoint?: string[];
  /** CMD (exec form). @defaultValue ['/bin/sh'] when there is no entrypoint */
  cmd?: string[];
}

const BUSYBOX = '/bin/busybox';

// Builds an image root from Debian's busybox-static: the binary, one link per applet, /bin/bash → sh.
export async function buildBusyboxRoot(root: string, files: Record<string, ImageFile> = {}): Promise<void> {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} not found: install busybox-static (.ci/lab-deps.sh)`);
  rmSync(root, { recursive: true, force: true });
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'var/log', 'run']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  const applets = (await q`${BUSYBOX} --list-full`).stdout.split('\n').filter(Boolean);
  for (const applet of applets) {
    const link = join(root, applet);
    if (existsSync(link) || applet === 'bin/busybox') continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync('/bin/busybox', link);
  }
  const base: Record<string, ImageFile> = {
    '/bin/bash': { content: '#!/bin/sh\nexec /bin/sh "$@"\n', mode: 0o755 },
    '/etc/passwd': { content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' },
    '/etc/group': { content: 'root:x:0:\nnogroup:x:65534:\n' },
  };
  for (const [path, f] of Object.entries({ ...base, ...files })) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    rmSync(target, { force: true });
    writeFileSync(target, f.content, { mode: f.mode ?? 0o644 });
  }
  await q`chmod 1777 ${join(root, 'tmp')}`;
}

// Packs an image root into a tar that `docker import` takes.
export async function packRoot(root: string, tarFile: string): Promise<void> {
  await q`tar -C ${root} -cf ${tarFile} .`;
}

// The `docker import -c` changes for an entrypoint and command.
export function importChanges(opts: BusyboxImageOptions): string[] {
  const changes: string[] = [];
  if (opts.entrypoint) changes.push('-c', `ENTRYPOINT ${JSON.stringify(opts.entrypoint)}`);
  const cmd = opts.cmd ?? (opts.entrypoint ? undefined : ['/bin/sh']);
  if (cmd) changes.push('-c', `CMD ${JSON.stringify(cmd)}`);
  return changes;
}

// Builds a root in `workDir`, and imports it as `opts.tag` into the engine `env` points at.
export async function importBusyboxImage(env: { DOCKER_HOST: string }, workDir: string, opts: BusyboxImageOptions): Promise<void> {
  const root = join(workDir, 'root');
  const tar = join(workDir, 'root.tar');
  await buildBusyboxRoot(root, opts.files);
  await packRoot(root, tar);
  await $({ quiet: true, env: { ...process.env, ...env } })`docker import ${importChanges(opts)} ${tar} ${opts.tag}`;
}

// `docker save TAG | gzip` into `outFile`, giving a package shaped like OMS's.
export async function saveImage(env: { DOCKER_HOST: string }, tag: string, outFile: string): Promise<void> {
  await $({ quiet: true, env: { ...process.env, ...env } })`docker save ${tag} | gzip > ${outFile}`;
}
