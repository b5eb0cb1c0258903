// mysql_db, mysql_user and mysql_query against the lab's real MariaDB: converge, rerun without changes, check mode, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { mysqlDbModule } from '../../src/modules/mysql-db.js';
import { mysqlQueryModule } from '../../src/modules/mysql-query.js';
import { mysqlUserModule } from '../../src/modules/mysql-user.js';
import type { Module, ModuleOutcome } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { startMetaDb, stopMetaDb, type MetaDb } from '../../scripts/lab/lab-metadb.js';
import { omsrun } from '../cli/cli-helper.js';
import { makeContext } from '../helpers/module-context.js';
import { labEnabled } from '../lab/lab-helper.js';
import { useSideLab, writeFiles } from '../lab/side-lab.js';

const APP_PASSWORD = 'App#pw:9 secret';

describe.skipIf(!labEnabled())('mysql modules on a real MariaDB', () => {
  const side = useSideLab('mydb', 1, '/var/tmp/omsrun-labs');
  let db: MetaDb;
  let login: Record<string, unknown>;

  beforeAll(async () => {
    db = await startMetaDb(side.lab);
    login = { login_host: db.host, login_port: db.port, login_user: db.user, login_password: db.password, connect_timeout: 5 };
  }, 120_000);
  afterAll(async () => {
    if (side.lab) await stopMetaDb(side.lab.dir);
  }, 60_000);

  const run = (m: Module, args: Record<string, unknown>, checkMode = false): Promise<ModuleOutcome> =>
    runModule(m, { ...login, ...args }, makeContext({ checkMode }));

  async function sql<R = Record<string, unknown>>(query: string, values: unknown[] = []): Promise<R[]> {
    const conn = await mysql.createConnection({ ...db, connectTimeout: 5000 });
    try {
      const [rows] = await conn.query(query, values);
      return rows as R[];
    } finally {
      await conn.end();
    }
  }
  const grants = async (user: string, host: string): Promise<string[]> =>
    (await sql(`SHOW GRANTS FOR ?@?`, [user, host])).map((r) => String(Object.values(r)[0])).slice(1).sort();
  const canLogin = async (user: string, password: string): Promise<boolean> => {
    try {
      const conn = await mysql.createConnection({ host: db.host, port: db.port, user, password, connectTimeout: 5000 });
      await conn.end();
      return true;
    } catch {
      return false;
    }
  };

  describe('mysql_db', () => {
    it('creates databases (check mode first changes nothing), then changes nothing', async () => {
      await sql('DROP DATABASE IF EXISTS my_a');
      await sql('DROP DATABASE IF EXISTS my_b');
      const args = { name: ['my_a', 'my_b'], encoding: 'utf8mb4', collation: 'utf8mb4_bin' };
      const checked = await run(mysqlDbModule, args, true);
      expect(checked).toMatchObject({ changed: true });
      expect(checked.msg).toContain('CREATE DATABASE `my_a` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
      expect(await sql("SHOW DATABASES LIKE 'my\\_%'")).toHaveLength(0);
      const first = await run(mysqlDbModule, args);
      expect(first, first.msg).toMatchObject({ changed: true, data: { db: 'my_a my_b', db_list: ['my_a', 'my_b'] } });
      expect(first.data?.executed_commands).toEqual([
        'CREATE DATABASE `my_a` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
        'CREATE DATABASE `my_b` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
      ]);
      const cols = await sql<{ c: string }>("SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'my_b'");
      expect(cols[0]!.c).toBe('utf8mb4_bin');
      expect(await run(mysqlDbModule, args)).toMatchObject({ changed: false, msg: `${db.host}:${db.port}: my_a, my_b exist` });
      expect(await run(mysqlDbModule, { db: 'my_a' })).toMatchObject({ changed: false });
    });

    it('changes the collation of an existing database, and drops', async () => {
      const alter = await run(mysqlDbModule, { name: 'my_a', collation: 'utf8mb4_general_ci' });
      expect(alter).toMatchObject({ changed: true, data: { executed_commands: ['ALTER DATABASE `my_a` COLLATE utf8mb4_general_ci'] } });
      expect(await run(mysqlDbModule, { name: 'my_a', collation: 'utf8mb4_general_ci' })).toMatchObject({ changed: false });
      expect(await run(mysqlDbModule, { name: 'my_b', state: 'absent' }, true)).toMatchObject({ changed: true });
      expect(await sql("SHOW DATABASES LIKE 'my\\_b'")).toHaveLength(1);
      expect(await run(mysqlDbModule, { name: 'my_b', state: 'absent' })).toMatchObject({ changed: true, msg: `${db.host}:${db.port}: DROP DATABASE \`my_b\`` });
      expect(await run(mysqlDbModule, { name: 'my_b', state: 'absent' })).toMatchObject({ changed: false, msg: `${db.host}:${db.port}: my_b does not exist` });
    });

    it('refuses dump and a unix socket with what to do instead', async () => {
      await expect(run(mysqlDbModule, { name: 'x', state: 'dump' })).rejects.toThrow(
        'args.state: expected present or absent, got "dump" (dump and import are not supported: use command with mysqldump or mysql)',
      );
      await expect(run(mysqlDbModule, { name: 'x', login_unix_socket: '/run/mysqld/mysqld.sock' })).rejects.toThrow(
        'args.login_unix_socket: expected login_host and login_port, got login_unix_socket "/run/mysqld/mysqld.sock": omsrun logs in to MySQL from the controller over TCP, never through a unix socket',
      );
    });
  });

  describe('mysql_user', () => {
    const app = { name: 'my_app', host: '%', password: APP_PASSWORD };

    it('creates the account with its privileges (check mode first), then changes nothing', async () => {
      await sql("DROP USER IF EXISTS 'my_app'@'%'");
      const args = { ...app, priv: 'my_a.*:ALL,GRANT/mysql.user:SELECT' };
      const checked = await run(mysqlUserModule, args, true);
      expect(checked).toMatchObject({ changed: true });
      expect(checked.msg).toBe(
        "User added 'my_app'@'%': CREATE USER 'my_app'@'%' IDENTIFIED BY '********'; GRANT ALL PRIVILEGES ON `my_a`.* TO 'my_app'@'%' WITH GRANT OPTION; GRANT SELECT ON `mysql`.`user` TO 'my_app'@'%'",
      );
      expect(await sql("SELECT 1 FROM mysql.user WHERE User = 'my_app'")).toHaveLength(0);
      const first = await run(mysqlUserModule, args);
      expect(first, first.msg).toMatchObject({ changed: true, data: { user: 'my_app', password_changed: true } });
      expect(first.msg).not.toContain(APP_PASSWORD);
      expect(await canLogin('my_app', APP_PASSWORD)).toBe(true);
      expect(await grants('my_app', '%')).toEqual([
        'GRANT ALL PRIVILEGES ON `my_a`.* TO `my_app`@`%` WITH GRANT OPTION',
        'GRANT SELECT ON `mysql`.`user` TO `my_app`@`%`',
      ]);
      const again = await run(mysqlUserModule, args);
      expect(again).toMatchObject({ changed: false, msg: "User unchanged 'my_app'@'%'", data: { password_changed: false } });
      expect(await run(mysqlUserModule, { ...args, priv: { 'mysql.user': 'select', 'my_a.*': 'GRANT,ALL' } })).toMatchObject({ changed: false });
    });

    it('sets a changed password (not in check mode), and leaves it with update_password on_create', async () => {
      const checked = await run(mysqlUserModule, { ...app, password: 'other-pw' }, true);
      expect(checked).toMatchObject({ changed: true, msg: "Password updated 'my_app'@'%': ALTER USER 'my_app'@'%' IDENTIFIED BY '********'" });
      expect(await canLogin('my_app', APP_PASSWORD)).toBe(true);
      expect(await run(mysqlUserModule, { ...app, password: 'other-pw', update_password: 'on_create' })).toMatchObject({ changed: false });
      expect(await run(mysqlUserModule, { ...app, password: 'other-pw' })).toMatchObject({ changed: true, data: { password_changed: true } });
      expect(await canLogin('my_app', 'other-pw')).toBe(true);
      expect(await run(mysqlUserModule, { ...app, password: 'other-pw' })).toMatchObject({ changed: false });
      expect(await run(mysqlUserModule, app)).toMatchObject({ changed: true, msg: expect.stringMatching(/^Password updated/) });
    });

    it('replaces privileges, or appends them with append_privs', async () => {
      const replaced = await run(mysqlUserModule, { ...app, priv: 'my_a.*:SELECT,INSERT' });
      expect(replaced.msg).toBe(
        "Privileges updated 'my_app'@'%': REVOKE ALL PRIVILEGES ON `my_a`.* FROM 'my_app'@'%'; REVOKE GRANT OPTION ON `my_a`.* FROM 'my_app'@'%'; " +
          "REVOKE SELECT ON `mysql`.`user` FROM 'my_app'@'%'; GRANT INSERT, SELECT ON `my_a`.* TO 'my_app'@'%'",
      );
      expect(await grants('my_app', '%')).toEqual(['GRANT SELECT, INSERT ON `my_a`.* TO `my_app`@`%`']);
      const appended = await run(mysqlUserModule, { name: 'my_app', host: '%', priv: '*.*:PROCESS', append_privs: true });
      expect(appended).toMatchObject({ changed: true, msg: "Privileges updated 'my_app'@'%': GRANT PROCESS ON *.* TO 'my_app'@'%'" });
      expect(await run(mysqlUserModule, { name: 'my_app', host: '%', priv: '*.*:PROCESS', append_privs: true })).toMatchObject({ changed: false });
      expect(await grants('my_app', '%')).toEqual(['GRANT SELECT, INSERT ON `my_a`.* TO `my_app`@`%`']);
      const all = await sql<{ g: string }>("SHOW GRANTS FOR 'my_app'@'%'");
      expect(String(Object.values(all[0]!)[0])).toMatch(/^GRANT PROCESS ON \*\.\* TO `my_app`@`%`/);
    });

    it('host_all updates every host of the name and never creates one; absent drops', async () => {
      await sql("CREATE USER IF NOT EXISTS 'my_app'@'localhost'");
      const all = await run(mysqlUserModule, { name: 'my_app', host_all: true, priv: 'my_a.*:SELECT' });
      expect(all.changed, all.msg).toBe(true);
      expect(all.msg).toContain("GRANT SELECT ON `my_a`.* TO 'my_app'@'localhost'");
      expect(all.msg).toContain("REVOKE INSERT ON `my_a`.* FROM 'my_app'@'%'");
      expect(await run(mysqlUserModule, { name: 'my_app', host_all: true, priv: 'my_a.*:SELECT' })).toMatchObject({ changed: false });
      expect(await run(mysqlUserModule, { name: 'my_nobody', host_all: true, password: 'x' })).toMatchObject({
        failed: true, msg: "no account named 'my_nobody' exists, and host_all never creates one: give host instead",
      });
      expect(await run(mysqlUserModule, { name: 'my_app', host_all: true, state: 'absent' })).toMatchObject({ changed: true, msg: expect.stringMatching(/^User deleted/) });
      expect(await sql("SELECT 1 FROM mysql.user WHERE User = 'my_app'")).toHaveLength(0);
      expect(await run(mysqlUserModule, { name: 'my_app', state: 'absent' })).toMatchObject({ changed: false, msg: "User doesn't exist 'my_app'@'localhost'" });
    });

    it('says where a bad priv is, and a wrong login password fails without showing it', async () => {
      await expect(run(mysqlUserModule, { name: 'x', priv: 'my_a.*' })).rejects.toThrow('args.priv: expected DB.TABLE:PRIV1,PRIV2 (items separated by /), got "my_a.*"');
      const out = await run(mysqlUserModule, { ...app, login_password: 'Wrong#pw:1' });
      expect(out).toEqual({ changed: false, failed: true, msg: `MySQL at ${db.host}:${db.port} refused the login of user 'oms_meta': access denied (check the user and password)` });
    });
  });

  describe('mysql_query', () => {
    it("takes Ansible's login_* names and %s / %(name)s arguments", async () => {
      const out = await runModule(mysqlQueryModule, {
        ...login, connect_timeout: 5, query: 'SELECT %s AS a, %s AS b', positional_args: [1, "it's"],
      }, makeContext());
      expect(out, out.msg).toMatchObject({ changed: false, data: { rows: [{ a: 1, b: "it's" }], rowcount: [1] } });
      const named = await runModule(mysqlQueryModule, {
        ...login, login_db: 'my_a', query: 'SELECT DATABASE() AS d, %(x)s AS x', named_args: { x: 'y' },
      }, makeContext());
      expect(named.data?.rows).toEqual([{ d: 'my_a', x: 'y' }]);
    });
  });

  describe('a playbook written as for Ansible', () => {
    const PLAYBOOK = `- name: OMS MetaDB prerequisites
  hosts: localhost
  gather_facts: false
  tasks:
    - name: databases
      community.mysql.mysql_db:
        login_host: "{{ meta_host }}"
        login_port: "{{ meta_port }}"
        login_user: "{{ meta_user }}"
        login_password: "{{ meta_admin_pass }}"
        name: [my_rm, my_cm]
        encoding: utf8mb4
    - name: OMS account
      community.mysql.mysql_user:
        login_host: "{{ meta_host }}"
        login_port: "{{ meta_port }}"
        login_user: "{{ meta_user }}"
        login_password: "{{ meta_admin_pass }}"
        name: my_oms
        host: "%"
        password: "${APP_PASSWORD}"
        priv: "my_rm.*:ALL/my_cm.*:ALL"
      register: oms_user
    - name: what was done
      debug:
        msg: "{{ oms_user.msg }}"
`;

    it('converges, the second run changes nothing, and the literal password never shows', async () => {
      await sql("DROP USER IF EXISTS 'my_oms'@'%'");
      const dir = writeFiles(side, { 'site.yml': PLAYBOOK });
      const extra = ['-e', `meta_host=${db.host}`, '-e', `meta_port=${db.port}`, '-e', `meta_user=${db.user}`, '-e', `meta_admin_pass=${db.password}`];
      const syntax = await omsrun(['site.yml', '--syntax-check'], { cwd: dir });
      expect(syntax.code, syntax.stdout + syntax.stderr).toBe(0);
      const checked = await omsrun(['site.yml', '-C', ...extra], { cwd: dir });
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
      expect(await sql("SELECT 1 FROM mysql.user WHERE User = 'my_oms'")).toHaveLength(0);
      const first = await omsrun(['site.yml', '-vv', ...extra], { cwd: dir });
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toMatch(/localhost +: ok=3 +changed=2 +failed=0/);
      expect(first.stdout).toContain("User added 'my_oms'@'%': CREATE USER 'my_oms'@'%' IDENTIFIED BY '********'");
      expect(await canLogin('my_oms', APP_PASSWORD)).toBe(true);
      const second = await omsrun(['site.yml', '--json', ...extra], { cwd: dir });
      expect(second.code, second.stdout + second.stderr).toBe(0);
      const recap = second.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; stats?: Record<string, { changed: number }> }).find((e) => e.kind === 'recap');
      expect(recap?.stats?.['localhost']).toMatchObject({ changed: 0, failed: 0 });
      for (const out of [checked, first, second]) {
        expect(out.stdout + out.stderr).not.toContain(APP_PASSWORD);
        expect(out.stdout + out.stderr).not.toContain(db.password);
      }
    }, 120_000);
  });
});
