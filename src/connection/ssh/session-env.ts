// OMSRUN_SESSION=0 turns the session transport off for a whole run (and for test suites that build connections directly).
import { parseBool } from '../../core/bool.js';
import { ConfigError } from '../../core/errors.js';
import { describeValue } from '../../core/yaml-source.js';

// Unset or empty: on. Read yes/no as Ansible does.
export function sessionFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['OMSRUN_SESSION'];
  if (value === undefined || value === '') return true;
  const on = parseBool(value);
  if (on === undefined) throw new ConfigError(`expected true or false, got ${describeValue(value)}`, { keyPath: 'OMSRUN_SESSION', hint: 'set the environment variable to 1 or 0' });
  return on;
}
