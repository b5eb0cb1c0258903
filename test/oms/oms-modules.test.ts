import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { mysqlQueryModule } from '../../src/modules/mysql-query.js';
import { omsSettingsModule } from '../../src/modules/oms-settings.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { buildVars } from '../../src/template/vars.js';
import { makeContext } from '../helpers/module-context.js';

const shared = {
  oms_meta_host: '10.0.0.1', oms_meta_port: 3306, oms_meta_user: 'oms_meta', oms_meta_password: 'Very$ecret',
  oms_vip: '10.0.0.100', cm_location: 1, oms_image: 'oms:feature_4.2.0-ce',
};

function varsFor(hosts: Record<string, Record<string, unknown>>) {
  const hostvars = Object.fromEntries(Object.entries(hosts).map(([h, v]) => [h, { ...shared, ...v }]));
  return { groups: { all: Object.keys(hosts), oms_nodes: Object.keys(hosts) }, hostvars };
}

describe('oms_settings', () => {
  it('sets the normalised settings as a fact', async () => {
    const vars = varsFor({ h1: { ansible_host: '10.0.0.11' }, h2: { ansible_host: '10.0.0.12' } });
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars, checkMode: true }));
    expect(out.failed).toBeUndefined();
    expect(out.msg).toBe('2 node(s) h1=10.0.0.11, h2=10.0.0.12; cm_url http://10.0.0.100:8088; databases drc_rm_db, drc_cm_db, drc_cm_heartbeat_db');
    const oms = (out.data?.facts as { oms: { config: { cm_nodes: string[] } } }).oms;
    expect(oms.config.cm_nodes).toEqual(['10.0.0.11', '10.0.0.12']);
  });

  it('leaves the leaving nodes out of the settings and cm_nodes, and refuses unknown names or removing every node', async () => {
    const vars = varsFor({ h1: { ansible_host: '10.0.0.11' }, h2: { ansible_host: '10.0.0.12' }, h3: { ansible_host: '10.0.0.13' } });
    const out = await runModule(omsSettingsModule, { leaving: 'h3' }, makeContext({ vars, checkMode: true }));
    expect(out.msg).toBe('2 node(s) h1=10.0.0.11, h2=10.0.0.12; leaving h3=10.0.0.13; cm_url http://10.0.0.100:8088; databases drc_rm_db, drc_cm_db, drc_cm_heartbeat_db');
    const oms = (out.data?.facts as { oms: { config: { cm_nodes: string[] }; node_ips: object; leaving: object } }).oms;
    expect(oms.config.cm_nodes).toEqual(['10.0.0.11', '10.0.0.12']);
    expect(oms.node_ips).toEqual({ h1: '10.0.0.11', h2: '10.0.0.12' });
    expect(oms.leaving).toEqual([{ name: 'h3', ip: '10.0.0.13' }]);
    const unknown = await runModule(omsSettingsModule, { leaving: 'h3, h9' }, makeContext({ vars }));
    expect(unknown.msg).toBe('OMS settings: 1 problem\n  oms_leaving: expected hosts of oms_nodes (h1, h2, h3), got h9');
    const every = await runModule(omsSettingsModule, { leaving: ['h1', 'h2', 'h3'] }, makeContext({ vars }));
    expect(every.failed).toBe(true);
    expect(every.msg).toBe('OMS settings: 1 problem\n  oms_leaving: expected at least one node of oms_nodes to stay, got every node (h1, h2, h3); scale-in never removes the last node (destroy.yml removes OMS from every node)');
  });

  it('fails with every problem and no secret, and names a missing group', async () => {
    const vars = varsFor({ h1: { ansible_host: '10.0.0.11', cm_location: 128 }, h2: { ansible_host: 'x y', oms_meta_password: 'Other$ecret' } });
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars }));
    expect(out).toEqual({
      changed: false,
      failed: true,
      msg: [
        'OMS settings: 4 problems',
        '  oms_nodes.h2.oms_meta_password: expected the same value as on h1 (every node shares one config.yaml), got a different value',
        '  oms_nodes.h2.cm_location: expected the same value as on h1 (every node shares one config.yaml), got 1',
        '  cm_location: expected an integer from 0 to 127 (one per region), got 128',
        "  oms_nodes.h2.ansible_host: expected the node's IP address (OMS_HOST_IP defaults to it, else to the node's ansible_default_ipv4.address; set OMS_HOST_IP to the node IP), got \"x y\"",
      ].join('\n'),
    });
    const missing = await runModule(omsSettingsModule, { group: 'oms' }, makeContext({ vars }));
    expect(missing.msg).toBe('OMS settings: 1 problem\n  oms: expected an inventory group of OMS nodes, got no such group (groups: oms_nodes)');
  });

  it('checks inventory names for typos, never the facts of the playbooks (register, set_fact)', async () => {
    const hostvars = {
      h1: buildVars({ hostVars: { ...shared, ansible_host: '10.0.0.11' }, facts: { oms_probe: { changed: false, failed: false }, oms_grup: 'x' } }),
      h2: buildVars({ hostVars: { ...shared, ansible_host: '10.0.0.12', oms_vipp: '10.0.0.9' } }),
    };
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars: { groups: { all: ['h1', 'h2'], oms_nodes: ['h1', 'h2'] }, hostvars } }));
    expect(out.msg).toMatch(/^OMS settings: 1 problem\n  oms_nodes\.h2\.oms_vipp: unknown setting; did you mean "oms_vip"/);
  });

  it("takes a node's default IPv4 address from its facts when ansible_host is a name, reading facts only then", async () => {
    const read: string[] = [];
    const gathered = (host: string, address: string) => ({
      get ansible_default_ipv4() {
        read.push(host);
        return { address, interface: 'eth0' };
      },
    });
    const hostvars = {
      h1: buildVars({ hostVars: { ...shared, ansible_host: '10.0.0.11' }, gatheredFacts: gathered('h1', '10.9.9.1') }),
      h2: buildVars({ hostVars: { ...shared, ansible_host: 'node2.example.com' }, gatheredFacts: gathered('h2', '10.0.0.12') }),
    };
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars: { groups: { all: ['h1', 'h2'], oms_nodes: ['h1', 'h2'] }, hostvars } }));
    expect(out.msg).toBe('2 node(s) h1=10.0.0.11, h2=10.0.0.12; cm_url http://10.0.0.100:8088; databases drc_rm_db, drc_cm_db, drc_cm_heartbeat_db');
    expect(read).toEqual(['h2']);
  });

  it('keeps asking for OMS_HOST_IP when the facts cannot be read (gather_facts: false)', async () => {
    const off = {
      get ansible_default_ipv4(): unknown {
        throw new ConfigError('ansible_default_ipv4 is a fact of h2, and play "p" sets gather_facts: false');
      },
    };
    const hostvars = {
      h1: buildVars({ hostVars: { ...shared, ansible_host: '10.0.0.11' } }),
      h2: buildVars({ hostVars: { ...shared, ansible_host: 'node2.example.com' }, gatheredFacts: off }),
    };
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars: { groups: { all: ['h1', 'h2'], oms_nodes: ['h1', 'h2'] }, hostvars } }));
    expect(out.msg).toBe(
      "OMS settings: 1 problem\n  oms_nodes.h2.ansible_host: expected the node's IP address (OMS_HOST_IP defaults to it, else to the node's ansible_default_ipv4.address; set OMS_HOST_IP to the node IP), got \"node2.example.com\"",
    );
  });

  it('looks for the controller files (image archive, certificate, key) before any node is touched', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-settings-'));
    try {
      writeFileSync(path.join(dir, 'oms.tar.gz'), 'x');
      mkdirSync(path.join(dir, 'certs'));
      const vars = varsFor({ h1: { ansible_host: '10.0.0.11', oms_image_archive: 'oms.tar.gz', oms_https_crt: 'certs', oms_https_key: '/nowhere/oms.key' } });
      const out = await runModule(omsSettingsModule, {}, makeContext({ vars, baseDir: dir }));
      expect(out.msg).toBe([
        'OMS settings: 2 problems',
        `  oms_nodes.oms_https_crt: ${path.join(dir, 'certs')} is not a file`,
        `  oms_nodes.oms_https_key: /nowhere/oms.key is not on the controller (looked in ${dir}); fix the path, or copy the file there`,
      ].join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mysql_query errors', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('names host:port and never the password when the server is unreachable', async () => {
    const closed = await new Promise<number>((r) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    const args = { host: '127.0.0.1', port: closed, user: 'oms_meta', password: 'Very$ecret', databases_exist: ['a'] };
    const out = await runModule(mysqlQueryModule, args, makeContext());
    expect(out).toEqual({ changed: false, failed: true, msg: `cannot reach MySQL at 127.0.0.1:${closed}: connection refused` });
  });

  it('reports a server that drops the connection', async () => {
    const out = await runModule(mysqlQueryModule, { host: '127.0.0.1', port, user: 'u', password: 'Very$ecret', connect_timeout: 2 }, makeContext());
    expect(out.failed).toBe(true);
    expect(out.msg).toMatch(new RegExp(`^cannot reach MySQL at 127\\.0\\.0\\.1:${port}: connection (lost|reset)$`));
  });

  it('refuses query together with databases_exist', async () => {
    await expect(runModule(mysqlQueryModule, { host: 'h', user: 'u', query: 'SELECT 1', databases_exist: ['a'] }, makeContext()))
      .rejects.toThrow('args: expected query or databases_exist, not both');
  });
});
