import { describe, expect, it } from 'vitest';
import { EndMarker } from '../../src/connection/ssh/end-marker.js';
import { INLINE_STDIN_MAX, killFrame, sessionRequest, sessionStart, type RequestMarkers } from '../../src/connection/ssh/session-script.js';

const m: RequestMarkers = { prompt: '', ready: 'omsrun-ready-R', end: 'omsrun-end-E' };

function cut(chunks: string[]): { out: string[]; line?: string } {
  const out: string[] = [];
  const marker = new EndMarker(m.end, (b) => out.push(b.toString()));
  for (const chunk of chunks) marker.push(Buffer.from(chunk));
  return { out, line: marker.line };
}

describe('end marker', () => {
  it('passes bytes before the marker at once and reads the code after it, whatever the chunking', () => {
    expect(cut(['one\ntwo\n', 'omsrun-end-E 3\n'])).toEqual({ out: ['one\ntwo\n'], line: '3' });
    expect(cut(['tail omsrun-en', 'd-E 0', '\n'])).toEqual({ out: ['tail '], line: '0' });
    expect(cut(['omsrun-end-', 'X is no marker\n', 'omsrun-end-E\n'])).toEqual({ out: ['omsrun-end-X is no marker\n'], line: '' });
  });

  it('gives back every byte before the marker under any chunking, partial markers in the text included', () => {
    const text = 'a omsrun-e\nomsrun-end-omsrun-end-X\nomsrun-end-\nlast o';
    const whole = `${text}omsrun-end-E 7\n`;
    for (let seed = 1; seed <= 300; seed++) {
      const chunks: string[] = [];
      for (let at = 0, r = seed; at < whole.length; ) {
        r = (r * 1103515245 + 12345) % 2147483648;
        const size = 1 + (r % 9);
        chunks.push(whole.slice(at, at + size));
        at += size;
      }
      const got = cut(chunks);
      expect(got.out.join('')).toBe(text);
      expect(got.line).toBe('7');
    }
  });

  it('has no line until the marker line is whole; flush gives back a held partial marker', () => {
    expect(cut(['a', 'omsrun-end-E 1']).line).toBeUndefined();
    const out: string[] = [];
    const marker = new EndMarker(m.end, (b) => out.push(b.toString()));
    marker.push(Buffer.from('x omsrun'));
    marker.flush();
    expect(out).toEqual(['x ', 'omsrun']);
  });
});

describe('session frames', () => {
  const token = 'omsrun-token-T';

  it('runs the command in a background job whose inner subshell reports its pid, then prints the end marker on both streams', () => {
    expect(sessionRequest(['echo', 'a b'], { cwd: '/tmp' }, m, token)).toEqual({
      frame: [
        'R',
        `( ( read -r _p _ </proc/self/stat; echo "omsrun-ready-R $_p \${SHELL:-}" >&2; cd -- /tmp || exit; exec echo 'a b' ) </dev/null`,
        `rc=$?; printf '%s %s\\n' omsrun-end-E "$rc"; printf '%s\\n' omsrun-end-E >&2 ) &`,
        token,
        '',
      ].join('\n'),
      defines: undefined,
    });
    expect(sessionRequest(['env'], { env: { A: "it's" } }, m, token)?.frame).toContain(`exec env 'A=it'\\''s' env )`);
    expect(() => sessionRequest(['env'], { env: { 'A B': 'x' } }, m, token)).toThrow('expected an environment variable name, got "A B"');
  });

  it("defines omsrun's own scripts once as session functions and then sends only their name and arguments", () => {
    const argv = ['/bin/sh', '-c', 'echo "$1"', 'sh', "it's"];
    const first = sessionRequest(argv, { ownScript: true }, m, token);
    expect(first?.defines).toMatch(/^_omsrun_[0-9a-f]{16}$/);
    const fn = first?.defines as string;
    expect(first?.frame).toContain(`${fn}_text='echo "$1"'\ncommand eval "${fn}() {\n$${fn}_text\n}" 2>/dev/null || ${fn}() { /bin/sh -c "$${fn}_text" sh "$@"; }\n`);
    expect(first?.frame).toContain(`>&2; ${fn} 'it'\\''s' )`);
    const again = sessionRequest(argv, { ownScript: true }, m, token, new Set([fn]));
    expect(again?.defines).toBeUndefined();
    expect(again?.frame).not.toContain('_text');
    // Not marked as omsrun's own, or with variables to set: exec'ed as given.
    expect(sessionRequest(argv, {}, m, token)?.frame).toContain(`exec /bin/sh -c 'echo "$1"' sh 'it'\\''s' )`);
    expect(sessionRequest(argv, { ownScript: true, env: { V: '1' } }, m, token)?.frame).toContain('exec env V=1 /bin/sh -c');
  });

  it('puts small text stdin inline; streams, NUL bytes, invalid UTF-8, large input and the token take an exec channel', () => {
    expect(sessionRequest(['cat'], { stdin: "it's\n" }, m, token)?.frame).toContain(`printf %s 'it'\\''s\n' | ( read`);
    expect(sessionRequest(['cat'], { stdin: Buffer.from([0x61, 0]) }, m, token)).toBeUndefined();
    expect(sessionRequest(['cat'], { stdin: Buffer.from([0xff]) }, m, token)).toBeUndefined();
    expect(sessionRequest(['cat'], { stdin: 'a'.repeat(INLINE_STDIN_MAX + 1) }, m, token)).toBeUndefined();
    expect(sessionRequest(['echo', token], {}, m, token)).toBeUndefined();
    expect(sessionRequest(['/bin/sh', '-c', `echo ${token}`, 'sh'], { ownScript: true }, m, token)).toBeUndefined();
    expect(killFrame(42)).toBe('K 42\n');
  });

  it('starts the server with exec, or under sudo with the prompt only when a password answers it', () => {
    const plain = sessionStart(['/bin/sh']);
    expect(plain.command.startsWith(`exec /bin/sh -c 'token=$1 hello=$2`)).toBe(true);
    expect(plain.command.endsWith(` sh ${plain.token} ${plain.hello}`)).toBe(true);
    const pw = sessionStart(['/bin/sh'], { user: 'app', password: 'secret' });
    expect(pw.command).toMatch(/^sudo -S -p '\[omsrun-sudo-[0-9a-f]+\] password:' -u app -- \/bin\/sh -c /);
    expect(pw.command).not.toContain('secret');
    expect(sessionStart(['/bin/sh'], { user: 'app' })).toMatchObject({ prompt: undefined });
    expect(sessionStart(['/bin/sh'], { user: 'app' }).command.startsWith('sudo -n -u app -- /bin/sh')).toBe(true);
  });
});
