// Reads a name service database with getent and returns it as the `getent_<database>` fact, as Ansible's getent does.
import { z } from 'zod';
import { failed } from './support/common.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule } from './support/module.js';

/** Databases whose entries Ansible splits on ':' when no split is given. */
const COLON = ['passwd', 'shadow', 'group', 'gshadow'];

const schema = z.strictObject({
  database: z.string().regex(/^[a-z_]+$/, 'expected a database name such as passwd, group or hosts').describe('The database: passwd, group, shadow, hosts, services, ...'),
  key: z.union([z.string().min(1), z.number().transform(String)]).optional().describe('The entry to look up; without it the whole database.'),
  split: z.string().min(1).optional().describe("What separates an entry's fields; default ':' for passwd, shadow, group and gshadow, whitespace otherwise."),
  fail_key: z.boolean().default(true).describe('A key not in the database fails the task; false: its fact value is null.'),
  service: z.string().min(1).optional().describe('The name service to ask (getent -s), e.g. files.'),
});

type Args = z.infer<typeof schema>;

// Each line: its first field is the key, the rest its value; a key seen again gets a list of values.
function parse(stdout: string, split: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen: Record<string, number> = {};
  for (const line of stdout.split('\n').filter((l) => l !== '')) {
    const [key = '', ...rest] = split === undefined ? line.trim().split(/\s+/) : line.split(split);
    if (seen[key] === undefined) {
      out[key] = rest;
      seen[key] = 1;
    } else {
      if (seen[key] === 1) out[key] = [out[key]];
      (out[key] as unknown[]).push(rest);
      seen[key] += 1;
    }
  }
  return out;
}

const RC_MEANING: Record<number, string> = {
  1: 'missing arguments, or the database is unknown',
  3: 'enumeration is not supported on this database',
};

export const getentModule = defineModule<Args>({
  name: 'getent',
  description: 'Reads a name service database (passwd, group, hosts, ...) with getent into the `getent_<database>` fact (also `ansible_facts.getent_<database>`).',
  schema,
  readOnly: true,
  check: async (a, ctx) => {
    const r = await hostExec(ctx, ['getent', ...(a.service ? ['-s', a.service] : []), a.database, ...(a.key !== undefined ? [a.key] : [])]);
    const fact = `getent_${a.database}`;
    const split = a.split ?? (COLON.includes(a.database) ? ':' : undefined);
    if (r.rc === 0) return { changes: false, outcome: { data: { ansible_facts: { [fact]: parse(r.stdout, split) } } } };
    if (r.rc === 2 && a.key !== undefined) {
      if (!a.fail_key) return { changes: false, outcome: { data: { ansible_facts: { [fact]: { [a.key]: null } } } } };
      return { changes: false, outcome: failed(`${a.key} is not in the ${a.database} database of ${ctx.host}; set fail_key: false to get null instead`, { rc: 2 }) };
    }
    const why = RC_MEANING[r.rc] ?? outputTail(r);
    return { changes: false, outcome: failed(`getent ${a.database} failed (rc ${r.rc}): ${why || 'no output'}`, { rc: r.rc }) };
  },
});
