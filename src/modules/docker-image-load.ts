// Loads a `docker save` archive on each node unless the node already has that image ID; streams, no copy.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Transform } from 'node:stream';
import { z } from 'zod';
import { fromSystemError } from '../core/errors.js';
import { controllerRead, failed, resolveControllerPath } from './support/common.js';
import { DockerError, docker, dockerOk, imageIdOn } from './support/docker-cli.js';
import { imageOfManifest, readArchiveImage, type ArchiveImage } from './support/image-archive.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';

const schema = z
  .strictObject({
    archive: z.string().min(1).optional().describe('`docker save` archive (.tar or .tar.gz) on the controller, relative to the playbook folder.'),
    remote_archive: z.string().min(1).optional().describe('`docker save` archive already on the node (absolute path).'),
    keep_copy: z.boolean().default(false).describe('Copy the archive to the node (at `dest`) before loading it, and keep it there. Default: stream it straight into `docker load`, nothing written to the node disk.'),
    dest: z.string().min(1).optional().describe('Where keep_copy puts the archive on the node. Default: /tmp/<archive file name>.'),
  })
  .refine((a) => (a.archive === undefined) !== (a.remote_archive === undefined), { error: 'expected exactly one of archive or remote_archive' });

type Args = z.infer<typeof schema>;

interface LoadPlan {
  image: ArchiveImage;
  /** Controller path of the archive, when it is there. */
  local?: string;
  /** Only tags are missing: `docker tag` them instead of loading. */
  retag?: string[];
}

const CONFIG_SHA_SCRIPT = 'set -e; t=$(mktemp); trap \'rm -f "$t"\' EXIT; tar -xOf "$1" "$2" >"$t"; sha256sum <"$t"';

// The archive's image as read on the node with tar (no load): manifest.json, then the config's sha256.
async function remoteArchiveImage(ctx: ModuleContext, path: string): Promise<ArchiveImage> {
  const opts = { become: ctx.become, signal: ctx.signal, timeoutMs: ctx.timeoutMs };
  const m = await ctx.conn.exec(['tar', '-xOf', path, 'manifest.json'], opts);
  if (m.rc !== 0) throw new DockerError(`${path} on ${ctx.host}: cannot read manifest.json: ${m.stderr.trim()}`, m);
  const { configName, repoTags } = imageOfManifest(m.stdout, path);
  // Through a file, not a pipe: a shell without pipefail would hash tar's empty output when tar fails.
  const c = await ctx.conn.exec(['sh', '-c', CONFIG_SHA_SCRIPT, 'sh', path, configName], opts);
  const hex = /^([0-9a-f]{64})\s/.exec(c.stdout)?.[1];
  if (c.rc !== 0 || !hex) throw new DockerError(`${path} on ${ctx.host}: cannot read the image config ${configName}: ${c.stderr.trim()}`, c);
  return { imageId: `sha256:${hex}`, repoTags, configName };
}

// Counts bytes as they pass, reporting at most every 200 ms (and at the end).
function progressMeter(total: number, report: (done: number) => void): Transform {
  let done = 0;
  let last = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      const now = Date.now();
      if (now - last >= 200) {
        last = now;
        report(done);
      }
      cb(null, chunk);
    },
    flush(cb) {
      report(done);
      cb();
    },
  });
}

// Tags of the archive that the node lacks or has on another image, with the ID they have there.
async function missingTags(ctx: ModuleContext, image: ArchiveImage): Promise<[string, string | undefined][]> {
  const out: [string, string | undefined][] = [];
  for (const tag of image.repoTags) {
    const has = await imageIdOn(ctx, tag);
    if (has !== image.imageId) out.push([tag, has]);
  }
  return out;
}

