import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { hostKeyVerifier } from '../../src/connection/ssh/host-key.js';
import {
  checkHostKey,
  fingerprint,
  hashHostName,
  hostsFieldMatches,
  keyTypeOf,
  knownHostName,
  knownHostsFor,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from '../../src/connection/ssh/known-hosts.js';

function pub(type: 'ed25519' | 'rsa' | 'ecdsa'): { line: string; blob: Buffer } {
  const opts = type === 'rsa' ? { bits: 2048 } : type === 'ecdsa' ? { bits: 256 } : {};
  const { public: text } = ssh2.utils.generateKeyPairSync(type, opts as never);
  const [, b64] = text.trim().split(/\s+/);
  return { line: text.trim().split(/\s+/).slice(0, 2).join(' '), blob: Buffer.from(b64 as string, 'base64') };
}

const ed = pub('ed25519');
const ed2 = pub('ed25519');
const rsa = pub('rsa');
const ecdsa = pub('ecdsa');
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'omsrun-kh-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('known_hosts parsing and matching', () => {
  it('names non-22 ports [host]:port', () => {
    expect(knownHostName('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(knownHostName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });

  it('reads key types from the blob', () => {
    expect(keyTypeOf(ed.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(rsa.blob)).toBe('ssh-rsa');
    expect(keyTypeOf(ecdsa.blob)).toBe('ecdsa-sha2-nistp256');
  });

  it('computes the same SHA256 fingerprint as ssh-keygen -l', () => {
    const d = tmp();
    writeFileSync(join(d, 'k.pub'), `${ed.line} test\n`);
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(d, 'k.pub')], { encoding: 'utf8' });
    expect(out.split(' ')[1]).toBe(fingerprint(ed.blob));
  });

  it('matches plain, wildcard, negated and hashed names', () => {
    expect(hostsFieldMatches('a.example,10.0.0.1', '10.0.0.1')).toBe(true);
    expect(hostsFieldMatches('*.example', 'web.example')).toBe(true);
    expect(hostsFieldMatches('*.example,!db.example', 'db.example')).toBe(false);
    expect(hostsFieldMatches('[10.0.0.1]:2222', '10.0.0.1')).toBe(false);
    expect(hostsFieldMatches('[10.0.0.1]:2222', '[10.0.0.1]:2222')).toBe(true);
    const hashed = hashHostName('[10.0.0.1]:2222');
    expect(hashed).toMatch(/^\|1\|[^|]+\|[^|]+$/);
    expect(hostsFieldMatches(hashed, '[10.0.0.1]:2222')).toBe(true);
    expect(hostsFieldMatches(hashed, '10.0.0.1')).toBe(false);
  });

  it('reads entries hashed by ssh-keygen -H, including [host]:port names', () => {
    const file = join(tmp(), 'known_hosts');
    writeFileSync(file, `[10.0.0.5]:2222 ${ed.line}\n10.0.0.6 ${rsa.line}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    expect(entries.map((e) => e.hosts.slice(0, 3))).toEqual(['|1|', '|1|']);
    expect(checkHostKey(entries, '[10.0.0.5]:2222', ed.blob).status).toBe('match');
    expect(checkHostKey(entries, '10.0.0.5', ed.blob).status).toBe('unknown');
    expect(checkHostKey(entries, '10.0.0.6', rsa.blob).status).toBe('match');
  });

  it('reports match, unknown, changed and revoked', () => {
    const text = [
      '# comment',
      `10.0.0.1 ${ed.line}`,
      `${hashHostName('[10.0.0.2]:2222')} ${rsa.line}`,
      `@revoked * ${ed2.line}`,
      'garbage line',
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(checkHostKey(entries, '10.0.0.1', ed.blob).status).toBe('match');
    expect(checkHostKey(entries, '[10.0.0.2]:2222', rsa.blob).status).toBe('match');
    expect(checkHostKey(entries, '10.0.0.3', ecdsa.blob)).toEqual({ status: 'unknown', knownTypes: [] });
    const changed = checkHostKey(entries, '10.0.0.1', pub('ed25519').blob);
    expect(changed.status).toBe('changed');
    expect(changed.status === 'changed' && changed.entry.line).toBe(2);
    expect(checkHostKey(entries, '10.0.0.1', ecdsa.blob)).toEqual({ status: 'unknown', knownTypes: ['ssh-ed25519'] });
    expect(checkHostKey(entries, '10.0.0.9', ed2.blob).status).toBe('revoked');
  });

  it('prefers known key types in negotiation', () => {
    const algos = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
    expect(preferredHostKeyAlgorithms(algos, ['ssh-rsa'])).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256']);
  });
});

describe('host key policies', () => {
  it('strict refuses an unknown key with its fingerprint and the command to trust it', () => {
    const file = join(tmp(), 'known_hosts');
    const v = hostKeyVerifier('strict', file, '198.18.0.2', 2222);
    expect(v.verify(ed.blob)).toBe(false);
    expect(v.rejection).toBe(
      [
        `host key for 198.18.0.2 port 2222 is not known (ED25519 key ${fingerprint(ed.blob)} not in ${file}).`,
        `  hint: check the fingerprint, then trust it with: ssh-keyscan -p 2222 -t ed25519 198.18.0.2 >> ${file}`,
        '        or re-run with the accept-new host key policy to record it on first connect.',
      ].join('\n'),
    );
  });

  it('accept-new records an unknown key once, then matches it, and still refuses a changed one', () => {
    const file = join(tmp(), 'sub', 'known_hosts');
    expect(hostKeyVerifier('accept-new', file, '198.18.0.2', 2222).verify(ed.blob)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(`[198.18.0.2]:2222 ${ed.line}\n`);
    const again = hostKeyVerifier('accept-new', file, '198.18.0.2', 2222);
    expect(again.knownTypes).toEqual(['ssh-ed25519']);
    expect(again.verify(ed.blob)).toBe(true);
    const mitm = hostKeyVerifier('accept-new', file, '198.18.0.2', 2222);
    expect(mitm.verify(ed2.blob)).toBe(false);
    expect(mitm.rejection).toContain('@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @');
    expect(mitm.rejection).toContain(`Offending ED25519 key in ${file}:1`);
    expect(mitm.rejection).toContain(fingerprint(ed2.blob));
    expect(readFileSync(file, 'utf8')).toBe(`[198.18.0.2]:2222 ${ed.line}\n`);
  });

  it('strict accepts a hashed entry and refuses a changed key behind it', () => {
    const file = join(tmp(), 'known_hosts');
    writeFileSync(file, `${hashHostName('198.18.0.2')} ${ed.line}\n`);
    expect(hostKeyVerifier('strict', file, '198.18.0.2', 22).verify(ed.blob)).toBe(true);
    const v = hostKeyVerifier('strict', file, '198.18.0.2', 22);
    expect(v.verify(ed2.blob)).toBe(false);
    expect(v.rejection?.split('\n').slice(0, 4)).toEqual([
      'host key verification failed.',
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    ]);
  });

  it('off accepts anything and writes nothing', () => {
    const file = join(tmp(), 'known_hosts');
    expect(hostKeyVerifier('off', file, '198.18.0.2', 22).verify(ed.blob)).toBe(true);
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });
});

describe('known_hosts read once per change, per-host entries only', () => {
  const lines = [
    `web1,Web2 ${ed.line}`,
    `[web1]:2222 ${rsa.line}`,
    `${hashHostName('db1')} ${ecdsa.line}`,
    `*.lab,!bad.lab ${ed2.line}`,
    `@revoked web2 ${ed2.line}`,
    `@cert-authority * ${rsa.line}`,
    `# web1 ${ed2.line}`,
    `web1 ${ed2.line}`,
  ];
  const names = ['web1', 'web2', 'WEB1', knownHostName('web1', 2222), 'db1', 'a.lab', 'bad.lab', 'other'];

  it('hands each host the same verdicts as checking the whole file', () => {
    const file = join(tmp(), 'known_hosts');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const all = parseKnownHosts(readFileSync(file, 'utf8'));
    for (const name of names) {
      const mine = knownHostsFor(file, name);
      for (const key of [ed.blob, ed2.blob, rsa.blob, ecdsa.blob]) expect(checkHostKey(mine, name, key)).toEqual(checkHostKey(all, name, key));
    }
    expect(knownHostsFor(file, 'web1').map((e) => e.line)).toEqual([1, 8]);
    expect(knownHostsFor(file, 'a.lab').map((e) => e.line)).toEqual([4]);
    expect(knownHostsFor(join(tmp(), 'missing'), 'web1')).toEqual([]);
  });

  it('reads the file again once it changed (an accept-new append, an edit)', () => {
    const file = join(tmp(), 'known_hosts');
    writeFileSync(file, `web1 ${ed.line}\n`);
    expect(knownHostsFor(file, 'web9')).toEqual([]);
    const v = hostKeyVerifier('accept-new', file, 'web9', 22);
    expect(v.verify(rsa.blob)).toBe(true);
    expect(checkHostKey(knownHostsFor(file, 'web9'), 'web9', rsa.blob).status).toBe('match');
    writeFileSync(file, `web1 ${ed2.line}\n`);
    expect(checkHostKey(knownHostsFor(file, 'web1'), 'web1', ed.blob).status).toBe('changed');
  });
});
