// Logging in to MySQL (or MariaDB, or an OceanBase MySQL tenant) from the controller, shared by the mysql_* modules.
import type { Connection as MysqlConnection } from 'mysql2/promise';
import { z } from 'zod';
import { OmsrunError } from '../../core/errors.js';
import { describeValue } from '../../core/key-path.js';

/** Where and as whom a mysql_* module logs in. */
export interface MysqlLogin {
  host: string;
  port: number;
  user: string;
  password: string;
  connect_timeout: number;
  database?: string;
}


/** Ansible's community.mysql login arguments, as mysql_db and mysql_user take them. */
export const loginFields = {
  login_host: z.string().min(1).default('localhost').describe('MySQL host to log in to, reached from the controller.'),
  login_port: z.coerce.number().int().min(1).max(65535).default(3306).describe('Port.'),
  login_user: z.string().min(1).default('root').describe('User to log in as.'),
  login_password: z.coerce.string().default('').describe('Password of login_user (masked in every output).'),
  login_unix_socket: z
    .undefined({
      error: (iss) => `expected login_host and login_port, got login_unix_socket ${describeValue(iss.input)}: omsrun logs in to MySQL from the controller over TCP, never through a unix socket`,
    })
    .optional()
    .describe('Not supported: omsrun logs in over TCP from the controller.'),
  connect_timeout: z.coerce.number().positive().default(30).describe('Seconds to wait for the connection.'),
};

/** Arguments of a module built on `loginFields`. */
export interface LoginArgs {
  login_host: string;
  login_port: number;
  login_user: string;
  login_password: string;
  connect_timeout: number;
}

export function loginOf(a: LoginArgs): MysqlLogin {
  return { host: a.login_host, port: a.login_port, user: a.login_user, password: a.login_password, connect_timeout: a.connect_timeout };
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  PROTOCOL_CONNECTION_LOST: 'connection lost',
};

// Explains a mysql2 error without the password: the address, the user and what to check.
export function mysqlErrorMessage(err: unknown, a: Pick<MysqlLogin, 'host' | 'port' | 'user' | 'connect_timeout'>): string {
  const e = err as { code?: string; message?: string; sqlMessage?: string };
  const at = `${a.host}:${a.port}`;
  if (e.code === 'ER_ACCESS_DENIED_ERROR' || e.code === 'ER_DBACCESS_DENIED_ERROR' || e.code === 'ER_NOT_SUPPORTED_AUTH_MODE') {
    return `MySQL at ${at} refused the login of user '${a.user}': ${e.code === 'ER_NOT_SUPPORTED_AUTH_MODE' ? 'unsupported authentication method' : 'access denied'} (check the user and password)`;
  }
  if (e.code && NET_ERRORS[e.code]) {
    const why = e.code === 'ETIMEDOUT' ? `timed out after ${a.connect_timeout}s` : NET_ERRORS[e.code];
    return `cannot reach MySQL at ${at}: ${why}`;
  }
  return `MySQL at ${at}: ${e.sqlMessage ?? e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
}

/** Opens a connection (mysql2), raw: the caller explains its errors. */
export async function openMysql(login: MysqlLogin): Promise<MysqlConnection> {
  const mysql = (await import('mysql2/promise')).default;
  return mysql.createConnection({
    host: login.host, port: login.port, user: login.user, password: login.password,
    connectTimeout: login.connect_timeout * 1000, ...(login.database ? { database: login.database } : {}),
  });
}

// Logs in, runs `work`, logs out; any MySQL error becomes an OmsrunError that names the server and never the password.
export async function withMysql<T>(login: MysqlLogin, work: (conn: MysqlConnection) => Promise<T>): Promise<T> {
  let conn: MysqlConnection | undefined;
  try {
    conn = await openMysql(login);
    return await work(conn);
  } catch (err) {
    if (err instanceof OmsrunError) throw err;
    if (!(err as { code?: unknown })?.code && !(err as { sqlMessage?: unknown })?.sqlMessage && !(err as { errno?: unknown })?.errno) throw err;
    throw new OmsrunError(mysqlErrorMessage(err, login), { cause: err });
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** Rows of a SELECT, typed by the caller. */
export async function selectRows<R>(conn: MysqlConnection, sql: string, values: unknown[] = []): Promise<R[]> {
  const [rows] = await conn.query(sql, values);
  return rows as R[];
}

/** A statement with its values (quoted by the driver) and the form shown to users, without secrets. */
export interface Statement {
  sql: string;
  values?: unknown[];
  shown: string;
}

// Runs statements in order; a failure names the statement and what was done before it, and a rerun picks up from there.
export async function runStatements(conn: MysqlConnection, login: MysqlLogin, statements: Statement[]): Promise<void> {
  for (const [i, st] of statements.entries()) {
    try {
      await conn.query(st.sql, st.values ?? []);
    } catch (err) {
      const done = statements.slice(0, i).map((s) => s.shown);
      const before = done.length ? `; done before it: ${done.join('; ')}` : '';
      throw new OmsrunError(`${mysqlErrorMessage(err, login)}, running ${st.shown}${before}; fix the cause and run again`, { cause: err });
    }
  }
}
