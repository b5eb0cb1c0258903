// slurp, find, raw, get_url, unarchive, script and git over real SSH to a lab host (OpenSSH, sudo with a password),
// against files written on the host's /data and, for get_url, a real HTTP server on the lab bridge.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { findModule } from '../../src/modules/find.js';
import { getUrlModule } from '../../src/modules/get-url.js';
import { gitModule } from '../../src/modules/git.js';
import { downloadTo } from '../../src/modules/support/download.js';
import { rawModule } from '../../src/modules/raw.js';
import { scriptModule } from '../../src/modules/script.js';
import { slurpModule } from '../../src/modules/slurp.js';
import { unarchiveModule } from '../../src/modules/unarchive.js';
import type { Module, ModuleContext } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { labEnabled, type LabHost } from '../lab/lab-helper.js';
import { useLabHostConnections } from '../lab/lab-connection.js';
import { useSideLab } from '../lab/side-lab.js';
import { makeContext } from '../helpers/module-context.js';

const side = useSideLab('fyev', 1, '/var/tmp/omsrun-fy');

const sha = (algo: string, body: string | Buffer) => createHash(algo).update(body).digest('hex');

// What the HTTP server on the lab bridge serves, and the requests it saw (with their Authorization header).
const served: Record<string, string | Buffer> = {};
const requests: { url: string; auth?: string; token?: string }[] = [];
const AUTH = `Basic ${Buffer.from('fetch:s3cret-pass').toString('base64')}`;

