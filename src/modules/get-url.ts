// Downloads a URL on the host into a file: into a private temp file beside dest, checked, then renamed over it; a file
// already there with the wanted checksum (or, without one, any file unless force) is left alone.
import { z } from 'zod';
import { applyPath, attrsDiffer, commandError, parseStat, type PathStat } from '../connection/fs-ops.js';
import { removingTemp, replaceArgv, siblingTemp } from '../connection/replace-file.js';
import { STAT_LINES } from '../connection/shell-lines.js';
import { attrFields, failed } from './support/common.js';
import { DOWNLOADER_LINES, downloadTo, fetchText, type Downloader, type Request } from './support/download.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';

const CHECKSUM = /^(md5|sha1|sha224|sha256|sha384|sha512):(.+)$/;
const HEX_LENGTH: Record<string, number> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };
const URL_SCHEME = /^(https?|ftp|file):\/\//;
const NO_LINE_BREAK = /^[^\r\n]*$/;

const schema = z
  .strictObject({
    url: z.string().regex(URL_SCHEME, 'expected an http, https, ftp or file URL').describe('URL to download (http, https, ftp or file).'),
    dest: z.string().min(1).describe('File to write; or an existing folder, where the file gets the last part of the URL path as its name.'),
    checksum: z
      .string()
      .regex(CHECKSUM, 'expected ALGORITHM:CHECKSUM, e.g. sha256:9f86d0... (md5, sha1, sha224, sha256, sha384, sha512), or ALGORITHM:URL of a checksum file')
      .optional()
      .describe('`sha256:HEX` (or md5, sha1, sha224, sha384, sha512), or `sha256:URL` of a checksum file: the download must have it, and a dest that has it is not downloaded again.'),
    force: z.boolean().default(false).describe('Download even when dest exists (it is replaced only when the content differs). Without a checksum an existing dest is otherwise kept.'),
    timeout: z.number().int().positive().default(10).describe('Seconds the download may take.'),
    headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected a header name'), z.string().regex(NO_LINE_BREAK, 'expected one line')).default({}).describe('Request headers.'),
    url_username: z.string().regex(NO_LINE_BREAK, 'expected one line').optional().describe('User for HTTP basic authentication.'),
    url_password: z.string().regex(NO_LINE_BREAK, 'expected one line').optional().describe('Password for HTTP basic authentication (sent on stdin, never on a command line or in messages).'),
    validate_certs: z.boolean().default(true).describe("Check the server's TLS certificate (false: accept any)."),
    ...attrFields,
  })
  .superRefine((a, ctx) => {
    const m = a.checksum === undefined ? undefined : CHECKSUM.exec(a.checksum);
    if (m && !URL_SCHEME.test(m[2]!) && !new RegExp(`^[0-9a-fA-F]{${HEX_LENGTH[m[1]!]}}$`).test(m[2]!)) {
      ctx.addIssue({ code: 'custom', path: ['checksum'], message: `expected ${HEX_LENGTH[m[1]!]} hex digits of ${m[1]} (or a URL of a checksum file) after "${m[1]}:"`, input: a.checksum });
    }
  });

type Args = z.infer<typeof schema>;

// The downloader the host has, the path the file goes to, its stat and sha256, and its checksum in $algo.
const PROBE_SCRIPT = [
  'dest=$1 name=$2 algo=$3 checksum=1',
  ...DOWNLOADER_LINES,
  'path=$dest; if [ -d "$dest" ]; then path=${dest%/}/$name; fi',
  'echo "$path"',
  'folder=${path%/*}; [ "$folder" != "$path" ] || folder=.; if [ -d "${folder:-/}" ]; then echo folder; else echo no-folder; fi',
  ...STAT_LINES,
  'if [ "$kind" = file ] && [ -n "$algo" ] && [ "$algo" != sha256 ]; then other=$("${algo}sum" <"$path") || exit 3; echo "${other%% *}"; fi',
].join('\n');

interface Probe {
  tool: Downloader | 'none';
  path: string;
  folder: boolean;
  st: PathStat;
  checksum?: string;
}

async function probe(ctx: ModuleContext, dest: string, name: string, algo: string): Promise<Probe> {
  const r = await ctx.conn.exec(['/bin/sh', '-c', PROBE_SCRIPT, 'sh', dest, name, algo], { become: ctx.become, signal: ctx.signal, ownScript: true });
  if (r.rc !== 0) throw commandError(`cannot stat ${dest}`, r);
  const [tool = 'none', path = dest, folder, head = '', ...rest] = r.stdout.replace(/\n$/, '').split('\n');
  const st = parseStat([head, rest[0] ?? ''].join('\n'));
  const other = algo && algo !== 'sha256' ? rest[1] : st.sha256;
  return { tool: tool as Probe['tool'], path, folder: folder === 'folder', st, ...(st.isFile && other ? { checksum: other } : {}) };
}

function request(a: Args, url = a.url): Request {
  return { url, headers: a.headers, username: a.url_username, password: a.url_password, validateCerts: a.validate_certs, timeout: a.timeout };
}

