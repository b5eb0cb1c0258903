// Builds the one shell line sent over SSH from argv, cwd, env and become; quoting happens only here.
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { sudoArgv } from '../become.js';
import type { Become } from '../connection.js';
import { quoteArgv } from '../quote.js';

/** Markers a command line was built with: sudo's prompt and the line the wrapper prints once running. */
export interface CommandMarkers {
  /** Passed to `sudo -p`; seen on stderr when sudo wants the password. */
  prompt: string;
  /** The wrapper writes `<ready> <pid> <login shell>` to stderr right before exec'ing the command. */
  ready: string;
}

/** What remoteCommand needs. */
export interface RemoteCommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  become?: Become;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Fresh random markers per command, so command output can never fake them.
export function newMarkers(): CommandMarkers {
  const id = randomBytes(8).toString('hex');
  return { prompt: `[omsrun-sudo-${id}] password:`, ready: `omsrun-ready-${id}` };
}

// The wrapper's first line: its pid (to kill a timed-out command) and the login shell sshd started (see directCommand).
function readyLine(markers: CommandMarkers): string {
  return `echo "${markers.ready} $$ \${SHELL:-}" >&2`;
}

/** Login shells that run the wrapper (and omsrun's own POSIX scripts) as /bin/sh would. */
export const POSIX_LOGIN_SHELL = /(?:^|\/)(?:bash|dash|sh)$/;

/** An argv `/bin/sh -c SCRIPT $0 ARGS...` (or `sh -c ...`), taken apart. */
export interface ShScript {
  script: string;
  zero: string;
  args: string[];
}

/** The script, its $0 and its arguments when argv runs a script in sh; undefined for any other command. */
export function shScript(argv: readonly string[]): ShScript | undefined {
  if (argv.length < 4 || (argv[0] !== '/bin/sh' && argv[0] !== 'sh') || argv[1] !== '-c') return undefined;
  return { script: argv[2] as string, zero: argv[3] as string, args: argv.slice(4) };
}

/** Whether a command sets environment variables. */
export function hasEnv(env: Record<string, string> | undefined): boolean {
  return env !== undefined && Object.keys(env).length > 0;
}

// `/bin/sh -c SCRIPT $0 ARGS...` runs inside the wrapper shell itself: one process start less per command on the host.
function inlineScript(argv: readonly string[], opts: RemoteCommandOptions): ShScript | undefined {
  return opts.cwd === undefined && !hasEnv(opts.env) ? shScript(argv) : undefined;
}

/** argv run through `env NAME=value ...` when there are variables to set (names checked). */
export function withEnv(argv: readonly string[], env: Record<string, string> | undefined): string[] {
  const pairs = Object.entries(env ?? {}).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new ConfigError(`expected an environment variable name, got ${JSON.stringify(k)}`, { keyPath: `env.${k}` });
    return `${k}=${v}`;
  });
  return pairs.length ? ['env', ...pairs, ...argv] : [...argv];
}

/** An argv that is no command at all is a bug of its caller, refused before anything is sent. */
export function checkArgv(argv: readonly string[]): void {
  if (argv.length === 0) throw new ConfigError('expected a command, got an empty argv', { keyPath: 'argv' });
}

// The wrapper: a script that reports its pid, cd's and execs "$@", and what "$0" and "$@" hold for it. inline: an
// `sh -c SCRIPT` argv becomes the wrapper script itself instead of a command it execs.
function wrapper(argv: readonly string[], opts: RemoteCommandOptions, markers: CommandMarkers, inline: ShScript | undefined): ShScript {
  checkArgv(argv);
  if (inline) return { script: `${readyLine(markers)}\n${inline.script}`, zero: inline.zero, args: inline.args };
  const inner = withEnv(argv, opts.env);
  const cd = opts.cwd !== undefined ? 'cd -- "$1" && shift && ' : '';
  return { script: `${readyLine(markers)}; ${cd}exec "$@"`, zero: 'sh', args: [...(opts.cwd !== undefined ? [opts.cwd] : []), ...inner] };
}

/**
 * The command line when the login shell is POSIX (and no sudo comes between): the login shell runs the wrapper itself
 * instead of starting /bin/sh for it, one process start less per command. Only omsrun's own scripts (ownScript) are
 * inlined into it; anything else is exec'ed from it as argv, exactly as the /bin/sh wrapper would.
 */
export function directCommand(argv: readonly string[], opts: RemoteCommandOptions & { ownScript?: boolean }, markers: CommandMarkers): string | undefined {
  if (opts.become) return undefined;
  const w = wrapper(argv, opts, markers, opts.ownScript ? inlineScript(argv, opts) : undefined);
  return `set -- ${quoteArgv(w.args)}\n${w.script}`;
}

// The argv that runs on the host: sudo (maybe), then a tiny sh wrapper that reports its pid, cd's and execs.
export function remoteArgv(argv: readonly string[], opts: RemoteCommandOptions, markers: CommandMarkers): string[] {
  const w = wrapper(argv, opts, markers, inlineScript(argv, opts));
  const wrapped = ['sh', '-c', w.script, w.zero, ...w.args];
  return opts.become ? [...sudoArgv(opts.become, markers.prompt), ...wrapped] : wrapped;
}

// The quoted command line for channel exec.
export function remoteCommand(argv: readonly string[], opts: RemoteCommandOptions, markers: CommandMarkers): string {
  return quoteArgv(remoteArgv(argv, opts, markers));
}

// The argv that kills a timed-out command's process group (and the pid itself), run on a second channel.
export function killArgv(pid: number): string[] {
  const script = 'pg=$(ps -o pgid= -p "$1" 2>/dev/null | tr -d " "); kill -KILL "-${pg:-$1}" "$1" 2>/dev/null; exit 0';
  return ['sh', '-c', script, 'sh', String(pid)];
}
