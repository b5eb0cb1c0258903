// How to reach a host, read from its merged variables (ansible_* names and short aliases).
import { userInfo } from 'node:os';
import { parseBool } from '../core/bool.js';
import { ConfigError, ConfigErrors } from '../core/errors.js';
import { describeValue } from '../core/yaml-source.js';
import type { Vars } from './model.js';

/** Everything the connection layer needs to open a host. */
export interface ConnectionSpec {
  /** Address to connect to. @defaultValue the inventory host name */
  host: string;
  /** @defaultValue 22 */
  port: number;
  /** @defaultValue the current local user */
  user: string;
  password?: string;
  privateKeyFile?: string;
  /**
   * The transport's name. The composition root's transport table decides which names exist.
   * @defaultValue 'ssh' ('local' for the implicit localhost)
   */
  connection: string;
  /** @defaultValue false */
  become: boolean;
  /** @defaultValue 'root' */
  becomeUser: string;
  becomePassword?: string;
  /** `user@host:port` of an SSH jump host. */
  jumpHost?: string;
}

/** `ansible_*` name first, then the short alias. */
const NAMES = {
  host: ['ansible_host', 'ansible_ssh_host', 'host'],
  port: ['ansible_port', 'ansible_ssh_port', 'port'],
  user: ['ansible_user', 'ansible_ssh_user', 'user'],
  password: ['ansible_password', 'ansible_ssh_pass', 'password'],
  privateKeyFile: ['ansible_ssh_private_key_file', 'ansible_private_key_file', 'key_file'],
  connection: ['ansible_connection', 'connection'],
  become: ['ansible_become', 'become'],
  becomeUser: ['ansible_become_user', 'become_user'],
  becomePassword: ['ansible_become_password', 'ansible_become_pass', 'become_password'],
  jumpHost: ['ansible_jump_host', 'jump_host'],
} as const;

/** The variable that names the host's transport (`ansible_connection` when none is set), for messages. */
export function connectionVarName(vars: Vars): string {
  return NAMES.connection.find((n) => vars[n] !== undefined && vars[n] !== null) ?? NAMES.connection[0];
}

/** The host's variables with `ansible_user` set to `user` when none of the login-user variables is set. */
export function withDefaultUser(vars: Vars, user: string | undefined): Vars {
  if (user === undefined || NAMES.user.some((n) => vars[n] !== undefined && vars[n] !== null)) return vars;
  // A child object, not a copy: copying would evaluate lazy values such as hostvars.
  const out = Object.create(vars) as Vars;
  out.ansible_user = user;
  return out;
}

// Turns a host's (already rendered) variables into a ConnectionSpec; bad types are ConfigErrors.
export function connectionSpec(hostName: string, vars: Vars): ConnectionSpec {
  const errors: ConfigError[] = [];
  const pick = (field: keyof typeof NAMES): { name: string; value: unknown } | undefined => {
    for (const name of NAMES[field]) if (vars[name] !== undefined && vars[name] !== null) return { name, value: vars[name] };
    return undefined;
  };
  const bad = (name: string, expected: string, value: unknown): undefined => {
    errors.push(new ConfigError(`expected ${expected}, got ${describeValue(value)}`, { keyPath: `${hostName}.${name}`, hint: 'set in the inventory, group_vars or host_vars' }));
    return undefined;
  };
  const str = (field: keyof typeof NAMES): string | undefined => {
    const v = pick(field);
    if (!v) return undefined;
    if (typeof v.value === 'string' && v.value !== '') return v.value;
    if (typeof v.value === 'number' && field !== 'connection') return String(v.value);
    return bad(v.name, 'a non-empty string', v.value);
  };
  const bool = (field: keyof typeof NAMES): boolean | undefined => {
    const v = pick(field);
    if (!v) return undefined;
    return parseBool(v.value) ?? bad(v.name, 'true or false', v.value);
  };
  const portVar = pick('port');
  let port = 22;
  if (portVar) {
    const n = typeof portVar.value === 'string' && /^\d+$/.test(portVar.value) ? Number(portVar.value) : portVar.value;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535) port = n;
    else bad(portVar.name, 'a port number (an integer from 1 to 65535)', portVar.value);
  }
  const conn = str('connection');
  const spec: ConnectionSpec = {
    host: str('host') ?? hostName,
    port,
    user: str('user') ?? userInfo().username,
    connection: conn ?? 'ssh',
    become: bool('become') ?? false,
    becomeUser: str('becomeUser') ?? 'root',
  };
  const optional = { password: str('password'), privateKeyFile: str('privateKeyFile'), becomePassword: str('becomePassword'), jumpHost: str('jumpHost') };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (spec as unknown as Record<string, unknown>)[k] = v;
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new ConfigErrors(errors);
  return spec;
}
