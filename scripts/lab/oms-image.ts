import { $, type Shell } from 'zx';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ImageFile, buildBusyboxRoot, packRoot } from './busybox-image.js';
import { type ImageBinary, binaryFiles, binaryFilesHash } from './image-binaries.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCRIPTS = join(HERE, 'oms-image');

// The tag the stand-in carries by default, shaped like OMS CE's `feature_x.x.x-ce`.
export const OMS_STANDIN_TAG = 'oms-ce-standin:feature_4.2.0-ce';

// Where each script of scripts/lab/oms-image goes inside the image.
export const OMS_IMAGE_LAYOUT: Record<string, string> = {
  'entrypoint.sh': '/entrypoint.sh',
  'docker_init.sh': '/root/docker_init.sh',
  'supervisorctl': '/usr/bin/supervisorctl',
  'python': '/usr/bin/python',
  'oms-lib.sh': '/home/admin/standin/oms-lib.sh',
  'http.sh': '/home/admin/standin/http.sh',
  'tls-console.sh': '/home/admin/standin/tls-console.sh',
  'README.md': '/home/admin/standin/README.md',
};

// Controller binaries copied in with their libraries (Debian packages from .ci/lab-deps.sh): the MariaDB client for
// step 2 of docker_init.sh, socat for the console's real TLS server when a certificate is mounted.
export const OMS_IMAGE_BINARIES: ImageBinary[] = [{ source: '/usr/bin/mariadb' }, { source: '/usr/bin/socat' }];

// Controller folder that keeps the built archive between test runs and demos.
export function defaultOmsImageDir(): string {
  return process.env['OMSRUN_OMS_IMAGE_DIR'] ?? '/var/tmp/omsrun-oms-image';
}

/** Options of `buildOmsImage`. */
export interface BuildOmsImageOptions {
  /** Points the docker CLI at the lab engine that runs `docker import` (e.g. `hostDocker(host)`). */
  env: { DOCKER_HOST: string };
  /** REPO:TAG of the image. @defaultValue OMS_STANDIN_TAG */
  tag?: string;
  /** Controller folder holding the archive and its cache record. @defaultValue defaultOmsImageDir() */
  outDir?: string;
  /** Rebuild even when the cached archive matches the scripts. @defaultValue false */
  force?: boolean;
}

/** A built (or cached) stand-in OMS image package. */
export interface OmsImage {
  tag: string;
  /** `docker save | gzip` file on the controller, named like OMS's package: oms_<TAG>.tar.gz. */
  archive: string;
  /** sha256:… image ID, as `docker image inspect` shows it after `docker load`. */
  imageId: string;
  /** True when the archive came from the cache and no build ran. */
  cached: boolean;
  /** Build time in ms (0 when cached). */
  buildMs: number;
  /** Archive size in bytes. */
  bytes: number;
}

interface CacheRecord {
  hash: string;
  tag: string;
  imageId: string;
  buildMs: number;
}

// The archive name OMS packages use: oms_<tag>.tar.gz.
export function omsArchiveName(tag: string): string {
  const t = tag.includes(':') ? tag.slice(tag.lastIndexOf(':') + 1) : 'latest';
  return `oms_${t}.tar.gz`;
}

// Files of the image root, read from scripts/lab/oms-image.
export function omsImageFiles(): Record<string, ImageFile> {
  const files: Record<string, ImageFile> = {};
  for (const [name, target] of Object.entries(OMS_IMAGE_LAYOUT)) {
    const content = readFileSync(join(SCRIPTS, name), 'utf8');
    files[target] = { content, mode: name.endsWith('.md') ? 0o644 : 0o755 };
  }
  for (const b of OMS_IMAGE_BINARIES) {
    if (!existsSync(b.source)) throw new Error(`${b.source} not found: install the lab packages (bash .ci/lab-deps.sh)`);
  }
  Object.assign(files, binaryFiles(OMS_IMAGE_BINARIES));
  files['/usr/bin/mysql'] = { content: '#!/bin/sh\nexec /usr/bin/mariadb "$@"\n', mode: 0o755 };
  files['/etc/crontabs/root'] = { content: '' };
  files['/home/admin/conf/.keep'] = { content: '' };
  return files;
}

// Hash of everything that shapes the image, so the cached archive is rebuilt only when one changes.
export function omsImageHash(tag: string): string {
  const h = createHash('sha256').update(`tag=${tag}\n`);
  for (const name of readdirSync(SCRIPTS).sort()) h.update(`${name}\n`).update(readFileSync(join(SCRIPTS, name)));
  h.update(readFileSync(join(HERE, 'busybox-image.ts'))).update(readFileSync(fileURLToPath(import.meta.url)));
  h.update(String(statSync('/bin/busybox').size));
  h.update(readFileSync(join(HERE, 'image-binaries.ts'))).update(`binaries=${binaryFilesHash(OMS_IMAGE_BINARIES)}\n`);
  return h.digest('hex');
}

// `docker import -c` changes: entrypoint that plays supervisord, PATH, work dir.
function changes(): string[] {
  return [
    '-c', 'ENTRYPOINT ["/entrypoint.sh"]',
    '-c', 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin',
    '-c', 'WORKDIR /root',
  ];
}

function readCache(file: string): CacheRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CacheRecord;
  } catch {
    return undefined;
  }
}

/** Where an image's archive and cache record live, and the cached image when the record matches `hash`. */
interface ArchiveSlot {
  archive: string;
  record: string;
  hit?: OmsImage;
}

