import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection, ExecOptions, ExecResult } from '../../src/connection/connection.js';
import { dockerImageLoadModule } from '../../src/modules/docker-image-load.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

// A node whose `docker` answers from a script: records argv and the bytes piped to `docker load`.
function fakeNode(answer: (argv: string[]) => Partial<ExecResult>): Connection & { calls: string[][]; loaded: number } {
  const node = {
    host: 'n1', transport: 'fake', capabilities: { runsOnController: false }, calls: [] as string[][], loaded: 0,
    connect: async () => {},
    close: async () => {},
    put: async () => {},
    get: async () => Buffer.alloc(0),
    exec: async (argv: string[], o: ExecOptions = {}): Promise<ExecResult> => {
      node.calls.push(argv);
      if (o.stdin instanceof Readable) for await (const c of o.stdin) node.loaded += (c as Buffer).length;
      return { rc: 0, stdout: '', stderr: '', timedOut: false, durationMs: 1, ...answer(argv) };
    },
  };
  return node;
}

let dir: string;
let cleanup: () => Promise<void>;
let archive: string;
const config = Buffer.from('{"architecture":"amd64"}');
const id = `sha256:${createHash('sha256').update(config).digest('hex')}`;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  archive = join(dir, 'img.tar');
  const p = pack();
  p.entry({ name: 'layer.tar', size: 3 * 1024 * 1024 }, Buffer.alloc(3 * 1024 * 1024, 1));
  p.entry({ name: `${id.slice(7)}.json` }, config);
  p.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: `${id.slice(7)}.json`, RepoTags: ['img:1'] }]));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  await writeFile(archive, Buffer.concat(chunks));
});
afterEach(async () => cleanup());

const missing = { rc: 1, stderr: 'Error: No such image: x' };

describe('docker_image_load against a scripted engine', () => {
  it('streams the whole archive into `docker load` and reports bytes', async () => {
    let loaded = false;
    const node = fakeNode((argv) => {
      if (argv[1] === 'load') return (loaded = true), { stdout: 'Loaded image: img:1\n' };
      return loaded ? { stdout: `${id}\n` } : missing;
    });
    const progress: number[][] = [];
    const out = await runModule(dockerImageLoadModule, { archive }, makeContext({ conn: node, host: 'n1', progress: (d, t) => progress.push([d, t]) }));
    expect(out).toMatchObject({ changed: true, data: { image_id: id, repo_tags: ['img:1'] } });
    const size = (await import('node:fs')).statSync(archive).size;
    expect(node.loaded).toBe(size);
    expect(progress.at(-1)).toEqual([size, size]);
    expect(node.calls.map((a) => a.join(' '))).toEqual([
      `docker image inspect --format {{.Id}} ${id}`,
      'docker load',
      `docker image inspect --format {{.Id}} ${id}`,
      'docker image inspect --format {{.Id}} img:1',
    ]);
  });

  it('fails clearly when the node reports another image ID after the load', async () => {
    let loaded = false;
    const node = fakeNode((argv) => {
      if (argv[1] === 'load') return (loaded = true), {};
      if (!loaded) return missing;
      return { stdout: argv.at(-1) === id ? `${id}\n` : 'sha256:other\n' };
    });
    const out = await runModule(dockerImageLoadModule, { archive }, makeContext({ conn: node, host: 'n1' }));
    expect(out).toMatchObject({ failed: true, msg: `after docker load on n1, img:1 is sha256:other; the archive's image ID is ${id}` });
    const gone = fakeNode((argv) => (argv[1] === 'load' ? {} : missing));
    const out2 = await runModule(dockerImageLoadModule, { archive }, makeContext({ conn: gone, host: 'n1' }));
    expect(out2).toMatchObject({ failed: true, msg: `after docker load on n1, image ${id} is not there; the archive's image ID is ${id}` });
  });

  it('a failing docker load is the task failure, with its output', async () => {
    const node = fakeNode((argv) => (argv[1] === 'load' ? { rc: 1, stderr: 'no space left on device\n' } : missing));
    const out = await runModule(dockerImageLoadModule, { archive }, makeContext({ conn: node, host: 'n1' }));
    expect(out).toMatchObject({ failed: true, rc: 1, msg: 'docker load failed (rc 1): no space left on device', data: { image_id: id } });
  });
});
