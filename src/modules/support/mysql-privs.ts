// MySQL privileges as mysql_user reads them: Ansible's `db.*:ALL,GRANT/other.*:SELECT` spec, SHOW GRANTS lines, and
// the REVOKE/GRANT statements that turn one into the other.
import type { Statement } from './mysql-login.js';

/** Object (`*.*`, `` `db`.* ``, `` `db`.`table` ``) → privileges in upper case; `GRANT` stands for WITH GRANT OPTION. USAGE is no privilege. */
export type Privs = Map<string, Set<string>>;

/** A priv spec that cannot be read; the message says what was expected. */
export class PrivSpecError extends Error {}

const PRIV = /^[A-Z][A-Z_]*(?: [A-Z][A-Z_]*)*$/;

// Splits on `sep` outside backquotes and parentheses.
function splitOutside(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of text) {
    if (ch === '`') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (ch === sep && depth === 0 && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

const unquote = (name: string): string => (name.startsWith('`') && name.endsWith('`') && name.length > 1 ? name.slice(1, -1).replace(/``/g, '`') : name);
const quoteId = (name: string): string => (name === '*' ? '*' : `\`${name.replace(/`/g, '``')}\``);

// `db.*`, `` `my-db`.* ``, `db.table` or `*.*` as SHOW GRANTS writes it.
export function normalizeObject(object: string): string {
  const parts = splitOutside(object.trim(), '.');
  if (parts.length !== 2 || parts.some((p) => p.trim() === '')) {
    throw new PrivSpecError(`expected a privilege object as DB.TABLE (such as mydb.* or *.*), got ${JSON.stringify(object)}`);
  }
  return parts.map((p) => quoteId(unquote(p.trim()))).join('.');
}

// `select`, `ALL`, `SELECT (a, b)` → `SELECT`, `ALL PRIVILEGES`, `SELECT (A, B)`.
export function normalizePriv(priv: string): string {
  const text = priv.trim().replace(/\s+/g, ' ');
  const open = text.indexOf('(');
  const name = (open < 0 ? text : text.slice(0, open)).trim().toUpperCase();
  if (!PRIV.test(name)) throw new PrivSpecError(`expected a privilege name such as SELECT or ALL, got ${JSON.stringify(priv.trim())}`);
  const base = name === 'ALL' ? 'ALL PRIVILEGES' : name;
  if (open < 0) return base;
  if (!text.endsWith(')')) throw new PrivSpecError(`expected column privileges as ${name} (col1, col2), got ${JSON.stringify(priv.trim())}`);
  const cols = splitOutside(text.slice(open + 1, -1), ',').map((c) => unquote(c.trim()).toUpperCase()).filter(Boolean).sort();
  return `${base} (${cols.join(', ')})`;
}

function addPrivs(out: Privs, object: string, privs: string[]): void {
  const key = normalizeObject(object);
  const set = out.get(key) ?? new Set<string>();
  for (const p of privs) {
    const n = normalizePriv(p);
    if (n !== 'USAGE') set.add(n);
  }
  out.set(key, set);
}

// Ansible's `priv`: `db.*:ALL,GRANT/other.*:SELECT` or a mapping of object → privileges.
export function parsePrivSpec(spec: string | Record<string, string>): Privs {
  const out: Privs = new Map();
  if (typeof spec !== 'string') {
    for (const [object, privs] of Object.entries(spec)) addPrivs(out, object, splitOutside(String(privs), ','));
    return out;
  }
  for (const item of splitOutside(spec.trim(), '/')) {
    if (item.trim() === '') continue;
    const colon = item.lastIndexOf(':');
    if (colon < 0) throw new PrivSpecError(`expected DB.TABLE:PRIV1,PRIV2 (items separated by /), got ${JSON.stringify(item.trim())}`);
    addPrivs(out, item.slice(0, colon), splitOutside(item.slice(colon + 1), ','));
  }
  return out;
}

const GRANT_LINE = /^GRANT (.+?) ON ((?:\*|`(?:[^`]|``)+`)\.(?:\*|`(?:[^`]|``)+`)) TO (.*)$/;

// The privileges SHOW GRANTS lists; role, proxy and routine grants are not mysql_user's business and are skipped.
export function parseShowGrants(lines: string[]): Privs {
  const out: Privs = new Map();
  for (const line of lines) {
    const m = GRANT_LINE.exec(line.trim());
    if (!m) continue;
    const privs = splitOutside(m[1]!, ',');
    if (/ WITH GRANT OPTION\b/.test(m[3]!)) privs.push('GRANT');
    addPrivs(out, m[2]!, privs);
  }
  return out;
}

/** What to revoke and grant, per object, in that order. */
export interface PrivChanges {
  revoke: [string, string[]][];
  grant: [string, string[]][];
}

// The change from `current` to `desired`; with `append` nothing is revoked.
export function privChanges(current: Privs, desired: Privs, append: boolean): PrivChanges {
  const revoke: [string, string[]][] = [];
  const grant: [string, string[]][] = [];
  const objects = [...new Set([...current.keys(), ...desired.keys()])];
  for (const object of objects) {
    const cur = current.get(object) ?? new Set<string>();
    const want = desired.get(object) ?? new Set<string>();
    const missing = [...want].filter((p) => !cur.has(p));
    const extra = append ? [] : [...cur].filter((p) => !want.has(p));
    if (extra.length) revoke.push([object, extra.sort()]);
    if (missing.length) grant.push([object, missing.sort()]);
  }
  return { revoke, grant };
}

// `SELECT (A, B)` as SQL: `SELECT (`A`, `B`)`.
function privSql(priv: string): string {
  const open = priv.indexOf('(');
  if (open < 0) return priv;
  const cols = priv.slice(open + 1, -1).split(', ').map(quoteId);
  return `${priv.slice(0, open)}(${cols.join(', ')})`;
}

/** `'name'@'host'` as SQL shows it. */
export function account(user: string, host: string): string {
  return `${sqlString(user)}@${sqlString(host)}`;
}

export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// REVOKE then GRANT statements for one account.
export function privStatements(changes: PrivChanges, user: string, host: string): Statement[] {
  const who = account(user, host);
  const out: Statement[] = [];
  for (const [object, privs] of changes.revoke) {
    const plain = privs.filter((p) => p !== 'GRANT');
    if (plain.length) out.push(stmt(`REVOKE ${plain.map(privSql).join(', ')} ON ${object} FROM ${who}`));
    if (privs.includes('GRANT')) out.push(stmt(`REVOKE GRANT OPTION ON ${object} FROM ${who}`));
  }
  for (const [object, privs] of changes.grant) {
    const plain = privs.filter((p) => p !== 'GRANT');
    const option = privs.includes('GRANT') ? ' WITH GRANT OPTION' : '';
    out.push(stmt(`GRANT ${plain.length ? plain.map(privSql).join(', ') : 'USAGE'} ON ${object} TO ${who}${option}`));
  }
  return out;
}

const stmt = (sql: string): Statement => ({ sql, shown: sql });

/** `` `db`.*: SELECT, INSERT `` lines of a privilege map, for messages. */
export function describePrivs(privs: Privs): string {
  return [...privs].filter(([, s]) => s.size).map(([o, s]) => `${o}:${[...s].sort().join(',')}`).join('/');
}
