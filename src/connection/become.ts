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

// Without a password sudo must never ask (-n); with one, stdin carries it only after sudo prompts.
export function becomeArgv(
  argv: readonly string[],
  become: Become | undefined,
  currentUser: string,
  markers = becomeMarkers(),
): BecomePlan {
  if (!become || become.user === currentUser) return { argv: [...argv] };
  if (become.password === undefined) return { argv: ['sudo', '-n', '-u', become.user, '--', ...argv] };
  const wrapper = `echo '${markers.success}' >&2; exec "$@"`;
  return {
    argv: ['sudo', '-S', '-p', markers.prompt, '-u', become.user, '--', '/bin/sh', '-c', wrapper, 'sh', ...argv],
    prompt: markers.prompt,
    success: markers.success,
  };
}
