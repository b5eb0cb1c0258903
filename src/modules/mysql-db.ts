// Databases on a MySQL server, from the controller: present (with a character set and collation) or absent.
import { z } from 'zod';
import { describeValue } from '../core/key-path.js';
import { defineModule, type ModuleOutcome } from './support/module.js';
import { loginFields, loginOf, runStatements, selectRows, withMysql } from './support/mysql-login.js';

const charsetName = z.string().regex(/^[A-Za-z0-9_]+$/, { error: 'expected a character set or collation name such as utf8mb4 or utf8mb4_bin' });

const schema = z.strictObject({
  name: z.array(z.string().min(1)).min(1).describe('Database name, or a list of them.'),
  state: z
    .enum(['present', 'absent'], {
      error: (iss) => `expected present or absent, got ${describeValue(iss.input)} (dump and import are not supported: use command with mysqldump or mysql)`,
    })
    .default('present')
    .describe('present creates the database (and sets encoding and collation where they differ); absent drops it.'),
  encoding: charsetName.optional().describe('Character set of the database, e.g. utf8mb4 (server default when not given).'),
  collation: charsetName.optional().describe('Collation of the database, e.g. utf8mb4_bin (the character set\'s default when not given).'),
  ...loginFields,
});

type Args = z.infer<typeof schema>;

interface Existing {
  name: string;
  charset: string;
  collation: string;
}

interface DbPlan {
  commands: string[];
}

const quoteId = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

function options(a: Args): string {
  return `${a.encoding ? ` CHARACTER SET ${a.encoding}` : ''}${a.collation ? ` COLLATE ${a.collation}` : ''}`;
}

// The statements that bring the server to the arguments, from what it has now.
export function dbCommands(a: Args, existing: Existing[]): string[] {
  const have = new Map(existing.map((d) => [d.name, d]));
  const out: string[] = [];
  for (const name of a.name) {
    const d = have.get(name);
    if (a.state === 'absent') {
      if (d) out.push(`DROP DATABASE ${quoteId(name)}`);
    } else if (!d) {
      out.push(`CREATE DATABASE ${quoteId(name)}${options(a)}`);
    } else {
      const charsetDiffers = a.encoding !== undefined && a.encoding.toLowerCase() !== d.charset.toLowerCase();
      const collationDiffers = a.collation !== undefined && a.collation.toLowerCase() !== d.collation.toLowerCase();
      if (charsetDiffers || collationDiffers) out.push(`ALTER DATABASE ${quoteId(name)}${options(a)}`);
    }
  }
  return out;
}

async function readDatabases(a: Args): Promise<Existing[]> {
  return withMysql(loginOf(a), (conn) =>
    selectRows<Existing>(
      conn,
      'SELECT SCHEMA_NAME AS name, DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)',
      [a.name],
    ),
  );
}

function result(a: Args, commands: string[], changed: boolean): ModuleOutcome {
  const at = `${a.login_host}:${a.login_port}`;
  const one = a.name.length === 1;
  const state = a.state === 'absent' ? `${one ? 'does' : 'do'} not exist` : `exist${one ? 's' : ''}`;
  const msg = changed ? `${at}: ${commands.join('; ')}` : `${at}: ${a.name.join(', ')} ${state}`;
  return { changed, msg, data: { db: a.name.join(' '), db_list: a.name, executed_commands: changed ? commands : [] } };
}

export const mysqlDbModule = defineModule<Args, DbPlan>({
  name: 'mysql_db',
  description: 'Creates or drops MySQL databases from the controller (login_host is reached from there), with their character set and collation.',
  schema,
  argAliases: { db: 'name' },
  secretArgs: ['login_password'],
  check: async (a) => {
    const commands = dbCommands(a, await readDatabases(a));
    if (!commands.length) return { changes: false, outcome: result(a, [], false) };
    return { changes: true, summary: `${a.login_host}:${a.login_port}: ${commands.join('; ')}`, data: { commands } };
  },
  apply: async (a, plan) => {
    const commands = plan?.commands ?? [];
    const login = loginOf(a);
    await withMysql(login, (conn) => runStatements(conn, login, commands.map((sql) => ({ sql, shown: sql }))));
    return result(a, commands, true);
  },
});
