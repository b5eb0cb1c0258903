import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/core/errors.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { uriModule } from '../../src/modules/uri.js';
import { getModule } from '../../src/modules/support/registry.js';
import { makeContext, remoteLike } from '../helpers/module-context.js';

let server: Server;
let base: string;
const seen: { method?: string; body: string; type?: string; auth?: string; basic?: string }[] = [];

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => resolve(b));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ method: req.method, body, type: req.headers['content-type'], auth: req.headers['x-token'] as string | undefined, basic: req.headers.authorization });
    if (req.url === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, n: 3 }));
    } else if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 3000);
    } else {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'text/plain' });
      res.end(`hello ${req.method}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  await new Promise((r) => s.close(r));
  return typeof addr === 'object' && addr ? addr.port : 0;
}

const ctxs = () => [
  ['fetch', makeContext()],
  ['curl', makeContext({ conn: remoteLike() })],
] as const;

describe('uri over curl', () => {
  it('keeps the URL, headers and body off the command line, and they arrive intact', async () => {
    const argvs: string[][] = [];
    const local = remoteLike();
    const conn = { ...local, exec: (argv: string[], o?: Parameters<typeof local.exec>[1]) => (argvs.push(argv), local.exec(argv, o)) };
    const body = 'line "one"\nback\\slash\ttab\r\u00e9';
    const out = await runModule(uriModule, { url: `${base}/echo?token=Q1w2e3`, method: 'POST', status_code: 201, headers: { 'X-Token': 's3cr"et\\x' }, body }, makeContext({ conn }));
    expect(out.failed, out.msg).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body, auth: 's3cr"et\\x' });
    expect(argvs).toHaveLength(1);
    expect(argvs[0]!.join(' ')).not.toMatch(/Q1w2e3|s3cr|back/);
  });
});

describe('uri', () => {
  it('GET parses JSON and never reports changed', async () => {
    for (const [, ctx] of ctxs()) {
      const out = await runModule(uriModule, { url: `${base}/json` }, ctx);
      expect(out).toMatchObject({ changed: false, data: { status: 200, json: { ok: true, n: 3 } } });
      expect(out.data?.content).toBeUndefined();
    }
  });

  it('returns content and checks expect_body', async () => {
    for (const [, ctx] of ctxs()) {
      const out = await runModule(uriModule, { url: `${base}/`, return_content: true, expect_body: 'hello' }, ctx);
      expect(out).toMatchObject({ changed: false, data: { status: 200, content: 'hello GET' } });
      const bad = await runModule(uriModule, { url: `${base}/`, expect_body: 'bye' }, ctx);
      expect(bad).toMatchObject({ failed: true, msg: "response body does not contain 'bye'" });
    }
  });

  it('fails on an unexpected status, accepts a listed one', async () => {
    for (const [, ctx] of ctxs()) {
      expect(await runModule(uriModule, { url: `${base}/missing` }, ctx)).toMatchObject({ failed: true, msg: 'status code was 404 and not [200]' });
      expect((await runModule(uriModule, { url: `${base}/missing`, status_code: [200, 404] }, ctx)).failed).toBeUndefined();
    }
  });

  it('POST sends a JSON body with headers and reports changed; check mode sends nothing', async () => {
    for (const [name, ctx] of ctxs()) {
      seen.length = 0;
      const args = { url: `${base}/items`, method: 'post', body: { a: 1 }, headers: { 'X-Token': 't1' }, status_code: 201 };
      const out = await runModule(uriModule, args, ctx);
      expect(out, name).toMatchObject({ changed: true, data: { status: 201 } });
      expect(seen, name).toEqual([{ method: 'POST', body: '{"a":1}', type: 'application/json', auth: 't1' }]);
      seen.length = 0;
      expect(await runModule(uriModule, args, makeContext({ checkMode: true }))).toEqual({ changed: true, msg: `POST ${base}/items` });
      expect(seen).toEqual([]);
    }
  });

  it('fails on timeout and on a refused connection', async () => {
    for (const [name, ctx] of ctxs()) {
      expect((await runModule(uriModule, { url: `${base}/slow`, timeout: 0.3 }, ctx)).msg).toBe(`request to ${base}/slow failed: timed out after 0.3s`);
      const url = `http://127.0.0.1:${await closedPort()}/`;
      const refused = await runModule(uriModule, { url }, ctx);
      expect(refused.msg?.startsWith(`request to ${url} failed: `)).toBe(true);
      expect(refused.msg, name).toMatch(/ECONNREFUSED|Couldn't connect to server/);
    }
  });

  it('stops at once when the task is interrupted (Ctrl-C or its timeout)', async () => {
    const stop = new AbortController();
    stop.abort();
    await expect(runModule(uriModule, { url: `${base}/slow` }, makeContext({ signal: stop.signal }))).rejects.toBeInstanceOf(InterruptedError);
  });

  it('answers to http too', () => {
    expect(getModule('http')).toBe(uriModule);
  });
});

describe('uri with basic authentication', () => {
  it.each(ctxs())('%s: sends url_username and url_password as a basic Authorization header, never on a command line', async (_name, ctx) => {
    const out = await runModule(uriModule, { url: `${base}/auth`, url_username: 'oms_tsdb', url_password: 'Tsdb#pw:1' }, ctx);
    expect(out.failed, out.msg).toBeUndefined();
    expect(seen.at(-1)?.basic).toBe(`Basic ${Buffer.from('oms_tsdb:Tsdb#pw:1').toString('base64')}`);
    expect(JSON.stringify(out)).not.toContain('Tsdb#pw');
  });
});

describe('uri over TLS: validate_certs and ca_path, by fetch and by curl', () => {
  let tlsServer: HttpsServer;
  let url = '';
  let dir = '';
  let ca = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'omsrun-uri-tls-'));
    ca = path.join(dir, 'crt.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', ca, '-days', '2', '-subj', '/CN=uri-test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    tlsServer = createHttpsServer({ cert: readFileSync(ca), key: readFileSync(key) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"healthy":true}');
    });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    const addr = tlsServer.address();
    url = `https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/health`;
  });
  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise((r) => tlsServer.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(ctxs())('%s: refuses an untrusted certificate, trusts it with ca_path, and skips the check with validate_certs: false', async (_name, ctx) => {
    const refused = await runModule(uriModule, { url, timeout: 5 }, ctx);
    expect(refused.failed).toBe(true);
    expect(refused.msg).toMatch(/self[- ]signed certificate/i);
    const trusted = await runModule(uriModule, { url, ca_path: ca, timeout: 5 }, ctx);
    expect(trusted.failed, trusted.msg).toBeUndefined();
    expect(trusted.data?.json).toEqual({ healthy: true });
    const unchecked = await runModule(uriModule, { url, validate_certs: false, timeout: 5 }, ctx);
    expect(unchecked.failed, unchecked.msg).toBeUndefined();
    expect(unchecked.data?.status).toBe(200);
  });

  it('a missing ca_path on the controller is named', async () => {
    const out = await runModule(uriModule, { url, ca_path: path.join(dir, 'none.pem') }, makeContext()).catch((e: Error) => ({ failed: true, msg: e.message }));
    expect(out.failed).toBe(true);
    expect(out.msg).toContain(`cannot read ${path.join(dir, 'none.pem')}`);
  });
});
