import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalConnection } from '../../src/connection/local.js';
import { readArchiveImage } from '../../src/modules/support/image-archive.js';
import { tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const config = Buffer.from(JSON.stringify({ architecture: 'amd64', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers' } }));
const hex = createHash('sha256').update(config).digest('hex');

type Entry = [name: string, body: Buffer];

function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const [name, body] of entries) p.entry({ name, size: body.length }, body);
  p.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
}

function manifest(configName: string, tags: string[] = ['oms:1']): Buffer {
  return Buffer.from(JSON.stringify([{ Config: configName, RepoTags: tags, Layers: ['l/layer.tar'] }]));
}

const bigLayer = Buffer.alloc(6 * 1024 * 1024, 7);

describe('reading a docker save archive', () => {
  it('manifest.json last (classic docker save), behind a layer larger than any config', async () => {
    const file = join(dir, 'a.tar');
    await writeFile(file, await tarOf([['l/layer.tar', bigLayer], [`${hex}.json`, config], ['manifest.json', manifest(`${hex}.json`)]]));
    expect(await readArchiveImage(file)).toEqual({ imageId: `sha256:${hex}`, repoTags: ['oms:1'], configName: `${hex}.json` });
  });

  it('.tar.gz and the OCI layout with manifest.json first', async () => {
    const file = join(dir, 'a.tar.gz');
    const tar = await tarOf([['manifest.json', manifest(`blobs/sha256/${hex}`, ['a:1', 'b:2'])], [`blobs/sha256/${hex}`, config], ['blobs/sha256/ff', bigLayer]]);
    await writeFile(file, gzipSync(tar));
    expect(await readArchiveImage(file)).toEqual({ imageId: `sha256:${hex}`, repoTags: ['a:1', 'b:2'], configName: `blobs/sha256/${hex}` });
  });

  it('stops reading once both are found: garbage after them is never read', async () => {
    const file = join(dir, 'a.tar');
    const tar = await tarOf([['manifest.json', manifest(`${hex}.json`)], [`${hex}.json`, config]]);
    await writeFile(file, tar.subarray(0, tar.length - 1024));
    await appendFile(file, Buffer.alloc(4096, 0x41));
    expect((await readArchiveImage(file)).imageId).toBe(`sha256:${hex}`);
  });

  it('read once per file version: a rewritten archive is read again', async () => {
    const file = join(dir, 'a.tar');
    await writeFile(file, await tarOf([['manifest.json', manifest(`${hex}.json`, ['one:1'])], [`${hex}.json`, config]]));
    expect((await readArchiveImage(file)).repoTags).toEqual(['one:1']);
    await writeFile(file, await tarOf([['manifest.json', manifest(`${hex}.json`, ['two:22'])], [`${hex}.json`, config]]));
    expect((await readArchiveImage(file)).repoTags).toEqual(['two:22']);
  });

  it('errors name the file and what is missing', async () => {
    const none = join(dir, 'none.tar');
    await writeFile(none, await tarOf([['x.txt', Buffer.from('x')]]));
    await expect(readArchiveImage(none)).rejects.toThrow(`${none}: no manifest.json in the archive; expected a \`docker save\` archive (.tar or .tar.gz)`);
    const noConfig = join(dir, 'nc.tar');
    await writeFile(noConfig, await tarOf([['manifest.json', manifest(`${hex}.json`)]]));
    await expect(readArchiveImage(noConfig)).rejects.toThrow(`${noConfig}: the config ${hex}.json named by manifest.json is missing from the archive`);
    const two = join(dir, 'two.tar');
    const m2 = Buffer.from(JSON.stringify([{ Config: 'a.json' }, { Config: 'b.json' }]));
    await writeFile(two, await tarOf([['manifest.json', m2]]));
    await expect(readArchiveImage(two)).rejects.toThrow(`${two}: manifest.json lists 2 images; expected one image per archive`);
    const junk = join(dir, 'junk.tar');
    await writeFile(junk, Buffer.alloc(2048, 0x41));
    await expect(readArchiveImage(junk)).rejects.toThrow(`${junk}: cannot read the archive: `);
  });
});

describe('exec stdin from a stream (local connection)', () => {
  it('pipes a large file to the command without loss', async () => {
    const file = join(dir, 'big.bin');
    await writeFile(file, Buffer.alloc(20 * 1024 * 1024, 3));
    const r = await new LocalConnection().exec(['sh', '-c', 'wc -c'], { stdin: createReadStream(file) });
    expect(r.rc).toBe(0);
    expect(r.stdout.trim()).toBe(String(20 * 1024 * 1024));
  });

  it('a command that stops reading early still finishes; a broken stream rejects', async () => {
    const file = join(dir, 'big.bin');
    await writeFile(file, Buffer.alloc(8 * 1024 * 1024, 3));
    const stream = createReadStream(file);
    const r = await new LocalConnection().exec(['sh', '-c', 'head -c 10 >/dev/null; exit 5'], { stdin: stream });
    expect(r.rc).toBe(5);
    stream.destroy();
    await expect(new LocalConnection().exec(['cat'], { stdin: createReadStream(join(dir, 'missing')) })).rejects.toThrow(
      `cannot read ${join(dir, 'missing')}: no such file or directory`,
    );
  });
});