function startServer(host: string): Promise<Server> {
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', auth: req.headers.authorization, token: req.headers['x-token'] as string | undefined });
    if (req.url?.startsWith('/private/') && req.headers.authorization !== AUTH) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="lab"' }).end('no');
      return;
    }
    const body = served[(req.url ?? '').replace(/^\/private/, '').replace(/\?.*$/, '')];
    if (body === undefined) res.writeHead(404).end('not here');
    else res.writeHead(200, { 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
  return new Promise((done) => server.listen(0, host, () => done(server)));
}

describe.skipIf(!labEnabled())('everyday modules on a lab host over SSH', () => {
  let h1: LabHost;
  let root: SshConnection;
  let tester: SshConnection;
  let server: Server;
  let base = '';
  const conns = useLabHostConnections(side);
  const onHost = (rel: string) => join(h1.dir, 'data', rel);
  const run = (m: Module, args: Record<string, unknown>, extra: Partial<ModuleContext> = {}) =>
    runModule(m, args, makeContext({ conn: root, host: h1.name, ...extra }));
  const asTester = (extra: Partial<ModuleContext> = {}): Partial<ModuleContext> => ({
    conn: tester, become: { user: 'root', password: side.lab.tester.password }, ...extra,
  });

  beforeAll(async () => {
    ({ host: h1, root, tester } = conns);
    mkdirSync(onHost('fy'), { recursive: true });
    server = await startServer(side.lab.bridgeIp);
    base = `http://${side.lab.bridgeIp}:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server?.close(done));
  });

  it('slurp: every byte of a binary file comes back as base64, through sudo too; a missing file fails by name', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0, 0x80]);
    writeFileSync(onHost('fy/blob.bin'), bytes, { mode: 0o600 });
    const out = await run(slurpModule, { src: '/data/fy/blob.bin' }, asTester());
    expect(out).toEqual({ changed: false, data: { content: bytes.toString('base64'), encoding: 'base64', source: '/data/fy/blob.bin' } });
    const denied = await run(slurpModule, { src: '/data/fy/blob.bin' }, { conn: tester });
    expect(denied.failed).toBe(true);
    expect(denied.msg).toContain('/data/fy/blob.bin');
    expect(await run(slurpModule, { src: '/data/fy/none' })).toEqual({ changed: false, failed: true, msg: 'file not found: /data/fy/none' });
    expect(await run(slurpModule, { src: '/data/fy' })).toMatchObject({ failed: true, msg: 'source is a directory and must be a file: /data/fy' });
  });

  it('find: names, excludes, regex, type, depth, hidden, age, size, contains and links, in check mode too', async () => {
    const base = 'fy/find';
    for (const d of ['', 'sub', 'sub/deep', '.hidden']) mkdirSync(onHost(`${base}/${d}`), { recursive: true });
    const files: Record<string, string> = {
      'app.conf': 'port=80\n', 'app.log': 'x'.repeat(5000), 'old.log': 'old\n', '.secret.conf': 'k\n',
      'sub/db.conf': '# db\nport=3306\n', 'sub/deep/cache.conf': 'size=1\n', '.hidden/h.conf': 'h\n',
    };
    for (const [rel, body] of Object.entries(files)) writeFileSync(onHost(`${base}/${rel}`), body);
    const old = new Date(Date.now() - 10 * 86400_000);
    utimesSync(onHost(`${base}/old.log`), old, old);
    symlinkSync('/data/fy/find/app.conf', onHost(`${base}/current.conf`));
    const paths = (out: { data?: unknown }) => ((out.data as { files: { path: string }[] }).files).map((f) => f.path.replace('/data/fy/find/', ''));
    const p = '/data/fy/find';

    const confs = await run(findModule, { paths: p, patterns: '*.conf' });
    expect(paths(confs)).toEqual(['app.conf']);
    expect(confs.data).toMatchObject({ matched: 1, examined: 7, skipped_paths: {} });
    const first = (confs.data as { files: Record<string, unknown>[] }).files[0];
    expect(first).toMatchObject({ path: `${p}/app.conf`, isreg: true, isdir: false, islnk: false, size: 8, uid: 0, pw_name: 'root', mode: '0644', rusr: true, xusr: false });
    expect(typeof first!['mtime']).toBe('number');

    expect(paths(await run(findModule, { paths: p, patterns: '*.conf', recurse: true }))).toEqual(['.hidden/h.conf', 'app.conf', 'sub/db.conf', 'sub/deep/cache.conf']);
    expect(paths(await run(findModule, { paths: p, patterns: '*.conf', recurse: true, depth: 2, hidden: true }))).toEqual(['.hidden/h.conf', '.secret.conf', 'app.conf', 'sub/db.conf']);
    expect(paths(await run(findModule, { paths: p, patterns: '*.conf', excludes: 'db*', recurse: true, depth: 2 }))).toEqual(['.hidden/h.conf', 'app.conf']);
    expect(paths(await run(findModule, { paths: p, patterns: '^(app|old)\\.', use_regex: true }))).toEqual(['app.conf', 'app.log', 'old.log']);
    expect(paths(await run(findModule, { paths: p, file_type: 'directory', recurse: true }))).toEqual(['sub', 'sub/deep']);
    expect(paths(await run(findModule, { paths: p, file_type: 'link' }))).toEqual(['current.conf']);
    expect(paths(await run(findModule, { paths: p, age: '5d' }))).toEqual(['old.log']);
    expect(paths(await run(findModule, { paths: p, age: '-1d', patterns: '*.log' }))).toEqual(['app.log']);
    expect(paths(await run(findModule, { paths: p, size: '4k' }))).toEqual(['app.log']);
    expect(paths(await run(findModule, { paths: p, size: '-10', patterns: '*.log' }))).toEqual(['old.log']);
    expect(paths(await run(findModule, { paths: p, contains: 'port=\\d+', recurse: true }))).toEqual(['app.conf', 'sub/db.conf']);
    expect(paths(await run(findModule, { paths: p, contains: 'db', recurse: true }))).toEqual([]);
    // follow: the link is read as the file it points to.
    expect(paths(await run(findModule, { paths: p, patterns: '*.conf', follow: true }))).toEqual(['app.conf', 'current.conf']);
    // Through sudo in check mode: read-only modules run there.
    chmodSync(onHost(`${base}/sub`), 0o700);
    const checked = await run(findModule, { paths: `${p}/sub`, patterns: '*.conf' }, asTester({ checkMode: true }));
    expect(paths(checked)).toEqual(['sub/db.conf']);
    const missing = await run(findModule, { paths: [`${p}/sub`, '/data/fy/none'] });
    expect(missing).toMatchObject({ changed: false, msg: 'Not all paths examined, see skipped_paths', data: { matched: 1 } });
    expect((missing.data as { skipped_paths: Record<string, string> }).skipped_paths).toHaveProperty('/data/fy/none');
  });

  it('raw: the command line runs as written in the shell asked for; always changed, failing on a non-zero rc, skipped in check mode', async () => {
    expect(await run(rawModule, { cmd: 'echo "$0" $((6*7)) && echo err >&2' })).toMatchObject({ changed: true, rc: 0, stdout: '/bin/sh 42', stderr: 'err' });
    expect(await run(rawModule, { cmd: 'echo ${BASH_VERSION:+bash}', executable: '/bin/bash' })).toMatchObject({ changed: true, stdout: 'bash' });
    expect(await run(rawModule, { cmd: 'id -un' }, asTester())).toMatchObject({ changed: true, stdout: 'root' });
    expect(await run(rawModule, { cmd: 'echo no >&2; exit 3' })).toMatchObject({ failed: true, rc: 3, msg: 'non-zero return code 3: no' });
    writeFileSync(onHost('fy/raw-mark'), '');
    expect(await run(rawModule, { cmd: 'rm /data/fy/raw-mark' }, { checkMode: true })).toMatchObject({ changed: false, skipped: true });
    expect(readdirSync(onHost('fy'))).toContain('raw-mark');
    expect(readFileSync(onHost('fy/raw-mark'), 'utf8')).toBe('');
  });

  it('get_url: downloads into a file or a folder, then leaves it alone; a checksum match skips the download, a change brings it again', async () => {
    const body = Buffer.concat([Buffer.from('release 1.0\n'), Buffer.from([0, 255, 1])]);
    served['/app-1.0.tar'] = body;
    mkdirSync(onHost('fy/dl'), { recursive: true });
    const dest = '/data/fy/dl/app.tar';
    const first = await run(getUrlModule, { url: `${base}/app-1.0.tar`, dest, mode: '0640' });
    expect(first).toMatchObject({ changed: true, msg: `OK (${body.length} bytes)`, data: { dest, url: `${base}/app-1.0.tar`, size: body.length, sha256sum: sha('sha256', body) } });
    expect(readFileSync(onHost('fy/dl/app.tar'))).toEqual(body);
    expect(statSync(onHost('fy/dl/app.tar')).mode & 0o777).toBe(0o640);
    // Again: the file is there and no checksum is asked, so nothing is downloaded.
    const count = requests.length;
    expect(await run(getUrlModule, { url: `${base}/app-1.0.tar`, dest, mode: '0640' })).toMatchObject({ changed: false, msg: 'file already exists' });
    expect(requests.length).toBe(count);
    // A mode alone changes without a download.
    expect(await run(getUrlModule, { url: `${base}/app-1.0.tar`, dest, mode: '0600' })).toMatchObject({ changed: true, msg: `attributes of ${dest} set` });
    expect(statSync(onHost('fy/dl/app.tar')).mode & 0o777).toBe(0o600);
    expect(requests.length).toBe(count);
    // Every algorithm: a matching file is not downloaded again.
    for (const algo of ['md5', 'sha1', 'sha256', 'sha512']) {
      expect(await run(getUrlModule, { url: `${base}/app-1.0.tar`, dest, checksum: `${algo}:${sha(algo, body)}` })).toMatchObject({ changed: false, msg: 'file already exists with the checksum wanted' });
    }
    expect(requests.length).toBe(count);
    // force: downloaded, but the same content is no change.
    expect(await run(getUrlModule, { url: `${base}/app-1.0.tar`, dest, force: true })).toMatchObject({ changed: false });
    expect(requests.length).toBe(count + 1);
    // New content on the server and force: replaced.
    served['/app-1.0.tar'] = 'release 1.0 rebuilt\n';
    expect(await run(getUrlModule, { url: `${base}/app-1.0.tar`, dest, force: true })).toMatchObject({ changed: true });
    expect(readFileSync(onHost('fy/dl/app.tar'), 'utf8')).toBe('release 1.0 rebuilt\n');
    expect(statSync(onHost('fy/dl/app.tar')).mode & 0o777).toBe(0o600);
    // Into a folder: the URL's last part names the file; check mode reports and writes nothing.
    served['/pkg/tool-2.1.bin'] = 'tool\n';
    expect(await run(getUrlModule, { url: `${base}/pkg/tool-2.1.bin?x=1`, dest: '/data/fy/dl/' }, { checkMode: true })).toMatchObject({ changed: true, msg: `download ${base}/pkg/tool-2.1.bin?x=1 to /data/fy/dl/tool-2.1.bin` });
    expect(existsSync(onHost('fy/dl/tool-2.1.bin'))).toBe(false);
    expect(await run(getUrlModule, { url: `${base}/pkg/tool-2.1.bin?x=1`, dest: '/data/fy/dl' })).toMatchObject({ changed: true, data: { dest: '/data/fy/dl/tool-2.1.bin' } });
    expect(readFileSync(onHost('fy/dl/tool-2.1.bin'), 'utf8')).toBe('tool\n');
    expect(readdirSync(onHost('fy/dl')).filter((f) => f.includes('omsrun'))).toEqual([]);
  });

  it('get_url: a checksum mismatch fails and leaves nothing behind; a checksum file by URL; errors name what happened', async () => {
    served['/db.tar'] = 'database\n';
    served['/SHA256SUMS'] = `${sha('sha256', 'other')}  other.tar\n${sha('sha256', 'database\n')} *db.tar\n`;
    mkdirSync(onHost('fy/dl2'), { recursive: true });
    writeFileSync(onHost('fy/dl2/db.tar'), 'old database\n');
    const bad = await run(getUrlModule, { url: `${base}/db.tar`, dest: '/data/fy/dl2/db.tar', checksum: `sha256:${sha('sha256', 'something else')}` });
    expect(bad).toMatchObject({ failed: true, msg: `the checksum of ${base}/db.tar did not match ${sha('sha256', 'something else')}; it was ${sha('sha256', 'database\n')}. /data/fy/dl2/db.tar is unchanged` });
    expect(readFileSync(onHost('fy/dl2/db.tar'), 'utf8')).toBe('old database\n');
    expect(readdirSync(onHost('fy/dl2'))).toEqual(['db.tar']);
    // The checksum from a checksum file: the old file differs, so it is downloaded, then left alone.
    const args = { url: `${base}/db.tar`, dest: '/data/fy/dl2/db.tar', checksum: `sha256:${base}/SHA256SUMS` };
    expect(await run(getUrlModule, args)).toMatchObject({ changed: true, data: { checksum: `sha256:${sha('sha256', 'database\n')}` } });
    expect(readFileSync(onHost('fy/dl2/db.tar'), 'utf8')).toBe('database\n');
    expect(await run(getUrlModule, args)).toMatchObject({ changed: false });
    expect(await run(getUrlModule, { ...args, url: `${base}/nope.tar`, dest: '/data/fy/dl2/nope.tar' })).toMatchObject({ failed: true, msg: `the checksum file ${base}/SHA256SUMS has no line for nope.tar` });
    expect(await run(getUrlModule, { url: `${base}/missing.tar`, dest: '/data/fy/dl2/missing.tar' })).toMatchObject({
      failed: true, msg: `cannot download ${base}/missing.tar: The requested URL returned error: 404`,
    });
    expect(await run(getUrlModule, { url: `${base}/db.tar`, dest: '/data/fy/none/db.tar' })).toMatchObject({
      failed: true, msg: 'the folder of /data/fy/none/db.tar does not exist; create it first (file: state=directory)',
    });
    expect(readdirSync(onHost('fy/dl2'))).toEqual(['db.tar']);
  });

  it('get_url: credentials and headers reach the server through sudo, never on the command line; wget works as curl does', async () => {
    served['/secret.txt'] = 'classified\n';
    mkdirSync(onHost('fy/dl3'), { recursive: true });
    const args = { url: `${base}/private/secret.txt`, dest: '/data/fy/dl3/secret.txt', url_username: 'fetch', url_password: 's3cret-pass', headers: { 'X-Token': 'tok-123' }, owner: 'tester', mode: '0600' };
    const seen: string[][] = [];
    const spy = { ...tester, host: tester.host, transport: tester.transport, capabilities: tester.capabilities, exec: (argv: string[], o?: object) => (seen.push(argv), tester.exec(argv, o)) } as unknown as SshConnection;
    expect(await run(getUrlModule, args, asTester({ conn: spy }))).toMatchObject({ changed: true });
    expect(readFileSync(onHost('fy/dl3/secret.txt'), 'utf8')).toBe('classified\n');
    expect(statSync(onHost('fy/dl3/secret.txt')).uid).toBe(side.lab.tester.uid);
    expect(requests.at(-1)).toEqual({ url: '/private/secret.txt', auth: AUTH, token: 'tok-123' });
    expect(JSON.stringify(seen)).not.toContain('s3cret');
    expect(JSON.stringify(seen)).not.toContain('tok-123');
    const denied = await run(getUrlModule, { ...args, url_password: 'wrong-pass', force: true });
    expect(denied).toMatchObject({ failed: true, msg: `cannot download ${base}/private/secret.txt: The requested URL returned error: 401` });
    expect(denied.msg).not.toContain('wrong-pass');
    // wget, with the same config on stdin: the download script by hand, as the module runs it.
    const ctx = makeContext({ conn: root, host: h1.name });
    const req = { url: `${base}/private/secret.txt`, headers: { 'X-Token': 'tok-w' }, username: 'fetch', password: 's3cret-pass', validateCerts: true, timeout: 10 };
    const got = await downloadTo(ctx, 'wget', req, '/data/fy/dl3/.wget-tmp', 'md5');
    expect(got).toEqual({ size: 11, sha256: sha('sha256', 'classified\n'), checksum: sha('md5', 'classified\n') });
    expect(readFileSync(onHost('fy/dl3/.wget-tmp'), 'utf8')).toBe('classified\n');
    expect(requests.at(-1)).toEqual({ url: '/private/secret.txt', auth: AUTH, token: 'tok-w' });
    const failedWget = await downloadTo(ctx, 'wget', { ...req, url: `${base}/gone` }, '/data/fy/dl3/.wget-gone', '');
    expect(failedWget).toBe(`cannot download ${base}/gone: ERROR 404: Not Found.`);
    expect(existsSync(onHost('fy/dl3/.wget-gone'))).toBe(false);
  });

  // An archive made on the controller from `files` with tar (compressed by `flag`) or zip, in the side lab's work folder.
  const archive = (name: string, files: Record<string, string>, flag = ''): string => {
    const dir = join(side.work, `src-${name}`);
    for (const [rel, body] of Object.entries(files)) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), body);
    }
    const out = join(side.work, name);
    const top = readdirSync(dir);
    if (name.endsWith('.zip')) execFileSync('zip', ['-qr', out, ...top], { cwd: dir });
    else execFileSync('tar', [`-c${flag}f`, out, '-C', dir, ...top]);
    return out;
  };

  it('unarchive: tar.gz, tar.bz2, tar.xz and zip from the controller; a second run is ok; a changed file unpacks again', async () => {
    const files = { 'app/bin/run.sh': '#!/bin/sh\necho run\n', 'app/conf/app.conf': 'port=80\n', 'app/README': 'readme\n' };
    for (const [name, flag] of [['app.tar.gz', 'z'], ['app.tar.bz2', 'j'], ['app.tar.xz', 'J'], ['app.tar', ''], ['app.zip', '']] as const) {
      const src = archive(name, files, flag);
      const dir = `fy/un-${name.replace(/\./g, '-')}`;
      mkdirSync(onHost(dir), { recursive: true });
      const args = { src, dest: `/data/${dir}`, list_files: true };
      const first = await run(unarchiveModule, args);
      expect(first, name).toMatchObject({ changed: true, msg: `unpacked ${src} into /data/${dir}` });
      expect((first.data as { files: string[] }).files.some((f) => f.endsWith('app/conf/app.conf')), name).toBe(true);
      expect(readFileSync(onHost(`${dir}/app/conf/app.conf`), 'utf8'), name).toBe('port=80\n');
      expect(await run(unarchiveModule, args), name).toMatchObject({ changed: false });
      if (name !== 'app.tar.gz' && name !== 'app.zip') continue;
      writeFileSync(onHost(`${dir}/app/conf/app.conf`), 'port=81\n');
      expect(await run(unarchiveModule, args, { checkMode: true }), name).toMatchObject({ changed: true, msg: `unpack ${src} into /data/${dir}` });
      expect(readFileSync(onHost(`${dir}/app/conf/app.conf`), 'utf8'), name).toBe('port=81\n');
      expect(await run(unarchiveModule, args), name).toMatchObject({ changed: true });
      expect(readFileSync(onHost(`${dir}/app/conf/app.conf`), 'utf8'), name).toBe('port=80\n');
      expect(await run(unarchiveModule, args), name).toMatchObject({ changed: false });
      expect(readdirSync(onHost(dir)), name).toEqual(['app']);
    }
  });

  it('unarchive: remote_src, creates, exclude, extra_opts, owner and mode through sudo; errors say what is wrong', async () => {
    const src = archive('rel.tar.gz', { 'rel-1/lib/a.jar': 'a', 'rel-1/lib/b.jar': 'b', 'rel-1/logs/x.log': 'log' }, 'z');
    mkdirSync(onHost('fy/rel'), { recursive: true });
    writeFileSync(onHost('fy/rel.tar.gz'), readFileSync(src));
    const args = { src: '/data/fy/rel.tar.gz', remote_src: true, dest: '/data/fy/rel', extra_opts: ['--strip-components=1'], exclude: ['*.log'], owner: 'tester', mode: '0640' };
    expect(await run(unarchiveModule, args, asTester())).toMatchObject({ changed: true });
    expect(readdirSync(onHost('fy/rel')).sort()).toEqual(['lib', 'logs']);
    expect(readdirSync(onHost('fy/rel/logs'))).toEqual([]);
    expect(statSync(onHost('fy/rel/lib/a.jar')).uid).toBe(side.lab.tester.uid);
    expect(statSync(onHost('fy/rel/lib/a.jar')).mode & 0o777).toBe(0o640);
    expect(await run(unarchiveModule, args, asTester())).toMatchObject({ changed: false });
    // Another mode wanted: the files are the same, their mode is not.
    expect(await run(unarchiveModule, { ...args, mode: '0644' }, asTester())).toMatchObject({ changed: true });
    expect(statSync(onHost('fy/rel/lib/b.jar')).mode & 0o777).toBe(0o644);
    expect(await run(unarchiveModule, { ...args, mode: '0644', creates: '/data/fy/rel/lib' })).toMatchObject({ changed: false, msg: 'skipped, since /data/fy/rel/lib exists' });
    expect(await run(unarchiveModule, { ...args, dest: '/data/fy/none' })).toMatchObject({ failed: true, msg: '/data/fy/none is not a folder; unarchive needs an existing dest folder' });
    writeFileSync(onHost('fy/bad.tar'), 'not an archive at all');
    const bad = await run(unarchiveModule, { src: '/data/fy/bad.tar', remote_src: true, dest: '/data/fy/rel' });
    expect(bad.failed).toBe(true);
    expect(bad.msg).toMatch(/^cannot list \/data\/fy\/bad.tar: tar: This does not look like a tar archive/);
    expect(await run(unarchiveModule, { src: 'no-such.tar', dest: '/data/fy/rel' })).toMatchObject({ failed: true });
    expect(readdirSync(onHost('fy/rel')).sort()).toEqual(['lib', 'logs']);
  });

  it('script: copied up, run with its arguments in chdir, through sudo, then removed; creates skips it; a failure carries rc and output', async () => {
    const dir = join(side.work, 'scripts');
    mkdirSync(join(dir, 'files'), { recursive: true });
    writeFileSync(join(dir, 'files', 'fy-probe.sh'), '#!/bin/sh\necho "args:$# $1|$2" ; echo "cwd:$(pwd) user:$(id -un)"; echo warn >&2; touch "$3"\n', { mode: 0o644 });
    writeFileSync(join(dir, 'fy-fail.sh'), 'echo partial; echo broken >&2; exit 7\n');
    mkdirSync(onHost('fy/sc'), { recursive: true });
    const leftovers = () => readdirSync('/tmp').filter((f) => f.startsWith('.omsrun-script-') && f.includes('fy-'));
    const args = { cmd: 'fy-probe.sh "two words" x /data/fy/sc/done', chdir: '/data/fy/sc', creates: '/data/fy/sc/done' };
    const out = await run(scriptModule, args, asTester({ baseDir: dir }));
    expect(out).toMatchObject({ changed: true, rc: 0, stdout: 'args:3 two words|x\ncwd:/data/fy/sc user:root', stderr: 'warn' });
    expect(statSync(onHost('fy/sc/done')).uid).toBe(0);
    expect(leftovers()).toEqual([]);
    expect(await run(scriptModule, args, { baseDir: dir })).toMatchObject({ changed: false, msg: 'skipped, since /data/fy/sc/done exists' });
    expect(await run(scriptModule, { cmd: 'fy-probe.sh a b /data/fy/sc/c', removes: '/data/fy/sc/none' }, { baseDir: dir })).toMatchObject({ changed: false, msg: 'skipped, since /data/fy/sc/none does not exist' });
    expect(await run(scriptModule, { cmd: 'fy-probe.sh a b /data/fy/sc/check' }, { baseDir: dir, checkMode: true })).toMatchObject({ changed: false, skipped: true });
    expect(existsSync(onHost('fy/sc/check'))).toBe(false);
    // No #! line and no exec bit: executable runs it.
    expect(await run(scriptModule, { cmd: 'fy-fail.sh', executable: '/bin/sh' }, { baseDir: dir })).toMatchObject({ failed: true, rc: 7, stdout: 'partial', msg: 'non-zero return code 7: broken' });
    expect(leftovers()).toEqual([]);
    expect(await run(scriptModule, { cmd: 'nope.sh' }, { baseDir: dir })).toMatchObject({ failed: true, msg: `cannot find the script nope.sh on the controller (looked in ${dir} and its files/)` });
  });

  it('git: clones a file:// repository at a branch, tag or commit; changed only when HEAD moves; local changes need force', async () => {
    const src = join(side.work, 'gitsrc');
    const bare = join(side.work, 'repo.git');
    const g = (...args: string[]) => execFileSync('git', args, { cwd: src, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'fy', GIT_AUTHOR_EMAIL: 'fy@lab', GIT_COMMITTER_NAME: 'fy', GIT_COMMITTER_EMAIL: 'fy@lab' } }).trim();
    mkdirSync(src, { recursive: true });
    g('init', '-q', '-b', 'main');
    writeFileSync(join(src, 'app.conf'), 'v1\n');
    g('add', '.');
    g('commit', '-qm', 'one');
    const one = g('rev-parse', 'HEAD');
    g('tag', '-a', 'v1', '-m', 'release 1');
    writeFileSync(join(src, 'app.conf'), 'v2\n');
    g('commit', '-qam', 'two');
    const two = g('rev-parse', 'HEAD');
    execFileSync('git', ['clone', '-q', '--bare', src, bare]);
    const repo = `file://${bare}`;
    const dest = '/data/fy/checkout';
    const head = () => execFileSync('git', ['-C', onHost('fy/checkout'), 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

    expect(await run(gitModule, { repo, dest }, { checkMode: true })).toMatchObject({ changed: true, msg: `clone ${dest} to HEAD (${two.slice(0, 12)})` });
    expect(existsSync(onHost('fy/checkout'))).toBe(false);
    expect(await run(gitModule, { repo, dest })).toMatchObject({ changed: true, data: { before: null, after: two } });
    expect(execFileSync('git', ['-C', onHost('fy/checkout'), 'branch', '--show-current'], { encoding: 'utf8' }).trim()).toBe('main');
    expect(await run(gitModule, { repo, dest })).toMatchObject({ changed: false, data: { before: two, after: two } });
    expect(await run(gitModule, { repo, dest, version: 'v1' })).toMatchObject({ changed: true, data: { before: two, after: one } });
    expect(readFileSync(onHost('fy/checkout/app.conf'), 'utf8')).toBe('v1\n');
    expect(await run(gitModule, { repo, dest, version: 'v1' })).toMatchObject({ changed: false });
    expect(await run(gitModule, { repo, dest, version: two.slice(0, 10) })).toMatchObject({ changed: true, data: { after: two } });
    expect(await run(gitModule, { repo, dest, version: 'main', update: false })).toMatchObject({ changed: false, data: { after: two } });
    // A new commit upstream, and a local change: refused without force, dropped with it.
    writeFileSync(join(src, 'app.conf'), 'v3\n');
    g('commit', '-qam', 'three');
    g('push', '-q', bare, 'main');
    const three = g('rev-parse', 'HEAD');
    writeFileSync(onHost('fy/checkout/app.conf'), 'edited on the host\n');
    expect(await run(gitModule, { repo, dest, version: 'main' })).toMatchObject({ failed: true, msg: `${dest} has local modifications; commit or discard them, or set force: true to drop them` });
    expect(head()).toBe(two);
    expect(await run(gitModule, { repo, dest, version: 'main', force: true })).toMatchObject({ changed: true, data: { before: two, after: three } });
    expect(readFileSync(onHost('fy/checkout/app.conf'), 'utf8')).toBe('v3\n');
    expect(await run(gitModule, { repo, dest, version: 'nope' })).toMatchObject({ failed: true, msg: `version nope is neither a branch nor a tag of ${repo}` });
    // depth 1, through sudo.
    expect(await run(gitModule, { repo, dest: '/data/fy/shallow', depth: 1, version: 'main' }, asTester())).toMatchObject({ changed: true, data: { after: three } });
    expect(execFileSync('git', ['-C', onHost('fy/shallow'), 'rev-list', '--count', 'HEAD'], { encoding: 'utf8' }).trim()).toBe('1');
  });
});
