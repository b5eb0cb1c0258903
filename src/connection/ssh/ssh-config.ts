// Merges an inventory host with ~/.ssh/config (HostName, User, Port, IdentityFile, ProxyJump); inventory wins.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { ConfigError } from '../../core/errors.js';
import type { SshTarget, SshTargetSpec } from './target.js';

type Computed = Record<string, string | string[]>;

const MAX_HOPS = 8;

function loadConfig(path: string): SSHConfig | undefined {
  try {
    return SSHConfig.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function expandPath(p: string, tokens: { h: string; r: string }): string {
  const home = homedir();
  const withTokens = p.replace(/%([%dhru])/g, (_, t: string) =>
    t === '%' ? '%' : t === 'd' ? home : t === 'h' ? tokens.h : t === 'r' ? tokens.r : userInfo().username,
  );
  return withTokens === '~' ? home : withTokens.replace(/^~\//, `${home}/`);
}

function parsePort(value: string | number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ConfigError(`expected a port number 1-65535, got ${JSON.stringify(value)}`, { keyPath: what });
  }
  return n;
}

// Parses one ProxyJump hop: `[user@]host[:port]` or `[user@][v6addr][:port]`.
export function parseJumpHop(hop: string): SshTargetSpec {
  const m = /^(?:([^@]+)@)?(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(hop.trim());
  if (!m) throw new ConfigError(`expected [user@]host[:port], got ${JSON.stringify(hop)}`, { keyPath: 'jump' });
  const host = (m[2] ?? m[3]) as string;
  return { host, user: m[1], port: parsePort(m[4], 'jump') };
}

function defaultIdentity(): string | undefined {
  const dir = join(homedir(), '.ssh');
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(dir, f)).find((f) => existsSync(f));
}

function resolveOne(spec: SshTargetSpec, cfg: SSHConfig | undefined, depth: number, fallbackKey?: string): SshTarget {
  if (depth > MAX_HOPS) {
    throw new ConfigError(`more than ${MAX_HOPS} jump hosts (is ProxyJump looping?)`, { keyPath: 'jump' });
  }
  const lookup = spec.address ?? spec.host;
  const c: Computed = cfg ? cfg.compute(lookup, { ignoreCase: true, matchExec: false }) : {};
  const address = spec.address ?? first(c.hostname)?.replace(/%h/g, lookup) ?? lookup;
  const user = spec.user ?? first(c.user) ?? userInfo().username;
  const port = spec.port ?? parsePort(first(c.port), `ssh_config ${lookup} Port`) ?? 22;
  const ids = Array.isArray(c.identityfile) ? c.identityfile : c.identityfile ? [c.identityfile] : [];
  const fromConfig = ids.map((p) => expandPath(p, { h: address, r: user })).find((p) => existsSync(p));
  const target: SshTarget = {
    host: spec.host,
    address,
    port,
    user,
    password: spec.password,
    privateKeyFile: spec.privateKeyFile ?? fromConfig ?? fallbackKey ?? defaultIdentity(),
    passphrase: spec.passphrase,
    agent: spec.agent ?? process.env.SSH_AUTH_SOCK,
    hostKeyPolicy: spec.hostKeyPolicy ?? 'strict',
    knownHostsFile: spec.knownHostsFile,
    connectTimeoutMs: spec.connectTimeoutMs ?? 10_000,
    keepaliveIntervalMs: spec.keepaliveIntervalMs ?? 15_000,
  };
  const jump = spec.jump ?? first(c.proxyjump);
  if (jump !== undefined && jump !== 'none') target.jump = resolveJump(jump, spec, cfg, depth, target.privateKeyFile);
  return target;
}

function resolveJump(jump: string | SshTargetSpec, from: SshTargetSpec, cfg: SSHConfig | undefined, depth: number, key?: string): SshTarget {
  const inherit = { hostKeyPolicy: from.hostKeyPolicy, knownHostsFile: from.knownHostsFile, connectTimeoutMs: from.connectTimeoutMs, keepaliveIntervalMs: from.keepaliveIntervalMs };
  if (typeof jump !== 'string') return resolveOne({ ...inherit, ...jump }, cfg, depth + 1, key);
  const hops = jump.split(',').map(parseJumpHop);
  let prev: SshTargetSpec | undefined;
  for (const hop of hops) {
    prev = { ...inherit, ...hop, ...(prev ? { jump: prev } : {}) };
  }
  return resolveOne(prev as SshTargetSpec, cfg, depth + 1, key);
}

// Resolves an inventory host into a full SshTarget using ~/.ssh/config (or the given file).
export function resolveSshTarget(spec: SshTargetSpec, sshConfigPath: string = join(homedir(), '.ssh', 'config')): SshTarget {
  return resolveOne(spec, loadConfig(sshConfigPath), 0);
}