// The last part of a URL's path, as Ansible names a file downloaded into a folder.
export function urlFileName(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/, '').replace(/[?#].*$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

// Ansible's reading of a checksum file: `HASH  NAME` lines (a `*` before NAME is binary mode), the line naming the
// downloaded file; a file of one bare hash is that hash.
export function checksumFromFile(text: string, fileName: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines) {
    const [hash = '', name] = line.split(/\s+(.*)/);
    if (name !== undefined && name.replace(/^\*/, '').replace(/^\.\//, '') === fileName) return hash.toLowerCase();
  }
  const only = lines.length === 1 ? lines[0]!.split(/\s+/) : [];
  return only.length === 1 ? only[0]!.toLowerCase() : undefined;
}

interface Wanted {
  algo: string;
  checksum?: string;
}

async function wantedChecksum(a: Args, ctx: ModuleContext, tool: Downloader): Promise<Wanted | string> {
  const m = a.checksum === undefined ? undefined : CHECKSUM.exec(a.checksum);
  if (!m) return { algo: '' };
  const [, algo = '', value = ''] = m;
  if (!URL_SCHEME.test(value)) return { algo, checksum: value.toLowerCase() };
  const got = await fetchText(ctx, tool, request(a, value));
  if ('error' in got) return `cannot read the checksum file: ${got.error}`;
  const sum = checksumFromFile(got.text, urlFileName(a.url));
  if (!sum) return `the checksum file ${value} has no line for ${urlFileName(a.url)}`;
  return { algo, checksum: sum };
}

interface GetPlan {
  tool: Downloader;
  path: string;
  want: Wanted;
  /** dest as found. */
  st: PathStat;
  /** The file stays; only its mode, owner or group change. */
  attrsOnly: boolean;
}

export const getUrlModule = defineModule<Args, GetPlan>({
  name: 'get_url',
  description: 'Downloads a URL on the host (curl or wget) into a file, checked against a checksum; unchanged when the file is there with that checksum, or, without one, when it is there at all (unless force).',
  schema,
  argAliases: { username: 'url_username', password: 'url_password' },
  check: async (a, ctx) => {
    const name = urlFileName(a.url);
    const m = a.checksum === undefined ? undefined : CHECKSUM.exec(a.checksum);
    const found = await probe(ctx, a.dest, name, m?.[1] ?? '');
    if (found.path !== a.dest && !name) return { changes: false, outcome: failed(`${a.dest} is a folder and ${a.url} names no file; give dest a file name`) };
    if (!found.folder) return { changes: false, outcome: failed(`the folder of ${found.path} does not exist; create it first (file: state=directory)`) };
    if (found.st.isDir) return { changes: false, outcome: failed(`${found.path} is a folder; give dest a file name or an existing folder`) };
    if (found.tool === 'none') return { changes: false, outcome: failed('the host has neither curl nor wget; install one of them (e.g. with apt or package)') };
    const want = await wantedChecksum(a, ctx, found.tool);
    if (typeof want === 'string') return { changes: false, outcome: failed(want) };
    const data = { dest: found.path, url: a.url };
    const keep = found.st.isFile && (want.checksum !== undefined ? found.checksum === want.checksum : !a.force);
    if (keep) {
      const attrs = attrsDiffer(found.st, a);
      if (attrs.length === 0) return { changes: false, outcome: { msg: want.checksum ? 'file already exists with the checksum wanted' : 'file already exists', data } };
      return { changes: true, summary: `set ${attrs.join(', ')} of ${found.path}`, data: { tool: found.tool, path: found.path, want, st: found.st, attrsOnly: true } };
    }
    return { changes: true, summary: `download ${a.url} to ${found.path}`, data: { tool: found.tool, path: found.path, want, st: found.st, attrsOnly: false } };
  },
  apply: async (a, plan, ctx): Promise<ModuleOutcome> => {
    if (!plan) throw new Error('get_url: apply without a plan');
    const { path, want, st } = plan;
    const data = { dest: path, url: a.url };
    if (plan.attrsOnly) {
      await applyPath(ctx.conn, path, undefined, a, ctx.become);
      return { changed: true, msg: `attributes of ${path} set`, data };
    }
    const tmp = siblingTemp(path);
    return removingTemp(ctx.conn, tmp, ctx.become, async () => {
      const got = await downloadTo(ctx, plan.tool, request(a), tmp, want.algo);
      if (typeof got === 'string') return failed(got, { data });
      const drop = () => ctx.conn.exec(['rm', '-f', '--', tmp], { become: ctx.become });
      if (want.checksum !== undefined && got.checksum !== want.checksum) {
        await drop();
        return failed(`the checksum of ${a.url} did not match ${want.checksum}; it was ${got.checksum}. ${path} is unchanged`, { data });
      }
      const out = { ...data, size: got.size, sha256sum: got.sha256, ...(want.checksum !== undefined ? { checksum: `${want.algo}:${got.checksum}` } : {}) };
      if (st.sha256 === got.sha256) {
        await drop();
        const attrs = attrsDiffer(st, a);
        if (attrs.length) await applyPath(ctx.conn, path, undefined, a, ctx.become);
        return { changed: attrs.length > 0, msg: 'the download has the content the file has already', data: out };
      }
      const r = await ctx.conn.exec(replaceArgv({ dest: path, sha256: got.sha256, want: a }, tmp, { src: tmp, size: got.size }), { become: ctx.become, signal: ctx.signal, ownScript: true });
      if (r.rc !== 0) throw commandError(`cannot write ${path}`, r);
      return { changed: true, msg: `OK (${got.size} bytes)`, data: out };
    });
  },
});
