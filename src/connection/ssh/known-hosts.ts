// Host key checking against OpenSSH known_hosts files: plain, hashed and [host]:port entries.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number in the file. */
  line: number;
  marker?: '@revoked' | '@cert-authority';
  /** Comma-separated patterns, or one `|1|salt|hash` hashed name. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** What a check found: the key is known, was never seen, changed, or is revoked. */
export type HostKeyCheck =
  | { status: 'match'; entry: KnownHostEntry }
  | { status: 'unknown'; knownTypes: string[] }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

// The name OpenSSH stores: `host` on port 22, `[host]:port` elsewhere.
export function knownHostName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

// The algorithm name inside an SSH public key blob (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256).
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

// OpenSSH's `SHA256:...` fingerprint, as ssh-keygen -l prints it.
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

// Short label such as ED25519, RSA, ECDSA for messages.
export function keyLabel(keyType: string): string {
  if (keyType.startsWith('ecdsa')) return 'ECDSA';
  return keyType.replace(/^ssh-/, '').toUpperCase();
}

// Parses known_hosts text; bad lines are skipped as OpenSSH does.
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64) return;
    const key = Buffer.from(b64, 'base64');
    if (keyTypeOf(key) !== keyType) return;
    out.push({ line: i + 1, marker, hosts, keyType, key });
  });
  return out;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

// Does an entry's host field name this host (hashed names, wildcards and `!negation` included)?
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) matched = true;
  }
  return matched;
}

// Compares a presented key with the entries for one host name.
export function checkHostKey(entries: KnownHostEntry[], name: string, key: Buffer): HostKeyCheck {
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && hostsFieldMatches(e.hosts, name));
  const revoked = forHost.find((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { status: 'match', entry: same };
  const type = keyTypeOf(key);
  const changed = plain.find((e) => e.keyType === type);
  if (changed) return { status: 'changed', entry: changed };
  return { status: 'unknown', knownTypes: [...new Set(plain.map((e) => e.keyType))] };
}

// Reads a known_hosts file; a missing file is an empty list.
export function readKnownHosts(file: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** A parsed known_hosts file: plain host names indexed, hashed and wildcard entries kept for matching. */
interface KnownHostsIndex {
  stamp: string;
  byName: Map<string, KnownHostEntry[]>;
  others: KnownHostEntry[];
}

const indexes = new Map<string, KnownHostsIndex>();

function fileStamp(file: string): string | undefined {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function buildIndex(stamp: string, entries: KnownHostEntry[]): KnownHostsIndex {
  const byName = new Map<string, KnownHostEntry[]>();
  const others: KnownHostEntry[] = [];
  for (const e of entries) {
    if (e.marker === '@cert-authority') continue;
    if (/^\|1\||[*?!]/.test(e.hosts)) {
      others.push(e);
      continue;
    }
    for (const name of new Set(e.hosts.toLowerCase().split(','))) byName.set(name, [...(byName.get(name) ?? []), e]);
  }
  return { stamp, byName, others };
}

// The entries of a known_hosts file that name one host, in file order. The file is parsed once per change
// (not once per host), and only this host's entries are handed out, so N hosts cost N small lists, not N copies of the file.
export function knownHostsFor(file: string, name: string): KnownHostEntry[] {
  const stamp = fileStamp(file);
  if (stamp === undefined) return [];
  let index = indexes.get(file);
  if (index?.stamp !== stamp) {
    index = buildIndex(stamp, readKnownHosts(file));
    indexes.set(file, index);
  }
  const named = index.byName.get(name.toLowerCase()) ?? [];
  const matched = index.others.filter((e) => hostsFieldMatches(e.hosts, name));
  return matched.length ? [...named, ...matched].sort((a, b) => a.line - b.line) : named;
}

// Hashes a host name the way `HashKnownHosts yes` does (used by tests and by callers who want it).
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${mac}`;
}

// Appends one key for a host (accept-new); creates the file and its folder when missing.
export function appendKnownHost(file: string, name: string, key: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const text = readFileSync(file, 'utf8');
    if (text !== '' && !text.endsWith('\n')) prefix = '\n';
  } catch {
    /* new file */
  }
  appendFileSync(file, `${prefix}${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}

const RSA_ALGOS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

// Host key algorithms in ssh2's order, with the types already known for this host first (as OpenSSH does).
export function preferredHostKeyAlgorithms(defaults: readonly string[], knownTypes: readonly string[]): string[] {
  const wanted = new Set(knownTypes.flatMap((t) => (t === 'ssh-rsa' ? RSA_ALGOS : [t])));
  return [...defaults.filter((a) => wanted.has(a)), ...defaults.filter((a) => !wanted.has(a))];
}
