// The session server (a POSIX sh loop started once per channel) and the request text streamed to it: pure data.
import { randomBytes } from 'node:crypto';
import { sudoArgv } from '../become.js';
import type { Become, ExecOptions } from '../connection.js';
import { quoteArg, quoteArgv } from '../quote.js';
import { remoteArgv, type CommandMarkers } from './remote-command.js';

/**
 * Printed on stderr, then exit 3, when the host's shell cannot run the session: the transport falls back to exec
 * channels for that host.
 */
export const UNSUPPORTED = 'omsrun-session-unsupported:';

/**
 * The server, run as `SHELL -c SERVER sh TOKEN HELLO`. It reports `HELLO <pid> <login shell>` on stderr, then reads
 * frames from stdin: `R` followed by request lines up to a line holding TOKEN (eval'ed: each request starts one
 * background job), or `K <pid>` (kill that process group). A request's job runs its command under setsid (its own
 * process group), with the session's stdout and stderr as its own, then prints its end marker with the exit code on
 * stdout and the marker alone on stderr. `wait` reaps the previous job before the next request.
 */
export const SESSION_SERVER = [
  'token=$1 hello=$2',
  `command -v setsid >/dev/null 2>&1 || { echo "${UNSUPPORTED} setsid not found on PATH" >&2; exit 3; }`,
  'echo "$hello $$ ${SHELL:-}" >&2',
  'while IFS= read -r frame; do',
  '  case $frame in',
  '    R) wait; request=; while IFS= read -r line; do [ "$line" = "$token" ] && break; request="$request$line',
  '"; done; eval "$request" ;;',
  '    "K "*) kill -KILL "-${frame#K }" "${frame#K }" 2>/dev/null ;;',
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

/** Largest stdin sent inline in a request; larger input, a stream or bytes that are no NUL-free UTF-8 take an exec channel. */
export const INLINE_STDIN_MAX = 64 * 1024;

// stdin as text the shell can hold in a quoted word, or undefined when it cannot go inline.
function inlineStdin(stdin: ExecOptions['stdin']): string | undefined {
  if (stdin === undefined) return '';
  if (typeof stdin !== 'string' && !Buffer.isBuffer(stdin)) return undefined;
  if (stdin.length > INLINE_STDIN_MAX) return undefined;
  const text = typeof stdin === 'string' ? stdin : stdin.toString('utf8');
  if (Buffer.isBuffer(stdin) && !Buffer.from(text, 'utf8').equals(stdin)) return undefined;
  return text.includes('\0') ? undefined : text;
}

/**
 * The frame for one command (`R`, request lines, token), or undefined when it must take an exec channel. The command
 * runs as the /bin/sh wrapper of exec channels (ready line with its pid, cd, env, exec), under setsid.
 */
export function sessionRequest(argv: readonly string[], o: ExecOptions, m: RequestMarkers, token: string): string | undefined {
  const input = inlineStdin(o.stdin);
  if (input === undefined) return undefined;
  const command = `setsid ${quoteArgv(remoteArgv(argv, { cwd: o.cwd, env: o.env }, m))}`;
  const piped = input === '' ? `${command} </dev/null` : `printf %s ${quoteArg(input)} | ${command}`;
  const job = `( ${piped}\nrc=$?; printf '%s %s\\n' ${m.end} "$rc"; printf '%s\\n' ${m.end} >&2 ) &`;
  if (job.includes(token)) return undefined;
  return `R\n${job}\n${token}\n`;
}

// The control frame that kills a running request's process group.
export function killFrame(pid: number): string {
  return `K ${pid}\n`;
}
