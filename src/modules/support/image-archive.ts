// Reads which image a `docker save` archive holds (tags, ID) without loading it or reading it whole.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { DockerError } from './docker-cli.js';

/** What an archive says about the image in it. */
export interface ArchiveImage {
  /** `sha256:<hex>` of the image config: the ID `docker image inspect` reports after loading. */
  imageId: string;
  repoTags: string[];
  /** Name of the config entry inside the archive. */
  configName: string;
}

/** Entries larger than this are layers: skipped, never buffered. */
const SMALL_ENTRY = 4 * 1024 * 1024;
/** Names a config can have: `<hex>.json` (classic `docker save`) or `blobs/sha256/<hex>` (OCI layout). */
const CONFIG_NAME = /^(?:[0-9a-f]{64}\.json|blobs\/sha256\/[0-9a-f]{64})$/;

interface ManifestEntry {
  Config?: unknown;
  RepoTags?: unknown;
}

// Entry names as `docker save` writes them, whatever prefix a re-packer added.
function normalName(name: string): string {
  return name.replace(/^(\.\/)+/, '');
}

// True when the file starts with the gzip magic bytes.
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

// The one image of a parsed manifest.json; several images or a malformed manifest are errors naming the file.
export function imageOfManifest(text: string, file: string): { configName: string; repoTags: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DockerError(`${file}: manifest.json is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new DockerError(`${file}: manifest.json lists no image`);
  if (parsed.length > 1) throw new DockerError(`${file}: manifest.json lists ${parsed.length} images; expected one image per archive`);
  const m = parsed[0] as ManifestEntry;
  if (typeof m.Config !== 'string') throw new DockerError(`${file}: manifest.json has no Config entry`);
  const tags = Array.isArray(m.RepoTags) ? m.RepoTags.filter((t): t is string => typeof t === 'string') : [];
  return { configName: normalName(m.Config), repoTags: tags };
}

// sha256 of the config bytes is the image ID docker computes on load.
export function imageIdOfConfig(config: Buffer): string {
  return `sha256:${createHash('sha256').update(config).digest('hex')}`;
}

const seen = new Map<string, Promise<ArchiveImage>>();

// Every node of a play asks about the same archive: read it once per path, size and mtime.
export async function readArchiveImage(path: string): Promise<ArchiveImage> {
  const st = await stat(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  let found = seen.get(key);
  if (!found) {
    found = scanArchive(path);
    seen.set(key, found);
    found.catch(() => seen.delete(key));
  }
  return found;
}

// Streams the archive (gunzipping on the fly) and stops once manifest.json and its config are seen, in either order.
export async function scanArchive(path: string): Promise<ArchiveImage> {
  const gz = await isGzipFile(path);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const source: Readable = gz ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
  const ex = extract();
  const small = new Map<string, Buffer>();
  let manifest: { configName: string; repoTags: string[] } | undefined;
  const done = (): ArchiveImage | undefined => {
    if (!manifest) return undefined;
    const config = small.get(manifest.configName);
    if (!config) return undefined;
    return { imageId: imageIdOfConfig(config), repoTags: manifest.repoTags, configName: manifest.configName };
  };
  try {
    return await new Promise<ArchiveImage>((resolve, reject) => {
      const fail = (err: Error): void => reject(new DockerError(`${path}: cannot read the archive: ${err.message}`));
      file.on('error', fail);
      source.on('error', fail);
      ex.on('error', fail);
      ex.on('entry', (header, stream, next) => {
        const name = normalName(header.name);
        const wanted = manifest
          ? name === manifest.configName
          : name === 'manifest.json' || (CONFIG_NAME.test(name) && (header.size ?? 0) <= SMALL_ENTRY);
        if (header.type !== 'file' || !wanted) {
          stream.on('end', next);
          stream.resume();
          return;
        }
        const chunks: Buffer[] = [];
        let json = true;
        stream.on('data', (data: unknown) => {
          const c = data as Buffer;
          if (chunks.length === 0 && c[0] !== 0x7b && c[0] !== 0x5b) json = false;
          if (json) chunks.push(c);
        });
        stream.on('end', () => {
          const body = Buffer.concat(chunks);
          if (!json) return next();
          try {
            if (name === 'manifest.json') {
              manifest = imageOfManifest(body.toString('utf8'), path);
              for (const k of [...small.keys()]) if (k !== manifest.configName) small.delete(k);
            } else small.set(name, body);
          } catch (err) {
            return reject(err);
          }
          const found = done();
          if (found) return resolve(found);
          next();
        });
      });
      ex.on('finish', () => {
        if (!manifest) reject(new DockerError(`${path}: no manifest.json in the archive; expected a \`docker save\` archive (.tar or .tar.gz)`));
        else reject(new DockerError(`${path}: the config ${manifest.configName} named by manifest.json is missing from the archive`));
      });
      source.pipe(ex);
    });
  } finally {
    source.unpipe(ex);
    ex.destroy();
    source.destroy();
    file.destroy();
  }
}
