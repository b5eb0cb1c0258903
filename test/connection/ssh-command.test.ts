import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { directCommand, killArgv, POSIX_LOGIN_SHELL, remoteArgv, remoteCommand } from '../../src/connection/ssh/remote-command.js';
import { replaceArgv, siblingTemp } from '../../src/connection/replace-file.js';

const m = { prompt: '[omsrun-sudo-1] password:', ready: 'omsrun-ready-1' };
const wrap = 'echo "omsrun-ready-1 $$ ${SHELL:-}" >&2; exec "$@"';
const wrapCd = 'echo "omsrun-ready-1 $$ ${SHELL:-}" >&2; cd -- "$1" && shift && exec "$@"';

describe('remote command lines', () => {
  it('wraps argv to learn the pid, with cwd and env as arguments', () => {
    expect(remoteArgv(['ls', '-l'], {}, m)).toEqual(['sh', '-c', wrap, 'sh', 'ls', '-l']);
    expect(remoteArgv(['ls'], { cwd: '/tmp/a b', env: { A: 'x y' } }, m)).toEqual(['sh', '-c', wrapCd, 'sh', '/tmp/a b', 'env', 'A=x y', 'ls']);
  });

  it('puts sudo in front: -S with a prompt marker when there is a password, -n otherwise', () => {
    expect(remoteArgv(['id'], { become: { user: 'root', password: 'pw' } }, m).slice(0, 7)).toEqual(['sudo', '-S', '-p', m.prompt, '-u', 'root', '--']);
    expect(remoteArgv(['id'], { become: { user: 'app' } }, m).slice(0, 5)).toEqual(['sudo', '-n', '-u', 'app', '--']);
    expect(remoteCommand(['id'], { become: { user: 'root', password: 'secret-pw' } }, m)).not.toContain('secret-pw');
  });

  it('rejects bad env names and an empty argv', () => {
    expect(() => remoteArgv(['x'], { env: { 'A;B': '1' } }, m)).toThrow('env.A;B: expected an environment variable name, got "A;B"');
    expect(() => remoteArgv([], {}, m)).toThrow('argv: expected a command, got an empty argv');
  });

  it('delivers hostile values literally through a real sh', () => {
    const hostile = ['; rm -rf /tmp/x', '$(touch /tmp/pwned)', '`id`', `it's "quoted"`, 'two\nlines', '-n', ''];
    const line = remoteCommand(['printf', '%s|', ...hostile], { env: { V: '$(id)' }, cwd: '/' }, m);
    const out = execFileSync('sh', ['-c', line], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out).toBe(`${hostile.join('|')}|`);
  });

  it('builds the kill and put helpers from argv', () => {
    expect(killArgv(42).slice(-2)).toEqual(['sh', '42']);
    expect(replaceArgv({ dest: '/d', sha256: 'abc', want: { mode: '640', owner: '007' } }, '/t', { src: '/s', size: 5 }).slice(3)).toEqual(['sh', '/d', '/t', 'abc', '0640', '7', '', '/s', '5']);
    expect(siblingTemp('/etc/app/conf.yml')).toMatch(/^\/etc\/app\/\.conf\.yml\.omsrun-[0-9a-f]{12}$/);
  });

  it('hands an own script to a POSIX login shell directly, with the same arguments, output, exit code and ready line', () => {
    const script = 'printf "%s|" "$@"; echo err >&2; exit 7';
    const args = ['a b', '$(id)', "it's", '-n', ''];
    const argv = ['/bin/sh', '-c', script, 'sh', ...args];
    for (const shell of ['bash', 'dash']) {
      const run = (line: string) => {
        const r = spawnSync(shell, ['-c', line], { encoding: 'utf8', env: { ...process.env, SHELL: `/bin/${shell}` } });
        return { rc: r.status, stdout: r.stdout, stderr: r.stderr.replace(/omsrun-ready-1 \d+ /, 'READY ') };
      };
      expect(run(directCommand(argv, { ownScript: true }, m)!)).toEqual(run(remoteCommand(argv, {}, m)));
      expect(run(directCommand(argv, { ownScript: true }, m)!)).toEqual({ rc: 7, stdout: `${args.join('|')}|`, stderr: `READY /bin/${shell}\nerr\n` });
    }
    expect(directCommand(['/bin/sh', '-c', 'true', 'sh'], { ownScript: true }, m)).toBe('set -- \necho "omsrun-ready-1 $$ ${SHELL:-}" >&2\ntrue');
  });

  it('in a POSIX login shell, execs any other argv as given: hostile values, cwd, env, and user sh scripts run by /bin/sh', () => {
    const hostile = ['; rm -rf /tmp/x', '$(touch /tmp/pwned)', '`id`', `it's "quoted"`, 'two\nlines', '-n', ''];
    for (const shell of ['bash', 'dash']) {
      const run = (line: string) => execFileSync(shell, ['-c', line], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const line = directCommand(['printf', '%s|', ...hostile], { env: { V: '$(id)' }, cwd: '/' }, m)!;
      expect(run(line)).toBe(`${hostile.join('|')}|`);
      expect(run(directCommand(['sh', '-c', 'echo "$V $(pwd)"'], { env: { V: '$(id)' }, cwd: '/usr' }, m)!)).toBe('$(id) /usr\n');
      // Not an own script: exec'ed as /bin/sh with its own $0, never inlined into the login shell.
      expect(run(directCommand(['/bin/sh', '-c', 'echo "$0 $1"', 'name', 'x y'], {}, m)!)).toBe('name x y\n');
    }
  });

  it('keeps sudo in front of the /bin/sh wrapper: become is never direct', () => {
    expect(directCommand(['/bin/sh', '-c', 'true', 'sh'], { become: { user: 'root' }, ownScript: true }, m)).toBeUndefined();
    expect(directCommand(['id'], { become: { user: 'app', password: 'pw' } }, m)).toBeUndefined();
    expect(['/bin/bash', '/usr/bin/dash', '/bin/sh', 'bash'].filter((x) => POSIX_LOGIN_SHELL.test(x))).toHaveLength(4);
    expect(['/usr/bin/fish', '/bin/csh', '/bin/rbash', '/usr/bin/zsh', '', '/bin/false'].filter((x) => POSIX_LOGIN_SHELL.test(x))).toEqual([]);
  });
});
