// The session server (a POSIX sh loop started once per channel) and the request text streamed to it: pure data.
import { createHash, randomBytes } from 'node:crypto';
import { sudoArgv } from '../become.js';
import type { Become, ExecOptions } from '../connection.js';
import { quoteArg, quoteArgv } from '../quote.js';
import { checkArgv, hasEnv, shScript, withEnv, type CommandMarkers } from './remote-command.js';

/**
 * Printed on stderr, then exit 3, when the host's shell cannot run the session: the transport falls back to exec
 * channels for that host.
 */
export const UNSUPPORTED = 'omsrun-session-unsupported:';

/**
 * The server, run as `SHELL -c SERVER sh TOKEN HELLO`. It reports `HELLO <pid> <login shell>` on stderr, then reads
 * frames from stdin: `R` followed by request lines up to a line holding TOKEN (eval'ed: a request may define a script
 * function, then starts one background job), or `K <pid>` (kill that process and its descendants). A job forks once
 * more for its command (the inner subshell, which reports its own pid from /proc/self/stat and runs the command: a
 * script function of omsrun's own in place, anything else exec'ed), with the session's stdout and stderr as its own,
 * then prints its end marker with the exit code on stdout and the marker alone on stderr. `wait` reaps the previous
 * job before the next request. No process starts on the host for a request but the command's own.
 *
 * The kill stops a process before listing its children (from /proc/PID/stat, by parent pid), so nothing it forks
 * meanwhile escapes, then stops and kills them depth first. A process whose parent had already exited (a daemon the
 * command left behind) is no longer the command's and is left alone.
 */
export const SESSION_SERVER = [
  'token=$1 hello=$2',
  `[ -r /proc/self/stat ] || { echo "${UNSUPPORTED} /proc/self/stat is not readable" >&2; exit 3; }`,
  '_omsrun_kids() { _kp=$1 _k=; for _f in /proc/[0-9]*/stat; do { read -r _l <"$_f"; } 2>/dev/null || continue; set -- ${_l##*") "}; [ "$2" = "$_kp" ] && { _d=${_f%/stat}; _k="$_k ${_d#/proc/}"; }; done; echo $_k; }',
  '_omsrun_kill() { kill -STOP "$1" 2>/dev/null; for _c in $(_omsrun_kids "$1"); do _omsrun_kill "$_c"; done; kill -KILL "$1" 2>/dev/null; }',
  'echo "$hello $$ ${SHELL:-}" >&2',
  'while IFS= read -r frame; do',
  '  case $frame in',
  '    R) wait; request=; while IFS= read -r line; do [ "$line" = "$token" ] && break; request="$request$line',
  '"; done; eval "$request" ;;',
  '    "K "*) _omsrun_kill "${frame#K }" ;;',
  `    *) echo "${UNSUPPORTED} unexpected frame" >&2; exit 2 ;;`,
  '  esac',
  'done',
].join('\n');

/** What one session channel is started with. */
export interface SessionStart {
  /** The channel's command line. */
  command: string;
  /** Ends every request; a request holding it is never sent through the session. */
  token: string;
  /** The hello marker on stderr (the become handshake's marker). */
  hello: string;
  /** sudo's prompt, when a password answers it. */
  prompt?: string;
}

// A fresh token and hello marker; sudo (maybe) runs the shell that runs the server.
export function sessionStart(shell: readonly string[], become?: Become): SessionStart {
  const id = randomBytes(16).toString('hex');
  const token = `omsrun-token-${id}`;
  const hello = `omsrun-hello-${id}`;
  const prompt = `[omsrun-sudo-${id}] password:`;
  const server = [...shell, '-c', SESSION_SERVER, 'sh', token, hello];
  if (!become) return { command: `exec ${quoteArgv(server)}`, token, hello };
  return { command: quoteArgv([...sudoArgv(become, prompt), ...server]), token, hello, prompt: become.password !== undefined ? prompt : undefined };
}

/** The markers of one request: the wrapper's ready line (pid) and the end marker on both streams. */
export interface RequestMarkers extends CommandMarkers {
  end: string;
}

