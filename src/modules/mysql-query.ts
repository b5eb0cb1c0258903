// MetaDB checks from the controller: log in, see which OMS databases exist, run a read-only query.
import type { Connection as MysqlConnection } from 'mysql2/promise';
import { z } from 'zod';
import { failed } from './support/common.js';
import { defineModule, type ModuleOutcome } from './support/module.js';

const schema = z
  .strictObject({
    host: z.string().min(1).describe('MySQL (or OceanBase MySQL tenant) host.'),
    port: z.coerce.number().int().min(1).max(65535).default(3306).describe('Port.'),
    user: z.string().min(1).describe('User to log in as.'),
    password: z.coerce.string().default('').describe('Password (never shown in messages).'),
    query: z.string().min(1).optional().describe('SQL to run; SELECT, SHOW, DESCRIBE and EXPLAIN are read-only, anything else reports changed.'),
    databases_exist: z.array(z.string().min(1)).optional().describe('Database names to look for; `existing` and `missing` list them.'),
    connect_timeout: z.number().positive().default(10).describe('Seconds to wait for the connection.'),
  })
  .refine((a) => !(a.query && a.databases_exist), { error: 'expected query or databases_exist, not both' });

type Args = z.infer<typeof schema>;

const READ_ONLY = /^\s*(select|show|desc|describe|explain)\b/i;

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
export function mysqlErrorMessage(err: unknown, a: Pick<Args, 'host' | 'port' | 'user' | 'connect_timeout'>): string {
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

async function run(a: Args, changed: boolean): Promise<ModuleOutcome> {
  let conn: MysqlConnection | undefined;
  try {
    const mysql = (await import('mysql2/promise')).default;
    conn = await mysql.createConnection({
      host: a.host, port: a.port, user: a.user, password: a.password, connectTimeout: a.connect_timeout * 1000,
    });
    const [ver] = await conn.query('SELECT VERSION() AS v');
    const version = String((ver as { v: unknown }[])[0]?.v ?? '');
    const at = `${a.user}@${a.host}:${a.port}`;
    if (a.databases_exist) {
      const [rows] = await conn.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)', [a.databases_exist]);
      const found = new Set((rows as { name: string }[]).map((r) => r.name));
      const existing = a.databases_exist.filter((d) => found.has(d));
      const missing = a.databases_exist.filter((d) => !found.has(d));
      const msg = `${at}: ${existing.length ? `existing ${existing.join(', ')}` : 'none of the databases exist'}${existing.length && missing.length ? `; missing ${missing.join(', ')}` : ''}`;
      return { changed: false, msg, data: { existing, missing, version } };
    }
    if (a.query) {
      const [rows] = await conn.query(a.query);
      const list = Array.isArray(rows) ? rows : [];
      const affected = Array.isArray(rows) ? undefined : (rows as { affectedRows?: number }).affectedRows;
      return { changed, msg: `${at}: ${Array.isArray(rows) ? `${list.length} row(s)` : `${affected ?? 0} row(s) affected`}`, data: { rows: list, affected, version } };
    }
    return { changed: false, msg: `${at}: logged in (${version})`, data: { version } };
  } catch (err) {
    return failed(mysqlErrorMessage(err, a));
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** Logs in and lists which of `databases` exist, as the module's `databases_exist` does (for the guided start). */
export async function metadbDatabases(a: { host: string; port: number; user: string; password: string; databases: string[] }): Promise<ModuleOutcome> {
  return run({ host: a.host, port: a.port, user: a.user, password: a.password, databases_exist: a.databases, connect_timeout: 10 }, false);
}

export const mysqlQueryModule = defineModule<Args>({
  name: 'mysql_query',
  description: 'Logs in to MySQL from where it runs (use delegate_to: localhost), lists which databases exist, or runs a query.',
  schema,
  check: async (a) => {
    if (a.query && !READ_ONLY.test(a.query)) return { changes: true, summary: `run a statement on ${a.host}:${a.port}` };
    return { changes: false, outcome: await run(a, false) };
  },
  apply: async (a) => run(a, true),
});