// Streams the controller archive into `docker load` on the node (docker load un-gzips by itself).
async function streamLoad(ctx: ModuleContext, path: string): Promise<ModuleOutcome | undefined> {
  const size = (await controllerRead(path, stat(path))).size;
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  const meter = progressMeter(size, (done) => ctx.progress(done, size, 'bytes'));
  file.on('error', (err) => meter.destroy(fromSystemError(`cannot read ${path}`, err) as Error));
  file.pipe(meter);
  try {
    const r = await docker(ctx, ['load'], { stdin: meter, onLine: (s, l) => ctx.log(l, s) });
    if (r.rc !== 0) return failed(`docker load failed (rc ${r.rc}): ${(r.stderr || r.stdout).trim()}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
    return undefined;
  } finally {
    file.destroy();
    meter.destroy();
  }
}

// Copies the archive to the node (atomic put, with progress), then `docker load -i` it.
async function copyAndLoad(ctx: ModuleContext, path: string, dest: string): Promise<void> {
  await ctx.conn.put({ localPath: path }, dest, { become: ctx.become, signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t, 'bytes') });
  await dockerOk(ctx, ['load', '-i', dest], { onLine: (s, l) => ctx.log(l, s) });
}

function resultData(image: ArchiveImage): Record<string, unknown> {
  return { image_id: image.imageId, repo_tags: image.repoTags };
}

// The image ID comes from the archive, so every node ends with the same ID or the task fails.
export const dockerImageLoadModule = defineModule<Args, LoadPlan>({
  name: 'docker_image_load',
  description: 'Loads a `docker save` archive (.tar or .tar.gz) on the node unless the node already has that image ID; streams it without a copy on disk.',
  schema,
  check: async (args, ctx) => {
    let image: ArchiveImage;
    let local: string | undefined;
    if (args.archive !== undefined) {
      local = resolveControllerPath(ctx.baseDir, args.archive);
      if (!local) return { changes: false, outcome: failed(`archive ${args.archive} not found (looked in ${ctx.baseDir})`) };
      image = await controllerRead(local, readArchiveImage(local));
    } else image = await remoteArchiveImage(ctx, args.remote_archive as string);
    const data = resultData(image);
    if ((await imageIdOn(ctx, image.imageId)) !== undefined) {
      const retag = (await missingTags(ctx, image)).map(([tag]) => tag);
      if (retag.length === 0) return { changes: false, outcome: { msg: `image ${image.imageId} already present`, data } };
      return { changes: true, summary: `tag ${image.imageId} as ${retag.join(', ')}`, data: { image, local, retag } };
    }
    const from = local ?? `${args.remote_archive} on the node`;
    return { changes: true, summary: `load ${image.repoTags.join(', ') || image.imageId} (${image.imageId}) from ${from}`, data: { image, local } };
  },
  apply: async (args, plan, ctx) => {
    if (!plan) throw new Error('docker_image_load: apply without a plan');
    const { image, local } = plan;
    if (plan.retag) {
      for (const tag of plan.retag) await dockerOk(ctx, ['tag', image.imageId, tag]);
    } else if (!local) {
      await dockerOk(ctx, ['load', '-i', args.remote_archive as string], { onLine: (s, l) => ctx.log(l, s) });
    } else if (args.keep_copy) {
      await copyAndLoad(ctx, local, args.dest ?? posix.join('/tmp', posix.basename(local)));
    } else {
      const bad = await streamLoad(ctx, local);
      if (bad) return { ...bad, data: resultData(image) };
    }
    const got = await imageIdOn(ctx, image.imageId);
    const wrong = await missingTags(ctx, image);
    if (got === undefined || wrong.length > 0) {
      const what = got === undefined
        ? `image ${image.imageId} is not there`
        : wrong.map(([tag, has]) => `${tag} is ${has ?? 'missing'}`).join(', ');
      return failed(`after docker load on ${ctx.host}, ${what}; the archive's image ID is ${image.imageId}`, { data: resultData(image) });
    }
    const msg = plan.retag ? `tagged ${image.imageId} as ${plan.retag.join(', ')}` : `loaded ${image.repoTags.join(', ') || image.imageId} (${image.imageId})`;
    return { changed: true, msg, data: resultData(image) };
  },
});
