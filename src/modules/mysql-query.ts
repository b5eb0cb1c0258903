// MetaDB checks from the controller: log in, see which OMS databases exist, run a read-only query.
import type { Connection as MysqlConnection } from 'mysql2/promise';
import { z } from 'zod';
import { OmsrunError } from '../core/errors.js';
import { failed } from './support/common.js';
import { defineModule, type ModuleOutcome } from './support/module.js';
import { mysqlErrorMessage, openMysql } from './support/mysql-login.js';

export { mysqlErrorMessage } from './support/mysql-login.js';

const schema = z
  .strictObject({
    host: z.string().min(1).describe('MySQL (or OceanBase MySQL tenant) host.'),
    port: z.coerce.number().int().min(1).max(65535).default(3306).describe('Port.'),
    user: z.string().min(1).describe('User to log in as.'),
    password: z.coerce.string().default('').describe('Password (never shown in messages).'),
    query: z.string().min(1).optional().describe('SQL to run; SELECT, SHOW, DESCRIBE and EXPLAIN are read-only, anything else reports changed.'),
    databases_exist: z.array(z.string().min(1)).optional().describe('Database names to look for; `existing` and `missing` list them.'),
    connect_timeout: z.coerce.number().positive().default(10).describe('Seconds to wait for the connection.'),
    login_db: z.string().min(1).optional().describe('Database to use for the query.'),
    positional_args: z.array(z.unknown()).optional().describe("Values for the query's `%s` placeholders, in order (quoted by the driver)."),
    named_args: z.record(z.string(), z.unknown()).optional().describe("Values for the query's `%(name)s` placeholders (quoted by the driver)."),
  })
  .refine((a) => !(a.query && a.databases_exist), { error: 'expected query or databases_exist, not both' })
  .refine((a) => !(a.positional_args && a.named_args), { error: 'expected positional_args or named_args, not both' })
  .refine((a) => a.query || !(a.positional_args || a.named_args), { error: 'positional_args and named_args need a query' });

type Args = z.infer<typeof schema>;

const READ_ONLY = /^\s*(select|show|desc|describe|explain)\b/i;

async function run(a: Args, changed: boolean): Promise<ModuleOutcome> {
  const prepared = a.query === undefined ? undefined : placeholders(a.query, a.positional_args, a.named_args);
  let conn: MysqlConnection | undefined;
  try {
    conn = await openMysql({ ...a, ...(a.login_db ? { database: a.login_db } : {}) });
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
    if (a.query && prepared) {
      const [rows] = prepared.values.length ? await conn.query(prepared.sql, prepared.values) : await conn.query(prepared.sql);
      const list = Array.isArray(rows) ? rows : [];
      const affected = Array.isArray(rows) ? undefined : (rows as { affectedRows?: number }).affectedRows;
      const rowcount = Array.isArray(rows) ? list.length : (affected ?? 0);
      return {
        changed,
        msg: `${at}: ${Array.isArray(rows) ? `${list.length} row(s)` : `${affected ?? 0} row(s) affected`}`,
        data: { rows: list, affected, version, query_result: [list], executed_queries: [a.query], rowcount: [rowcount] },
      };
    }
    return { changed: false, msg: `${at}: logged in (${version})`, data: { version } };
  } catch (err) {
    return failed(mysqlErrorMessage(err, a));
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

// Ansible's pyformat placeholders (`%s`, `%(name)s`, `%%`) as mysql2's `?`, with the values in their order.
export function placeholders(query: string, positional?: unknown[], named?: Record<string, unknown>): { sql: string; values: unknown[] } {
  if (!positional && !named) return { sql: query, values: [] };
  const values: unknown[] = [];
  let next = 0;
  const sql = query.replace(/%(%|s|\(([^)]*)\)s)/g, (whole, _kind: string, name: string | undefined) => {
    if (whole === '%%') return '%';
    if (name !== undefined) {
      if (!named || !(name in named)) throw new OmsrunError(`the query names %(${name})s but named_args has no ${JSON.stringify(name)}`);
      values.push(named[name]);
    } else {
      if (!positional || next >= positional.length) throw new OmsrunError(`the query has more %s placeholders than positional_args has values (${positional?.length ?? 0})`);
      values.push(positional[next++]);
    }
    return '?';
  });
  if (positional && next !== positional.length) throw new OmsrunError(`the query has ${next} %s placeholder(s) but positional_args has ${positional.length} value(s)`);
  return { sql, values };
}

/** Logs in and lists which of `databases` exist, as the module's `databases_exist` does (for the guided start). */
export async function metadbDatabases(a: { host: string; port: number; user: string; password: string; databases: string[] }): Promise<ModuleOutcome> {
  return run({ host: a.host, port: a.port, user: a.user, password: a.password, databases_exist: a.databases, connect_timeout: 10 }, false);
}

export const mysqlQueryModule = defineModule<Args>({
  name: 'mysql_query',
  argAliases: { login_host: 'host', login_port: 'port', login_user: 'user', login_password: 'password' },
  secretArgs: ['password'],
  description: 'Logs in to MySQL from where it runs (use delegate_to: localhost), lists which databases exist, or runs a query.',
  schema,
  check: async (a) => {
    if (a.query && !READ_ONLY.test(a.query)) return { changes: true, summary: `run a statement on ${a.host}:${a.port}` };
    return { changes: false, outcome: await run(a, false) };
  },
  apply: async (a) => run(a, true),
});
