// HTTP checks and calls made from the host: fetch locally, curl (argv, no shell) elsewhere.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InterruptedError } from '../core/errors.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';
import { controllerRead, failed } from './support/common.js';
import { curlQuoted } from './support/download.js';

const schema = z.strictObject({
  url: z.url().describe('URL to request.'),
  method: z
    .string()
    .regex(/^[A-Za-z]+$/)
    .default('GET')
    .transform((m) => m.toUpperCase())
    .describe('HTTP method. Anything but GET and HEAD reports changed.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Request headers.'),
  body: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .optional()
    .describe('Request body: a string as is, an object or list sent as JSON.'),
  status_code: z
    .union([z.number().int(), z.array(z.number().int()).min(1)])
    .default(200)
    .describe('Status code(s) that count as success.'),
  return_content: z.boolean().default(false).describe('Return the body as `content` in the result.'),
  expect_body: z.string().optional().describe('Fail unless the response body contains this text.'),
  timeout: z.number().positive().default(30).describe('Seconds before the request is abandoned.'),
  follow_redirects: z.boolean().default(true).describe('Follow 3xx redirects.'),
  url_username: z.string().optional().describe('User for HTTP basic authentication (sent with the first request, as `force_basic_auth` does).'),
  url_password: z.string().optional().describe('Password for HTTP basic authentication (never on a command line or in messages).'),
  validate_certs: z.boolean().default(true).describe("Check the server's TLS certificate (false: accept any, as `curl -k`)."),
  ca_path: z.string().min(1).optional().describe('PEM file of the CA certificates to trust, on the host that makes the request (the controller with `delegate_to: localhost`).'),
});

type Args = z.infer<typeof schema>;

interface Response {
  status: number;
  contentType: string;
  content: string;
}

function requestBody(args: Args): { body?: string; headers: Record<string, string> } {
  const headers = { ...args.headers };
  if (args.url_username !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
    headers.Authorization = `Basic ${Buffer.from(`${args.url_username}:${args.url_password ?? ''}`).toString('base64')}`;
  }
  if (args.body === undefined) return { headers };
  if (typeof args.body === 'string') return { body: args.body, headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return { body: JSON.stringify(args.body), headers };
}

// Node's fetch cannot be told which certificates to trust: a request with TLS settings goes through undici's own fetch
// (the library Node's fetch is built on), loaded only then.
async function fetchFor(args: Args): Promise<{ fetch: typeof fetch; dispatcher?: unknown }> {
  if (args.validate_certs && args.ca_path === undefined) return { fetch };
  const ca = args.ca_path === undefined ? undefined : await controllerRead(args.ca_path, readFile(args.ca_path, 'utf8'));
  const undici = await import('undici');
  const dispatcher = new undici.Agent({ connect: { rejectUnauthorized: args.validate_certs, ...(ca ? { ca } : {}) } });
  return { fetch: undici.fetch as unknown as typeof fetch, dispatcher };
}

async function viaFetch(args: Args, ctx: ModuleContext): Promise<Response | string> {
  const { body, headers } = requestBody(args);
  const client = await fetchFor(args);
  try {
    const res = await client.fetch(args.url, {
      ...(client.dispatcher ? { dispatcher: client.dispatcher } : {}),
      method: args.method,
      headers,
      body,
      redirect: args.follow_redirects ? 'follow' : 'manual',
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(args.timeout * 1000)]),
    });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', content: await res.text() };
  } catch (err) {
    if (ctx.signal.aborted) throw new InterruptedError();
    if (err instanceof Error && err.name === 'TimeoutError') return `timed out after ${args.timeout}s`;
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    return cause;
  }
}

// The URL, headers and body go to curl as a config on stdin, never on its command line, where every user of the host
// could read a token in the process list.
export function curlRequest(args: Args): { argv: string[]; stdin: string } {
  const { body, headers } = requestBody(args);
  const argv = ['curl', '-sS', '--max-time', String(args.timeout), '-w', '\n%{http_code} %{content_type}'];
  argv.push(...(args.method === 'HEAD' ? ['--head', '-o', '/dev/null'] : ['-X', args.method]));
  if (args.follow_redirects) argv.push('-L');
  argv.push('--config', '-');
  const config = [`url = ${curlQuoted(args.url)}`, ...Object.entries(headers).map(([k, v]) => `header = ${curlQuoted(`${k}: ${v}`)}`)];
  if (body !== undefined) config.push(`data-binary = ${curlQuoted(body)}`);
  if (!args.validate_certs) config.push('insecure');
  if (args.ca_path !== undefined) config.push(`cacert = ${curlQuoted(args.ca_path)}`);
  return { argv, stdin: `${config.join('\n')}\n` };
}

async function viaCurl(args: Args, ctx: ModuleContext): Promise<Response | string> {
  const { argv, stdin } = curlRequest(args);
  const r = await ctx.conn.exec(argv, { stdin, signal: ctx.signal });
  if (r.rc === 28) return `timed out after ${args.timeout}s`;
  if (r.rc !== 0) return r.stderr.trim().replace(/^curl: \(\d+\) /, '') || `curl rc ${r.rc}`;
  const cut = r.stdout.lastIndexOf('\n');
  const [code = '0', ...type] = r.stdout.slice(cut + 1).split(' ');
  return { status: Number(code), contentType: type.join(' '), content: r.stdout.slice(0, cut) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function request(args: Args, ctx: ModuleContext, changed: boolean): Promise<ModuleOutcome> {
  const res = ctx.conn.capabilities.runsOnController ? await viaFetch(args, ctx) : await viaCurl(args, ctx);
  if (typeof res === 'string') return failed(`request to ${args.url} failed: ${res}`, { data: { status: -1, url: args.url } });
  const data: Record<string, unknown> = { status: res.status, url: args.url, content_type: res.contentType };
  if (/[/+]json\b/.test(res.contentType)) data.json = parseJson(res.content);
  if (args.return_content) data.content = res.content;
  const codes = Array.isArray(args.status_code) ? args.status_code : [args.status_code];
  if (!codes.includes(res.status)) {
    return failed(`status code was ${res.status} and not [${codes.join(', ')}]`, { data, changed });
  }
  if (args.expect_body !== undefined && !res.content.includes(args.expect_body)) {
    return failed(`response body does not contain '${args.expect_body}'`, { data, changed });
  }
  return { changed, msg: `${args.method} ${args.url}: ${res.status}`, data };
}

export const uriModule = defineModule<Args>({
  name: 'uri',
  aliases: ['http'],
  description: 'Makes an HTTP request from the host and checks the status and body.',
  schema,
  check: async (args, ctx) => {
    if (args.method === 'GET' || args.method === 'HEAD') return { changes: false, outcome: await request(args, ctx, false) };
    return { changes: true, summary: `${args.method} ${args.url}` };
  },
  apply: async (args, _plan, ctx) => request(args, ctx, true),
});
