import { describe, expect, it } from 'vitest';
import { normaliseCmUrl } from '../../src/oms/cm-url.js';
import { formatProblems } from '../../src/oms/fields.js';
import { validateOmsSettings, type NodeInput } from '../../src/oms/settings.js';

const shared = {
  oms_meta_host: '10.0.0.1',
  oms_meta_port: 3306,
  oms_meta_user: 'oms_meta',
  oms_meta_password: 's3cr:et #pw',
  oms_vip: '10.0.0.100',
  cm_location: 100,
  oms_image: 'oms:feature_4.2.0-ce',
};

function nodes(extra: Record<string, unknown> = {}, per: Record<string, Record<string, unknown>> = {}): NodeInput[] {
  return ['h1', 'h2', 'h3'].map((name, i) => ({ name, vars: { ...shared, ansible_host: `10.0.0.${11 + i}`, ...extra, ...(per[name] ?? {}) } }));
}

function problems(list: NodeInput[]): string {
  const r = validateOmsSettings('oms_nodes', list);
  if (r.ok) throw new Error('expected problems');
  return formatProblems(r.problems);
}

function settings(list: NodeInput[]) {
  const r = validateOmsSettings('oms_nodes', list);
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.settings;
}

describe('cm_url normalisation', () => {
  it.each([
    [{ cm_url: '10.0.0.100' }, 'http://10.0.0.100:8088'],
    [{ cm_url: '10.0.0.100:8088' }, 'http://10.0.0.100:8088'],
    [{ cm_url: 'http://oms.example.com:8088/' }, 'http://oms.example.com:8088'],
    [{ cm_url: 'HTTP://oms.example.com' }, 'http://oms.example.com:8088'],
    [{ cm_url_host: 'http://10.0.0.100', cm_url_port: '8088' }, 'http://10.0.0.100:8088'],
    [{ cm_url_host: 'vip.local' }, 'http://vip.local:8088'],
    [{ cm_url: '[fd00::1]:8088' }, 'http://[fd00::1]:8088'],
  ])('%j → %s', (input, url) => {
    expect(normaliseCmUrl(input)).toMatchObject({ url });
  });

  it.each([
    [{ cm_url: 'http://10.0.0.100:8089' }, 'cm_url: expected the CM port 8088 (8089 is the web console), got 8089'],
    [{ cm_url: 'https://10.0.0.100:8088' }, "cm_url: expected http:// or no scheme (CM on 8088 speaks plain HTTP), got \"https://10.0.0.100:8088\""],
    [{ cm_url: 'http://10.0.0.100:8088/oms' }, "cm_url: expected http://HOST:8088 (a VIP or domain, no path), got \"http://10.0.0.100:8088/oms\""],
    [{ cm_url: 'a b' }, "cm_url: expected a VIP or domain name, got \"a b\""],
    [{ cm_url: 'x', cm_url_host: 'y' }, 'cm_url: expected either cm_url or cm_url_host with cm_url_port, got both'],
    [{ cm_url_port: 8088 }, 'cm_url_host: missing; expected the VIP or domain name that cm_url_port belongs to'],
    [{ cm_url_host: 'vip', cm_url_port: 'x' }, "cm_url_port: expected a port number, got \"x\""],
  ])('%j is refused', (input, msg) => {
    const p = normaliseCmUrl(input) as { path: string; message: string };
    expect(`${p.path}: ${p.message}`).toBe(msg);
  });
});

