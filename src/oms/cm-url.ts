// cm_url as the interactive tool takes it: `http://` optional, host and port together or apart, always port 8088.
import { isIP } from 'node:net';
import { describeValue } from '../core/key-path.js';
import { parseHost, type Problem } from './fields.js';

/** The CM port every node serves and cm_url must point at. */
export const CM_PORT = 8088;

/** What the user wrote: `cm_url`, or `cm_url_host` and `cm_url_port`. */
export interface CmUrlInput {
  cm_url?: unknown;
  cm_url_host?: unknown;
  cm_url_port?: unknown;
}

/** A normalised cm_url: `http://HOST:8088`. */
export interface CmUrl {
  url: string;
  host: string;
  port: number;
}

function given(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function hostPort(text: string): { host: string; port?: string } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] };
  if (isIP(text) === 6) return { host: text };
  const parts = text.split(':');
  if (parts.length > 2) return undefined;
  return { host: parts[0] as string, port: parts[1] };
}

function withHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function build(path: string, host: string, portText: string | undefined): CmUrl | Problem {
  if (!parseHost(host)) return { path, message: `expected a VIP or domain name, got ${describeValue(host)}` };
  const port = portText === undefined || portText === '' ? CM_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { path, message: `expected a port number, got ${describeValue(portText)}` };
  if (port !== CM_PORT) {
    return { path, message: `expected the CM port ${CM_PORT} (8089 is the web console), got ${port}` };
  }
  return { url: `http://${withHost(host)}:${CM_PORT}`, host, port };
}

// Accepts `VIP`, `VIP:8088`, `http://VIP:8088/`, or cm_url_host + cm_url_port; anything else is a problem.
export function normaliseCmUrl(input: CmUrlInput): CmUrl | Problem | undefined {
  const hasUrl = given(input.cm_url);
  const hasParts = given(input.cm_url_host) || given(input.cm_url_port);
  if (hasUrl && hasParts) {
    return { path: 'cm_url', message: 'expected either cm_url or cm_url_host with cm_url_port, got both' };
  }
  if (hasParts) {
    if (!given(input.cm_url_host)) return { path: 'cm_url_host', message: 'missing; expected the VIP or domain name that cm_url_port belongs to' };
    const raw = input.cm_url_host;
    if (typeof raw !== 'string') return { path: 'cm_url_host', message: `expected a VIP or domain name, got ${describeValue(raw)}` };
    const host = raw.trim().replace(/^http:\/\//i, '').replace(/\/+$/, '');
    const port = given(input.cm_url_port) ? String(input.cm_url_port).trim() : undefined;
    return build(given(input.cm_url_port) ? 'cm_url_port' : 'cm_url_host', host, port);
  }
  if (!hasUrl) return undefined;
  if (typeof input.cm_url !== 'string') return { path: 'cm_url', message: `expected a URL such as http://VIP:8088, got ${describeValue(input.cm_url)}` };
  const text = input.cm_url.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (scheme && scheme[1]?.toLowerCase() !== 'http') {
    return { path: 'cm_url', message: `expected http:// or no scheme (CM on ${CM_PORT} speaks plain HTTP), got ${describeValue(text)}` };
  }
  const rest = text.slice(scheme ? scheme[0].length : 0).replace(/\/+$/, '');
  const hp = rest.includes('/') ? undefined : hostPort(rest);
  if (!hp) return { path: 'cm_url', message: `expected http://HOST:${CM_PORT} (a VIP or domain, no path), got ${describeValue(text)}` };
  return build('cm_url', hp.host, hp.port);
}

const LOOPBACK = /^(localhost|127(\.\d+){3}|::1|0\.0\.0\.0|::)$/i;

// With two or more nodes cm_url must reach all of them: the VIP or a domain, never loopback or one node.
export function multiNodeCmUrlProblem(cm: CmUrl, nodes: { name: string; ips: string[] }[], path: string, count = nodes.length): Problem | undefined {
  if (count < 2) return undefined;
  if (LOOPBACK.test(cm.host)) {
    return { path, message: `expected the VIP or a domain in front of every node, got the loopback address ${cm.host} (wrong for ${count} nodes)` };
  }
  const owner = nodes.find((n) => n.ips.includes(cm.host));
  if (owner) {
    return { path, message: `expected the VIP or a domain in front of every node, got ${owner.name}'s own address ${cm.host}` };
  }
  return undefined;
}
