// `omsrun oms init`: the guided start against a real MariaDB and real SSH hosts, by options and by answers.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { registerOmsInitCommand } from '../../src/cli/oms-init-command.js';
import { loadYamlFile, setVaultSession, VaultSession } from '../../src/vault/index.js';
import { startMetaDb, stopMetaDb, type MetaDb } from '../../scripts/lab/lab-metadb.js';
import { labEnabled } from '../lab/lab-helper.js';
import { useSideLab } from '../lab/side-lab.js';

const VAULT_PW = 'init-vault-pw';

describe.skipIf(!labEnabled())('omsrun oms init on a lab', () => {
  const side = useSideLab('omsini', 2, '/var/tmp/omsrun-labs');
  let db: MetaDb;
  let files: { vault: string; meta: string; key: string };

  beforeAll(async () => {
    db = await startMetaDb(side.lab);
    files = { vault: path.join(side.work, 'vault-pw'), meta: path.join(side.work, 'meta-pw'), key: side.lab.keyFile };
    writeFileSync(files.vault, `${VAULT_PW}\n`);
    writeFileSync(files.meta, `${db.password}\n`);
  }, 120_000);
  afterAll(async () => {
    if (side.lab) await stopMetaDb(side.lab.dir);
  }, 60_000);
  afterEach(() => setVaultSession(undefined));

  // Runs the command in-process with its own streams; `answers` are typed at the questions.
  async function init(args: string[], answers?: string[]): Promise<{ out: string; asked: string; error?: Error }> {
    const stdout = new PassThrough();
    const output = new PassThrough();
    let out = '';
    let asked = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    output.on('data', (d: Buffer) => (asked += d.toString()));
    const input = new PassThrough();
    if (answers) input.end(answers.map((a) => `${a}\n`).join(''));
    const program = new Command().exitOverride();
    registerOmsInitCommand(program, { stdout, terminal: { input, output }, interactive: answers !== undefined });
    try {
      await program.parseAsync(['node', 'omsrun', 'oms', 'init', ...args]);
      return { out, asked };
    } catch (err) {
      return { out, asked, error: err as Error };
    }
  }

  async function inventoryOf(file: string): Promise<Record<string, any>> {
    setVaultSession(new VaultSession({ passwordFile: files.vault, prompt: false }));
    return (await loadYamlFile(file)).data as Record<string, any>;
  }

  const ips = () => side.lab.hosts.map((h) => h.ip);
  const base = () => [
    '--meta-host', db.host, '--meta-port', String(db.port), '--meta-user', db.user, '--meta-password-file', files.meta,
    '--cm-url', '10.9.9.9', '--nodes', ips().join(','), '--ssh-key', files.key, '--host-key-checking', 'accept-new',
    '--image', 'oms:feature_4.2.5-ce', '--vault-password-file', files.vault, '--no-tsdb',
  ];

  it('writes an inventory from options: every check done, passwords vault-encrypted, private file', async () => {
    const file = path.join(side.work, 'opts.yml');
    const r = await init(['opts', '-o', file, ...base(), '--db-prefix', 'initp', '--cm-region', 'east']);
    expect(r.error).toBeUndefined();
    expect(r.out).toContain(`wrote ${file}: 2 node(s) ${ips().join(', ')}, cm_url 10.9.9.9, databases initp_rm, initp_cm, initp_cm_hb`);
    const text = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(text).toContain('oms_meta_password: !vault |');
    expect(text).not.toContain(db.password);
    const inv = await inventoryOf(file);
    const g = inv.all.children.oms_nodes;
    expect(g.hosts).toEqual({ oms1: { ansible_host: ips()[0] }, oms2: { ansible_host: ips()[1] } });
    expect(g.vars).toMatchObject({
      ansible_user: 'root', ansible_ssh_private_key_file: files.key, oms_meta_host: db.host, oms_meta_port: db.port, oms_meta_user: db.user,
      oms_meta_password: db.password, oms_db_prefix: 'initp', cm_url: 'http://10.9.9.9:8088', oms_vip: '10.9.9.9', cm_location: 0,
      cm_region: 'east', tsdb_enabled: false, oms_mount_root: '/data/oms', oms_image: 'oms:feature_4.2.5-ce',
    });
    const again = await init(['opts', '-o', file, ...base()]);
    expect(again.error?.message).toBe(`${file} exists; choose another name, or --force to replace it`);
  }, 60_000);

  it('refuses a wrong MetaDB password or an unreachable node, naming what to fix, and writes nothing', async () => {
    const bad = path.join(side.work, 'bad-pw');
    writeFileSync(bad, 'wrong');
    const file = path.join(side.work, 'refused.yml');
    const args = base().map((a) => (a === files.meta ? bad : a));
    const r = await init(['refused', '-o', file, ...args]);
    expect(r.error?.message).toBe(`MetaDB check: MySQL at ${db.host}:${db.port} refused the login of user '${db.user}': access denied (check the user and password)\n  hint: fix the MetaDB options, or --no-check to skip the checks`);
    expect(r.error?.message).not.toContain('wrong');
    const down = await init(['refused', '-o', file, ...base().map((a) => (a === ips().join(',') ? `${ips()[0]},198.18.254.99` : a)), '--ssh-user', 'root']);
    expect(down.error?.message).toMatch(/^cannot reach 198\.18\.254\.99 over SSH as root\n  hint: fix the node IPs/);
    expect(down.out + down.asked).toMatch(/198\.18\.254\.99: /);
    expect(() => statSync(file)).toThrow();
    const missing = await init(['refused', '-o', file, '--meta-host', db.host]);
    expect(missing.error?.message).toBe('missing answers: --meta-user, --meta-password-file, --cm-url, --nodes, --image\n  hint: give them as options, or run from a terminal to be asked');
  }, 120_000);

  it('asks each question, re-asks a bad answer, warns about existing databases and asks before using them', async () => {
    const admin = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password });
    await admin.query('CREATE DATABASE IF NOT EXISTS taken_rm');
    await admin.end();
    const file = path.join(side.work, 'asked.yml');
    const answers = [
      db.host, String(db.port), db.user, db.password, // MetaDB
      'taken', 'n', 'fresh', // a prefix whose databases exist, refused; another
      ips()[0]!, // cm_url: one node's own address ...
      ips().join(', '), // ... refused once the nodes are known,
      '10.9.9.8:8088', // then the VIP
      '', files.key, // ssh user (root), key
      '300', '3', '', // cm_location out of range, again; cm_region empty
      'n', 'n', // no TSDB, no HTTPS
      '/data/oms2', 'oms:feature_4.2.5-ce', '', // mount root, image, no package
    ];
    const r = await init(['asked', '-o', file, '--vault-password-file', files.vault, '--host-key-checking', 'accept-new'], answers);
    expect(r.error).toBeUndefined();
    expect(r.asked).toContain('MetaDB password: ');
    expect(r.asked).not.toContain(db.password);
    expect(r.asked).toContain('the databases taken_rm already exist in the MetaDB (a redeploy or an upgrade?). Continue with them? (y/n) [n]');
    expect(r.asked).toContain(`expected the VIP or a domain in front of every node, got node 1 (${ips()[0]})'s own address ${ips()[0]}; asking again`);
    expect(r.asked).toContain('expected an integer from 0 to 127, got "300"');
    for (const ip of ips()) expect(r.asked).toMatch(new RegExp(`${ip.replaceAll('.', '\\.')}: SSH ok`));
    const g = (await inventoryOf(file)).all.children.oms_nodes;
    expect(g.vars).toMatchObject({ oms_db_prefix: 'fresh', cm_url: 'http://10.9.9.8:8088', cm_location: 3, oms_mount_root: '/data/oms2', oms_meta_password: db.password });
    expect(g.vars.cm_region).toBeUndefined();
  }, 120_000);
});