describe('validateOmsSettings', () => {
  it('normalises a 3-node group with defaults', () => {
    const s = settings(nodes());
    expect(s.config).toEqual({
      oms_meta_host: '10.0.0.1',
      oms_meta_port: 3306,
      oms_meta_user: 'oms_meta',
      oms_meta_password: 's3cr:et #pw',
      drc_rm_db: 'drc_rm_db',
      drc_cm_db: 'drc_cm_db',
      drc_cm_heartbeat_db: 'drc_cm_heartbeat_db',
      cm_url: 'http://10.0.0.100:8088',
      cm_location: 100,
      cm_is_default: true,
      cm_nodes: ['10.0.0.11', '10.0.0.12', '10.0.0.13'],
      tsdb_enabled: false,
      drc_user: null,
      drc_password: null,
      cm_region: null,
      cm_region_cn: null,
    });
    expect(s).toMatchObject({
      node_ips: { h1: '10.0.0.11', h2: '10.0.0.12', h3: '10.0.0.13' },
      mount_root: '/data/oms',
      config_path: '/data/oms/config.yaml',
      container_name: 'oms',
      https: false,
      console_url: 'http://10.0.0.100:8089',
      warn_memory_gb: 16,
      warn_disk_gb: 50,
      databases: ['drc_rm_db', 'drc_cm_db', 'drc_cm_heartbeat_db'],
      dirs: ['/data/oms', '/data/oms/oms_logs', '/data/oms/oms_store', '/data/oms/oms_run'],
      volumes: [
        '/data/oms/config.yaml:/home/admin/conf/config.yaml',
        '/data/oms/oms_logs:/home/admin/logs',
        '/data/oms/oms_store:/home/ds/store',
        '/data/oms/oms_run:/home/ds/run',
      ],
      https_dest: null,
    });
  });

  it('names the databases from a prefix, and takes OMS_HOST_IP over ansible_host', () => {
    const s = settings(nodes({ oms_db_prefix: 'oms' }, { h2: { OMS_HOST_IP: '10.0.1.12' } }));
    expect(s.databases).toEqual(['oms_rm', 'oms_cm', 'oms_cm_hb']);
    expect(s.config.cm_nodes).toEqual(['10.0.0.11', '10.0.1.12', '10.0.0.13']);
  });

  it('keeps the given cm_nodes order, HTTPS console and TSDB settings', () => {
    const s = settings(nodes({
      cm_nodes: ['10.0.0.13', '10.0.0.11', '10.0.0.12'], oms_https_crt: 'certs/oms.crt', oms_https_key: 'certs/oms.key',
      tsdb_enabled: 'true', tsdb_service: 'influxdb', tsdb_url: '10.0.0.5:8086', tsdb_username: 'u', tsdb_password: 'p',
      cm_location: '7', oms_meta_port: '2883',
    }));
    expect(s.config).toMatchObject({ cm_nodes: ['10.0.0.13', '10.0.0.11', '10.0.0.12'], tsdb_service: 'INFLUXDB', cm_location: 7, oms_meta_port: 2883 });
    expect(s.console_url).toBe('https://10.0.0.100:8089');
    expect(s.volumes.slice(4)).toEqual([
      '/data/oms/https/oms_server.crt:/etc/pki/nginx/oms_server.crt',
      '/data/oms/https/oms_server.key:/etc/pki/nginx/oms_server.key',
    ]);
  });

  it('lists every problem with its key path, never a password', () => {
    const list = nodes(
      { cm_location: 200, oms_meta_password: 12345678, oms_image: undefined, oms_vip: undefined, cm_url: 'http://127.0.0.1:8088' },
      { h2: { ansible_host: 'node2.example.com', cm_location: 5 } },
    );
    expect(problems(list)).toBe([
      'OMS settings: 5 problems',
      '  oms_nodes.h2.cm_location: expected the same value as on h1 (every node shares one config.yaml), got 5',
      '  cm_location: expected an integer from 0 to 127 (one per region), got 200',
      '  oms_image: missing; expected the image to run, REPOSITORY:TAG or an image ID',
      "  oms_nodes.h2.ansible_host: expected the node's IP address (OMS_HOST_IP defaults to it, else to the node's ansible_default_ipv4.address; set OMS_HOST_IP to the node IP), got \"node2.example.com\"",
      '  cm_url: expected the VIP or a domain in front of every node, got the loopback address 127.0.0.1 (wrong for 3 nodes)',
    ].join('\n'));
    const r = validateOmsSettings('oms_nodes', nodes({ oms_meta_password: ['x'] }, { h2: { ansible_host: 'node2.example.com' } }));
    expect(r.ok ? '' : formatProblems(r.problems)).toBe([
      'OMS settings: 2 problems',
      '  oms_meta_password: expected the MetaDB password as a string, got a list',
      "  oms_nodes.h2.ansible_host: expected the node's IP address (OMS_HOST_IP defaults to it, else to the node's ansible_default_ipv4.address; set OMS_HOST_IP to the node IP), got \"node2.example.com\"",
    ].join('\n'));
  });

  it('refuses loopback or a node of its own as cm_url with several nodes, but not with one', () => {
    expect(problems(nodes({ cm_url: 'localhost:8088' }))).toContain(
      'cm_url: expected the VIP or a domain in front of every node, got the loopback address localhost (wrong for 3 nodes)',
    );
    expect(problems(nodes({ cm_url: '10.0.0.12' }))).toContain(
      "cm_url: expected the VIP or a domain in front of every node, got h2's own address 10.0.0.12",
    );
    const one = [{ name: 'h1', vars: { ...shared, oms_vip: undefined, cm_url: '127.0.0.1', ansible_host: '10.0.0.11' } }];
    expect(settings(one).config.cm_url).toBe('http://127.0.0.1:8088');
  });

  it('checks cm_nodes, database names, HTTPS pairs, TSDB and typos', () => {
    const out = problems(nodes({
      cm_nodes: ['10.0.0.11', '10.0.0.99'], oms_db_prefix: 'p', drc_rm_db: 'a', oms_https_crt: '/c.crt',
      tsdb_enabled: true, tsdb_url: 'x:8086', cm_loction: 3, drc_password: 'pw-secret', oms_meta_pasword: 'pw-secret',
    }));
    expect(out).toBe([
      'OMS settings: 9 problems',
      '  oms_nodes.h1.cm_loction: unknown setting; did you mean "cm_location"?',
      '  oms_nodes.h1.oms_meta_pasword: unknown setting; did you mean "oms_meta_password"?',
      '  oms_db_prefix: expected either oms_db_prefix or the database names, got both (drc_rm_db)',
      '  drc_cm_db: missing; expected all three database names when one is given (missing: drc_cm_db, drc_cm_heartbeat_db)',
      '  oms_https_key: missing; expected both oms_https_crt and oms_https_key, or neither',
      '  drc_user: missing; expected drc_user with drc_password',
      '  cm_nodes: expected the IPs of every node (10.0.0.11, 10.0.0.12, 10.0.0.13), got 10.0.0.11, 10.0.0.99; missing 10.0.0.12, 10.0.0.13; not a node: 10.0.0.99',
      '  tsdb_username: missing; expected a value when tsdb_enabled is true',
      '  tsdb_password: missing; expected a value when tsdb_enabled is true',
    ].join('\n'));
    expect(out).not.toContain('pw-secret');
  });

  it('takes more config.yaml keys from oms_config_extra, but none omsrun writes itself', () => {
    expect(settings(nodes()).config_extra).toBeNull();
    expect(settings(nodes({ oms_config_extra: {} })).config_extra).toBeNull();
    expect(settings(nodes({ oms_config_extra: { standin_init_seconds: 15, x_flag: true, note: 'a: b' } })).config_extra)
      .toEqual({ standin_init_seconds: 15, x_flag: true, note: 'a: b' });
    expect(problems(nodes({ oms_config_extra: { cm_location: 3, ok_key: 1 } }))).toBe(
      'OMS settings: 1 problem\n  oms_config_extra.cm_location: expected a key omsrun does not write itself; set the variable cm_location instead',
    );
    const expected = 'expected a mapping of config.yaml keys (letters, digits and _) to strings, numbers or booleans';
    expect(problems(nodes({ oms_config_extra: ['a'] }))).toBe(`OMS settings: 1 problem\n  oms_config_extra: ${expected}, got a list`);
    expect(problems(nodes({ oms_config_extra: { 'bad key': 1 } }))).toBe(`OMS settings: 1 problem\n  oms_config_extra: ${expected}, got a mapping`);
    expect(problems(nodes({ oms_config_extra: { k: { nested: 1 } } }))).toBe(`OMS settings: 1 problem\n  oms_config_extra: ${expected}, got a mapping`);
  });

  it('reports a missing group, duplicate IPs and a differing secret without its value', () => {
    expect(problems([])).toBe('OMS settings: 1 problem\n  oms_nodes: expected at least one host in the group, got none');
    const out = problems(nodes({}, { h3: { ansible_host: '10.0.0.11', oms_meta_password: 'other-secret' } }));
    expect(out).toBe([
      'OMS settings: 2 problems',
      '  oms_nodes.h3.oms_meta_password: expected the same value as on h1 (every node shares one config.yaml), got a different value',
      '  oms_nodes.h3.ansible_host: expected a distinct IP for every node, got 10.0.0.11, the IP of h1',
    ].join('\n'));
    expect(out).not.toContain('other-secret');
  });
});
