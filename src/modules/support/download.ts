// Downloads on the host with curl or wget, whichever it has: the URL, headers and credentials travel on stdin as the
// tool's config, never on a command line.
import type { ExecResult } from '../../connection/connection.js';
import { SHA_LINES } from '../../connection/shell-lines.js';
import type { ModuleContext } from './module.js';

export type Downloader = 'curl' | 'wget';

/** What a request needs besides the tool. */
export interface Request {
  url: string;
  headers: Record<string, string>;
  username?: string;
  password?: string;
  validateCerts: boolean;
  timeout: number;
}

/** Prints `curl`, `wget` or `none`: the tool the host would download with. */
export const DOWNLOADER_LINES = [
  'if command -v curl >/dev/null 2>&1; then echo curl; elif command -v wget >/dev/null 2>&1; then echo wget; else echo none; fi',
];

// A curl config file's quoted string: backslash escapes for what would end or break the line.
export function curlQuoted(text: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  return `"${text.replace(/[\\"\n\r\t\v]/g, (c) => escapes[c] ?? c)}"`;
}

/** The tool's config, as its stdin: curl's `--config -` file; for wget the URL on the first line, then a wgetrc. */
export function downloadConfig(tool: Downloader, r: Request): string {
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`);
  const lines =
    tool === 'curl'
      ? [
          `url = ${curlQuoted(r.url)}`,
          ...headers.map((h) => `header = ${curlQuoted(h)}`),
          ...(r.username !== undefined ? [`user = ${curlQuoted(`${r.username}:${r.password ?? ''}`)}`] : []),
          ...(r.validateCerts ? [] : ['insecure']),
        ]
      : [
          r.url,
          ...headers.map((h) => `header = ${h}`),
          ...(r.username !== undefined ? [`user = ${r.username}`, `password = ${r.password ?? ''}`] : []),
          ...(r.validateCerts ? [] : ['check_certificate = off']),
        ];
  return `${lines.join('\n')}\n`;
}

// `fetch_to OUT` downloads the URL of the config on stdin into OUT (`-`: stdout) with $tool in $timeout seconds; on a
// failure it prints the tool's words and returns 6. A wget config lives in a private file beside OUT meanwhile.
const FETCH_LINES = [
  'fetch_to() {',
  '  if [ "$tool" = curl ]; then',
  '    err=$(curl -fsSL --max-time "$timeout" --config - -o "$1" 2>&1 >&3) || { echo "${err#curl: }" >&2; return 6; }',
  '  else',
  '    rc_file=$(mktemp) || return 6',
  '    IFS= read -r url; cat >"$rc_file"',
  '    err=$(printf \'%s\\n\' "$url" | WGETRC=$rc_file wget -nv -T "$timeout" -O "$1" -i - 2>&1 >&3) || { rm -f -- "$rc_file"; echo "$err" >&2; return 6; }',
  '    rm -f -- "$rc_file"',
  '  fi',
  '} 3>&1',
];

// Downloads into the private file $tmp and prints its size, sha256 and, when $algo is another, that checksum; removes
// $tmp when anything fails.
const DOWNLOAD_SCRIPT = [
  'tool=$1 tmp=$2 timeout=$3 algo=$4',
  `trap 'rm -f -- "$tmp"' EXIT`,
  'umask 077',
  ...SHA_LINES,
  ...FETCH_LINES,
  'fetch_to "$tmp" || exit',
  'size=$(wc -c <"$tmp") && sum=$(sha256_of "$tmp" "$size") || exit 4',
  'echo "$size"; echo "$sum"',
  'if [ -n "$algo" ] && [ "$algo" != sha256 ]; then other=$("${algo}sum" <"$tmp") || exit 4; echo "${other%% *}"; fi',
  'trap - EXIT',
].join('\n');

// Prints the document at the URL (a checksum file).
const FETCH_TEXT_SCRIPT = ['tool=$1 timeout=$2', ...FETCH_LINES, 'fetch_to -'].join('\n');

/** A downloaded temp file: its size, sha256 and the checksum of the algorithm asked for. */
export interface Downloaded {
  size: number;
  sha256: string;
  checksum: string;
}

function downloadError(url: string, r: ExecResult, timeout: number): string {
  if (r.timedOut || /timed out|Operation too slow/i.test(r.stderr)) return `the download of ${url} timed out after ${timeout}s`;
  // curl: `(22) The requested URL returned error: 404`; wget: the URL, then `DATE TIME ERROR 404: Not Found.`
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const why = last.replace(/^\(\d+\) /, '').replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, '');
  return `cannot download ${url}: ${why || `rc ${r.rc}`}`;
}

// The download into `tmp` on the host; a string is why it failed (nothing is left behind then).
export async function downloadTo(ctx: ModuleContext, tool: Downloader, req: Request, tmp: string, algo: string): Promise<Downloaded | string> {
  const argv = ['/bin/sh', '-c', DOWNLOAD_SCRIPT, 'sh', tool, tmp, String(req.timeout), algo];
  const r = await ctx.conn.exec(argv, { become: ctx.become, stdin: downloadConfig(tool, req), signal: ctx.signal });
  if (r.rc !== 0) return downloadError(req.url, r, req.timeout);
  const [size = '0', sha256 = '', other] = r.stdout.trim().split('\n');
  return { size: Number(size), sha256, checksum: algo && algo !== 'sha256' ? (other ?? '') : sha256 };
}

// A small document (a checksum file) read on the host, as text; a string prefixed `error:` says why it failed.
export async function fetchText(ctx: ModuleContext, tool: Downloader, req: Request): Promise<{ text: string } | { error: string }> {
  const argv = ['/bin/sh', '-c', FETCH_TEXT_SCRIPT, 'sh', tool, String(req.timeout)];
  const r = await ctx.conn.exec(argv, { become: ctx.become, stdin: downloadConfig(tool, req), signal: ctx.signal });
  return r.rc === 0 ? { text: r.stdout } : { error: downloadError(req.url, r, req.timeout) };
}
