// MySQL accounts from the controller: present with a password and privileges (changed only where they differ), or absent.
import { createHash } from 'node:crypto';
import type { Connection as MysqlConnection } from 'mysql2/promise';
import { z } from 'zod';
import { OmsrunError } from '../core/errors.js';
import { MASK } from '../core/secrets.js';
import { defineModule, type ModuleOutcome } from './support/module.js';
import { loginFields, loginOf, openMysql, runStatements, selectRows, type Statement, withMysql, type MysqlLogin } from './support/mysql-login.js';
import { account, parsePrivSpec, parseShowGrants, privChanges, privStatements, PrivSpecError, sqlString, type Privs } from './support/mysql-privs.js';

const privSpec = z
  .union([z.string(), z.record(z.string(), z.coerce.string())], {
    error: 'expected privileges as DB.TABLE:PRIV1,PRIV2/DB2.*:PRIV (a string) or a mapping of DB.TABLE to privileges',
  })
  .superRefine((spec, ctx) => {
    if (typeof spec === 'string' && spec.includes('{{')) return;
    try {
      parsePrivSpec(spec);
    } catch (err) {
      if (!(err instanceof PrivSpecError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  });

const schema = z.strictObject({
  name: z.string().describe('Name of the account (the part before @).'),
  host: z.string().default('localhost').describe("Host part of the account: where the user may log in from ('%' for anywhere)."),
  host_all: z.boolean().default(false).describe('Apply password and privileges to every existing account of this name, whatever its host (never creates one).'),
  password: z.coerce.string().optional().describe('Password of the account (masked in every output; compared with the stored hash, never shown).'),
  update_password: z.enum(['always', 'on_create']).default('always').describe('always sets the password when it differs; on_create only when the account is created.'),
  priv: privSpec.optional().describe('Privileges, as Ansible writes them: `db.*:ALL,GRANT/other.*:SELECT` (GRANT means WITH GRANT OPTION) or a mapping `{"db.*": "ALL"}`; objects not named lose their privileges unless append_privs.'),
  append_privs: z.boolean().default(false).describe('Add the privileges of priv to the ones the account has instead of replacing them.'),
  state: z.enum(['present', 'absent']).default('present').describe('present creates or updates the account; absent drops it.'),
  ...loginFields,
});

type Args = z.infer<typeof schema>;

interface UserPlan {
  statements: Statement[];
  msg: string;
  passwordChanged: boolean;
}

// MySQL's mysql_native_password hash, computed here so the password never travels for a comparison.
export function nativePasswordHash(password: string): string {
  if (password === '') return '';
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

interface AccountRow {
  Host: string;
  plugin?: string;
  authentication_string?: string;
  Password?: string;
}

// True when the account's stored password is `password`: by its native hash, else by logging in as the account.
async function samePassword(row: AccountRow, password: string, login: MysqlLogin, name: string): Promise<boolean> {
  const plugin = row.plugin ?? '';
  if (plugin === '' || plugin === 'mysql_native_password') return (row.authentication_string || row.Password || '') === nativePasswordHash(password);
  try {
    const conn = await openMysql({ ...login, user: name, password });
    await conn.end().catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

const withPassword = (sql: string, who: string, password: string): Statement => ({
  sql: `${sql} ${who} IDENTIFIED BY ?`, values: [password], shown: `${sql} ${who} IDENTIFIED BY '${MASK}'`,
});

async function plan(a: Args, conn: MysqlConnection, login: MysqlLogin): Promise<UserPlan> {
  const rows = await selectRows<AccountRow>(conn, `SELECT * FROM mysql.user WHERE User = ?${a.host_all ? '' : ' AND Host = ?'}`, a.host_all ? [a.name] : [a.name, a.host]);
  if (a.state === 'absent') {
    const statements = rows.map((r) => ({ sql: `DROP USER ${account(a.name, r.Host)}`, shown: `DROP USER ${account(a.name, r.Host)}` }));
    return { statements, msg: rows.length ? 'User deleted' : "User doesn't exist", passwordChanged: false };
  }
  const desired: Privs | undefined = a.priv === undefined ? undefined : parsePrivSpec(a.priv);
  if (!rows.length) {
    if (a.host_all) throw new OmsrunError(`no account named ${sqlString(a.name)} exists, and host_all never creates one: give host instead`);
    const who = account(a.name, a.host);
    const create = a.password !== undefined ? withPassword('CREATE USER', who, a.password) : { sql: `CREATE USER ${who}`, shown: `CREATE USER ${who}` };
    const grants = desired ? privStatements(privChanges(new Map(), desired, true), a.name, a.host) : [];
    return { statements: [create, ...grants], msg: 'User added', passwordChanged: a.password !== undefined };
  }
  const statements: Statement[] = [];
  let passwordChanged = false;
  let privsChanged = false;
  for (const row of rows) {
    const who = account(a.name, row.Host);
    if (a.password !== undefined && a.update_password === 'always' && !(await samePassword(row, a.password, login, a.name))) {
      statements.push(withPassword('ALTER USER', who, a.password));
      passwordChanged = true;
    }
    if (desired) {
      const [grants] = await conn.query(`SHOW GRANTS FOR ${who}`);
      const lines = (grants as Record<string, string>[]).map((g) => String(Object.values(g)[0] ?? ''));
      const more = privStatements(privChanges(parseShowGrants(lines), desired, a.append_privs), a.name, row.Host);
      privsChanged ||= more.length > 0;
      statements.push(...more);
    }
  }
  const msg = passwordChanged && privsChanged ? 'Password and privileges updated' : passwordChanged ? 'Password updated' : privsChanged ? 'Privileges updated' : 'User unchanged';
  return { statements, msg, passwordChanged };
}

async function readPlan(a: Args): Promise<UserPlan> {
  const login = loginOf(a);
  return withMysql(login, (conn) => plan(a, conn, login));
}

function message(a: Args, p: UserPlan, changed: boolean): string {
  const who = a.host_all ? `${sqlString(a.name)} (every host)` : account(a.name, a.host);
  return `${p.msg} ${who}${changed ? `: ${p.statements.map((s) => s.shown).join('; ')}` : ''}`;
}

function outcome(a: Args, p: UserPlan, changed: boolean): ModuleOutcome {
  return { changed, msg: message(a, p, changed), data: { user: a.name, password_changed: changed && p.passwordChanged } };
}

export const mysqlUserModule = defineModule<Args, UserPlan>({
  name: 'mysql_user',
  description: 'Creates, updates or drops a MySQL account from the controller (login_host is reached from there): password and privileges, changed only where they differ.',
  schema,
  argAliases: { user: 'name' },
  secretArgs: ['password', 'login_password'],
  check: async (a) => {
    const p = await readPlan(a);
    if (!p.statements.length) return { changes: false, outcome: outcome(a, p, false) };
    return { changes: true, summary: message(a, p, true), data: p };
  },
  apply: async (a, p) => {
    if (!p) return outcome(a, { statements: [], msg: 'User unchanged', passwordChanged: false }, false);
    const login = loginOf(a);
    await withMysql(login, (conn) => runStatements(conn, login, p.statements));
    return outcome(a, p, true);
  },
});
