// mysql_user's privilege arithmetic: Ansible's priv spec, SHOW GRANTS lines, and the statements between them.
import { describe, expect, it } from 'vitest';
import { describePrivs, normalizePriv, parsePrivSpec, parseShowGrants, privChanges, privStatements } from '../../src/modules/support/mysql-privs.js';
import { nativePasswordHash } from '../../src/modules/mysql-user.js';
import { placeholders } from '../../src/modules/mysql-query.js';

describe('priv spec', () => {
  it('reads Ansible strings and mappings alike, quoting objects as SHOW GRANTS does', () => {
    const spec = parsePrivSpec('oms_rm.*:ALL,GRANT/*.*:usage/`my-db`.t1:select (b, `a`),insert');
    expect(describePrivs(spec)).toBe('`oms_rm`.*:ALL PRIVILEGES,GRANT/`my-db`.`t1`:INSERT,SELECT (A, B)');
    expect(spec.get('*.*')).toEqual(new Set());
    expect(describePrivs(parsePrivSpec({ 'oms_rm.*': 'ALL,GRANT', 'other.*': 'SELECT' }))).toBe('`oms_rm`.*:ALL PRIVILEGES,GRANT/`other`.*:SELECT');
  });

  it('says what was expected for a wrong spec', () => {
    expect(() => parsePrivSpec('oms_rm.*')).toThrow('expected DB.TABLE:PRIV1,PRIV2 (items separated by /), got "oms_rm.*"');
    expect(() => parsePrivSpec('oms_rm:ALL')).toThrow('expected a privilege object as DB.TABLE (such as mydb.* or *.*), got "oms_rm"');
    expect(() => normalizePriv('SELECT;DROP')).toThrow('expected a privilege name such as SELECT or ALL, got "SELECT;DROP"');
  });
});

describe('SHOW GRANTS', () => {
  const lines = [
    "GRANT SELECT ON *.* TO `a_b`@`%` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'",
    'GRANT SELECT, INSERT ON `oms_rm`.* TO `a_b`@`%` WITH GRANT OPTION',
    'GRANT ALL PRIVILEGES ON `x`.`t` TO `a_b`@`%`',
    'GRANT SELECT (`Host`, `User`) ON `mysql`.`user` TO `a_b`@`%`',
    'GRANT `some_role` TO `a_b`@`%`',
    "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION",
  ];

  it('reads MariaDB 10.11 lines (as seen from a real server), skipping roles and proxies', () => {
    expect(describePrivs(parseShowGrants(lines))).toBe('*.*:SELECT/`oms_rm`.*:GRANT,INSERT,SELECT/`x`.`t`:ALL PRIVILEGES/`mysql`.`user`:SELECT (HOST, USER)');
  });

  it('revokes what is not wanted and grants what is missing; append_privs only grants', () => {
    const current = parseShowGrants(lines);
    const desired = parsePrivSpec('oms_rm.*:SELECT,UPDATE/mysql.user:SELECT(user,host)');
    const statements = privStatements(privChanges(current, desired, false), 'a_b', '%').map((s) => s.sql);
    expect(statements).toEqual([
      "REVOKE SELECT ON *.* FROM 'a_b'@'%'",
      "REVOKE INSERT ON `oms_rm`.* FROM 'a_b'@'%'",
      "REVOKE GRANT OPTION ON `oms_rm`.* FROM 'a_b'@'%'",
      "REVOKE ALL PRIVILEGES ON `x`.`t` FROM 'a_b'@'%'",
      "GRANT UPDATE ON `oms_rm`.* TO 'a_b'@'%'",
    ]);
    const appended = privStatements(privChanges(current, parsePrivSpec('oms_rm.*:UPDATE,GRANT/new.*:ALL'), true), 'a_b', '%').map((s) => s.sql);
    expect(appended).toEqual(["GRANT UPDATE ON `oms_rm`.* TO 'a_b'@'%'", "GRANT ALL PRIVILEGES ON `new`.* TO 'a_b'@'%'"]);
    expect(privStatements(privChanges(current, parseShowGrants(lines), false), 'a_b', '%')).toEqual([]);
  });

  it('grants only the grant option as USAGE WITH GRANT OPTION', () => {
    const s = privStatements(privChanges(new Map(), parsePrivSpec('db.*:GRANT'), false), "o'k", 'h');
    expect(s.map((x) => x.sql)).toEqual(["GRANT USAGE ON `db`.* TO 'o\\'k'@'h' WITH GRANT OPTION"]);
  });
});

describe('password hash and query placeholders', () => {
  it('computes mysql_native_password hashes as the server does (PASSWORD() of MariaDB 10.11)', () => {
    expect(nativePasswordHash('pw')).toBe('*D821809F681A40A6E379B50D0463EFAE20BDD122');
    expect(nativePasswordHash('')).toBe('');
  });

  it("turns Ansible's %s and %(name)s into driver placeholders", () => {
    expect(placeholders('SELECT %s, %s LIKE "a%%"', [1, 'x'])).toEqual({ sql: 'SELECT ?, ? LIKE "a%"', values: [1, 'x'] });
    expect(placeholders('SELECT %(b)s, %(a)s', undefined, { a: 1, b: 2 })).toEqual({ sql: 'SELECT ?, ?', values: [2, 1] });
    expect(() => placeholders('SELECT %s', [])).toThrow('the query has more %s placeholders than positional_args has values (0)');
    expect(() => placeholders('SELECT %(x)s', undefined, {})).toThrow('the query names %(x)s but named_args has no "x"');
    expect(placeholders('SELECT "100%"')).toEqual({ sql: 'SELECT "100%"', values: [] });
  });
});