// Fresh random markers per request, so command output can never fake them.
export function requestMarkers(): RequestMarkers {
  const id = randomBytes(12).toString('hex');
  return { prompt: '', ready: `omsrun-ready-${id}`, end: `omsrun-end-${id}` };
}

/**
 * Largest stdin sent inline in a request (the server's shell reads a request a byte at a time, about 1 ms per 2 KB on
 * the lab; an exec channel costs some 5 ms of host CPU); larger input, a stream or bytes that are no NUL-free UTF-8
 * take an exec channel.
 */
export const INLINE_STDIN_MAX = 8 * 1024;

// stdin as text the shell can hold in a quoted word, or undefined when it cannot go inline.
function inlineStdin(stdin: ExecOptions['stdin']): string | undefined {
  if (stdin === undefined) return '';
  if (typeof stdin !== 'string' && !Buffer.isBuffer(stdin)) return undefined;
  if (stdin.length > INLINE_STDIN_MAX) return undefined;
  const text = typeof stdin === 'string' ? stdin : stdin.toString('utf8');
  if (Buffer.isBuffer(stdin) && !Buffer.from(text, 'utf8').equals(stdin)) return undefined;
  return text.includes('\0') ? undefined : text;
}

/** One request's frame, and the script function it defines in the session (undefined: none new). */
export interface SessionRequest {
  frame: string;
  defines?: string;
}

// The name of the session function that holds one of omsrun's own scripts.
function scriptFunction(script: string): string {
  return `_omsrun_${createHash('sha1').update(script).digest('hex').slice(0, 16)}`;
}

/**
 * Defines a script of omsrun's own as a function of the session, so later requests send only its name and
 * arguments. Its text is kept in a variable: a text the shell cannot take as a function body runs through `sh -c`
 * instead, with the errors sh gives.
 */
function defineScript(fn: string, script: string): string {
  const text = `${fn}_text`;
  return `${text}=${quoteArg(script)}\ncommand eval "${fn}() {\n\$${text}\n}" 2>/dev/null || ${fn}() { /bin/sh -c "$${text}" sh "$@"; }\n`;
}

// What the inner subshell runs: a script function of the session in place, or the argv exec'ed.
function commandBody(argv: readonly string[], o: ExecOptions, defined: ReadonlySet<string>): { body: string; fn?: string; define?: string } {
  const own = o.ownScript && !hasEnv(o.env) ? shScript(argv) : undefined;
  if (own?.zero === 'sh') {
    const fn = scriptFunction(own.script);
    const body = [fn, ...own.args.map(quoteArg)].join(' ');
    return defined.has(fn) ? { body } : { body, fn, define: defineScript(fn, own.script) };
  }
  return { body: `exec ${quoteArgv(withEnv(argv, o.env))}` };
}

/**
 * The frame for one command (`R`, request lines, token), or undefined when it must take an exec channel. The inner
 * subshell prints the ready line with its pid (the kill's root), cd's, then runs the command.
 */
export function sessionRequest(argv: readonly string[], o: ExecOptions, m: RequestMarkers, token: string, defined: ReadonlySet<string> = new Set()): SessionRequest | undefined {
  const input = inlineStdin(o.stdin);
  if (input === undefined) return undefined;
  checkArgv(argv);
  const { body, fn, define } = commandBody(argv, o, defined);
  const cd = o.cwd !== undefined ? `cd -- ${quoteArg(o.cwd)} || exit; ` : '';
  const inner = `( read -r _p _ </proc/self/stat; echo "${m.ready} $_p \${SHELL:-}" >&2; ${cd}${body} )`;
  const piped = input === '' ? `${inner} </dev/null` : `printf %s ${quoteArg(input)} | ${inner}`;
  const job = `( ${piped}\nrc=$?; printf '%s %s\\n' ${m.end} "$rc"; printf '%s\\n' ${m.end} >&2 ) &`;
  if (job.includes(token) || define?.includes(token)) return undefined;
  const frame = `R\n${define ?? ''}${job}\n${token}\n`;
  return { frame, defines: fn };
}

// The control frame that kills a running request's command and its descendants.
export function killFrame(pid: number): string {
  return `K ${pid}\n`;
}
