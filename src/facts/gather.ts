// Gathers a host's facts with one command: the fact script, parsed on the controller.
import type { Connection } from '../connection/connection.js';
import { OmsrunError } from '../core/errors.js';
import { isComplete, parseFacts, type Facts } from './parse.js';
import { FACTS_SCRIPT } from './script.js';

/** argv of the one fact command (a script of omsrun's own, for any POSIX sh). */
export const FACTS_ARGV = ['/bin/sh', '-c', FACTS_SCRIPT, 'sh'];

// Runs as the login user: every source is readable without root, and no sudo password is needed.
export async function gatherFacts(conn: Connection, signal?: AbortSignal): Promise<Facts> {
  const r = await conn.exec(FACTS_ARGV, { ownScript: true, signal });
  if (r.rc !== 0 || !isComplete(r.stdout)) {
    const why = r.timedOut ? 'timed out' : `exit code ${r.rc}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`;
    throw new OmsrunError(`gathering facts failed on ${conn.host} (${why}); a POSIX sh with uname, id and df must be available`);
  }
  return parseFacts(r.stdout);
}
