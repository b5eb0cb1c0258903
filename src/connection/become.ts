// sudo wrapping is pure data so local and SSH build the same command line and tests can compare it.
import { randomBytes } from 'node:crypto';
import type { Become } from './connection.js';

/** How an exec must be wrapped to run as another user. */
export interface BecomePlan {
  argv: string[];
  /** Printed by sudo on stderr when it wants the password (password mode only). */
  prompt?: string;
  /** Printed on stderr by the wrapper once sudo let the command start (password mode only). */
  success?: string;
}

// Fresh markers per run so a command's own output can never fake a prompt.
export function becomeMarkers(): { prompt: string; success: string } {
  const id = randomBytes(8).toString('hex');
  return { prompt: `[omsrun-sudo-prompt-${id}]`, success: `[omsrun-become-ok-${id}]` };
}

// The one sudo prefix of both transports: -S with a prompt marker where a password will answer it, else -n so sudo never asks.
export function sudoArgv(become: Become, prompt: string): string[] {
  const ask = become.password !== undefined ? ['-S', '-p', prompt] : ['-n'];
  return ['sudo', ...ask, '-u', become.user || 'root', '--'];
}

// Without a password sudo runs argv itself; with one, a wrapper marks the moment stdin stops belonging to sudo.
export function becomeArgv(
  argv: readonly string[],
  become: Become | undefined,
  currentUser: string,
  markers = becomeMarkers(),
): BecomePlan {
  if (!become || become.user === currentUser) return { argv: [...argv] };
  if (become.password === undefined) return { argv: [...sudoArgv(become, markers.prompt), ...argv] };
  const wrapper = `echo '${markers.success}' >&2; exec "$@"`;
  return {
    argv: [...sudoArgv(become, markers.prompt), '/bin/sh', '-c', wrapper, 'sh', ...argv],
    prompt: markers.prompt,
    success: markers.success,
  };
}
