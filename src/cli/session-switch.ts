// Whether a host's SSH commands go through a session: its `omsrun_session` variable, else OMSRUN_SESSION for the run.
import { sessionFromEnv } from '../connection/ssh/session-env.js';
import { parseBool } from '../core/bool.js';
import { ConfigError } from '../core/errors.js';
import { describeValue } from '../core/yaml-source.js';
import type { Vars } from '../inventory/model.js';

/** The host variable that turns the session transport on or off for one host. */
export const SESSION_VAR = 'omsrun_session';

// A host variable wins over the environment; both read yes/no as Ansible does. Default: a session per host.
export function sessionWanted(host: string, vars: Vars, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = vars[SESSION_VAR];
  if (value !== undefined && value !== null) {
    const on = parseBool(value);
    if (on === undefined) {
      throw new ConfigError(`expected true or false, got ${describeValue(value)}`, { keyPath: `${host}.${SESSION_VAR}`, hint: 'set in the inventory, group_vars or host_vars' });
    }
    return on;
  }
  return sessionFromEnv(env);
}