function archiveSlot(outDir: string, tag: string, hash: string, force = false): ArchiveSlot {
  mkdirSync(outDir, { recursive: true });
  const archive = join(outDir, omsArchiveName(tag));
  const record = `${archive}.json`;
  const cache = readCache(record);
  if (force || cache?.hash !== hash || cache.tag !== tag || !existsSync(archive)) return { archive, record };
  return { archive, record, hit: { tag, archive, imageId: cache.imageId, cached: true, buildMs: 0, bytes: statSync(archive).size } };
}

// Saves the engine's `tag` gzipped into the slot (renamed into place from `work`) and writes its cache record.
async function saveToSlot(d: Shell, slot: ArchiveSlot, tag: string, hash: string, work: string, started: number): Promise<OmsImage> {
  const imageId = (await d`docker image inspect --format {{.Id}} ${tag}`).stdout.trim();
  await d`docker save ${tag} | gzip -1 > ${join(work, 'image.tar.gz')}`;
  renameSync(join(work, 'image.tar.gz'), slot.archive);
  const buildMs = Date.now() - started;
  writeFileSync(slot.record, JSON.stringify({ hash, tag, imageId, buildMs } satisfies CacheRecord, null, 2) + '\n');
  return { tag, archive: slot.archive, imageId, cached: false, buildMs, bytes: statSync(slot.archive).size };
}

// Builds the stand-in OMS image on a lab engine and saves it gzipped on the controller; reuses the cached archive when the scripts did not change.
export async function buildOmsImage(opts: BuildOmsImageOptions): Promise<OmsImage> {
  const tag = opts.tag ?? OMS_STANDIN_TAG;
  const outDir = opts.outDir ?? defaultOmsImageDir();
  const hash = omsImageHash(tag);
  const slot = archiveSlot(outDir, tag, hash, opts.force);
  if (slot.hit) return slot.hit;
  const started = Date.now();
  const work = mkdtempSync(join(outDir, 'build-'));
  const d = $({ quiet: true, env: { ...process.env, ...opts.env } });
  try {
    const root = join(work, 'root');
    await buildBusyboxRoot(root, omsImageFiles());
    writeFileSync(join(root, 'home/admin/standin/BUILD'), `${hash}\n`);
    await packRoot(root, join(work, 'root.tar'));
    await d`docker import ${changes()} ${join(work, 'root.tar')} ${tag}`;
    return await saveToSlot(d, slot, tag, hash, work, started);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Loads the archive into one engine unless that engine already has the image ID (what `docker_image_load` does on a node).
export async function loadOmsImage(env: { DOCKER_HOST: string }, image: OmsImage): Promise<boolean> {
  const d = $({ quiet: true, nothrow: true, env: { ...process.env, ...env } });
  const has = await d`docker image inspect --format {{.Id}} ${image.tag}`;
  if (has.exitCode === 0 && has.stdout.trim() === image.imageId) return false;
  const out = await d`gunzip -c ${image.archive} | docker load`;
  if (out.exitCode !== 0) throw new Error(`docker load of ${image.archive} failed: ${out.stderr.trim()}`);
  return true;
}

// The stand-in of a newer OMS release: the same image with a VERSION file, so its docker_init.sh writes a schema version.
export const OMS_STANDIN_UPGRADE_TAG = 'oms-ce-standin:feature_4.2.9-ce';

/** Options of `buildOmsUpgradeImage`. */
export interface BuildOmsUpgradeImageOptions {
  /** Points the docker CLI at a lab engine. */
  env: { DOCKER_HOST: string };
  /** The stand-in it derives from (`buildOmsImage`). */
  base: OmsImage;
  /** REPO:TAG of the newer image. @defaultValue OMS_STANDIN_UPGRADE_TAG */
  tag?: string;
  /** What its VERSION file says (and its init writes to the MetaDB). @defaultValue the tag's x.y.z + "-CE" */
  version?: string;
  /** Controller folder holding the archive and its cache record. @defaultValue defaultOmsImageDir() */
  outDir?: string;
}

// Builds the newer release from the base image in one `docker commit` (no second root folder), cached like the base.
export async function buildOmsUpgradeImage(opts: BuildOmsUpgradeImageOptions): Promise<OmsImage> {
  const tag = opts.tag ?? OMS_STANDIN_UPGRADE_TAG;
  const version = opts.version ?? `${/(\d+\.\d+\.\d+)/.exec(tag)?.[1] ?? '0.0.0'}-CE`;
  const hash = createHash('sha256').update(`base=${opts.base.imageId}\ntag=${tag}\nversion=${version}\n`).digest('hex');
  const slot = archiveSlot(opts.outDir ?? defaultOmsImageDir(), tag, hash);
  if (slot.hit) return slot.hit;
  const started = Date.now();
  await loadOmsImage(opts.env, opts.base);
  const work = mkdtempSync(join(dirname(slot.archive), 'build-'));
  const d = $({ quiet: true, env: { ...process.env, ...opts.env } });
  const box = `omsrun-upgrade-build-${process.pid}`;
  try {
    writeFileSync(join(work, 'VERSION'), `${version}\n`);
    await d`docker rm -f ${box}`.nothrow();
    await d`docker create --name ${box} ${opts.base.tag}`;
    await d`docker cp ${join(work, 'VERSION')} ${box}:/home/admin/standin/VERSION`;
    await d`docker commit --change ${`LABEL version=${version}`} ${box} ${tag}`;
    return await saveToSlot(d, slot, tag, hash, work, started);
  } finally {
    // The engine that built it keeps no copy, so every node starts without the newer release, as a fresh node would.
    await d`docker rm -f ${box}`.nothrow();
    await d`docker rmi ${tag}`.nothrow();
    rmSync(work, { recursive: true, force: true });
  }
}
