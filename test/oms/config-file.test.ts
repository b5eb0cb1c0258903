// oms_config_file: deploying from an existing config.yaml, its keys checked by the same rules as inventory settings.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { omsSettingsModule } from '../../src/modules/oms-settings.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { makeContext } from '../helpers/module-context.js';

const config = [
  'oms_meta_host: 10.0.0.1',
  'oms_meta_port: 3306',
  'oms_meta_user: oms_meta',
  "oms_meta_password: 'File$ecret'",
  'drc_rm_db: p_rm',
  'drc_cm_db: p_cm',
  'drc_cm_heartbeat_db: p_cm_hb',
  'drc_user:',
  'drc_password:',
  'cm_url: http://10.0.0.100:8088',
  'cm_location: 2',
  'cm_region:',
  'cm_is_default: true',
  'cm_nodes:',
  '  - 10.0.0.11',
  '  - 10.0.0.12',
  'tsdb_enabled: false',
  '',
].join('\n');

const nodes = { h1: { ansible_host: '10.0.0.11' }, h2: { ansible_host: '10.0.0.12' } };

// Only what config.yaml does not hold comes from the inventory.
function inventory(hosts: Record<string, Record<string, unknown>>) {
  return {
    groups: { all: Object.keys(hosts), oms_nodes: Object.keys(hosts) },
    hostvars: Object.fromEntries(Object.entries(hosts).map(([h, v]) => [h, { oms_image: 'oms:feature_4.2.0-ce', oms_config_file: 'config.yaml', ...v }])),
  };
}

describe('oms_settings with oms_config_file', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'omsrun-config-file-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes every config.yaml key from the file, relative to the playbook folder', async () => {
    writeFileSync(path.join(dir, 'config.yaml'), config);
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars: inventory(nodes), baseDir: dir, checkMode: true }));
    expect(out.failed).toBeUndefined();
    expect(out.msg).toBe(`2 node(s) h1=10.0.0.11, h2=10.0.0.12; cm_url http://10.0.0.100:8088; databases p_rm, p_cm, p_cm_hb; config.yaml keys from ${path.join(dir, 'config.yaml')}`);
    const oms = (out.data?.facts as { oms: { config: Record<string, unknown> } }).oms;
    expect(oms.config).toMatchObject({ oms_meta_password: 'File$ecret', cm_location: 2, cm_nodes: ['10.0.0.11', '10.0.0.12'], drc_user: null, cm_region: null });
  });

  it('names the file, line and column of a bad value or an unknown key, with the nearest key', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, config.replace('cm_location: 2', 'cm_location: 300').replace('cm_region:', 'cm_regoin: east'));
    const vars = inventory(nodes);
    for (const v of Object.values(vars.hostvars)) v.oms_config_file = file;
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars, baseDir: dir }));
    expect(out.msg).toBe([
      'OMS settings: 2 problems',
      `  ${file}:12:1 cm_regoin: not a config.yaml key; did you mean "cm_region"?`,
      `  ${file}:11:14 cm_location: expected an integer from 0 to 127 (one per region), got 300`,
    ].join('\n'));
  });

  it('keeps the keys OMS reads that omsrun does not write as extra lines of config.yaml', async () => {
    writeFileSync(path.join(dir, 'extra.yaml'), `${config}ghana_server_port: 8090\nstandin_init_seconds: 1\n`);
    const vars = inventory(nodes);
    for (const v of Object.values(vars.hostvars)) Object.assign(v, { oms_config_file: 'extra.yaml', oms_config_extra: { standin_init_seconds: 2 } });
    const clash = await runModule(omsSettingsModule, {}, makeContext({ vars, baseDir: dir }));
    expect(clash.msg).toBe([
      'OMS settings: 2 problems',
      `  oms_nodes.h1.oms_config_extra.standin_init_seconds: expected no value or the one in ${path.join(dir, 'extra.yaml')}, got 2; remove one of them`,
      `  oms_nodes.h2.oms_config_extra.standin_init_seconds: expected no value or the one in ${path.join(dir, 'extra.yaml')}, got 2; remove one of them`,
    ].join('\n'));
    for (const v of Object.values(vars.hostvars)) delete (v as Record<string, unknown>).oms_config_extra;
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars, baseDir: dir, checkMode: true }));
    expect(out.failed).toBeUndefined();
    expect((out.data?.facts as { oms: { config_extra: unknown } }).oms.config_extra).toEqual({ ghana_server_port: 8090, standin_init_seconds: 1 });
  });

  it('refuses an inventory value that disagrees with the file, without showing a secret', async () => {
    writeFileSync(path.join(dir, 'config.yaml'), config);
    const vars = inventory({ h1: { ansible_host: '10.0.0.11', oms_meta_password: 'Inventory$ecret', cm_location: 2 }, h2: { ansible_host: '10.0.0.12' } });
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars, baseDir: dir }));
    expect(out.failed).toBe(true);
    expect(out.msg).toBe([
      'OMS settings: 1 problem',
      `  oms_nodes.h1.oms_meta_password: expected no value or the one in ${path.join(dir, 'config.yaml')} (oms_config_file is the source of config.yaml), got a different value; remove the variable or the key in the file`,
    ].join('\n'));
    expect(out.msg).not.toContain('$ecret');
  });

  it('checks cm_nodes of the file against the nodes, and names a missing file or one that is not a mapping', async () => {
    writeFileSync(path.join(dir, 'config.yaml'), config.replace('  - 10.0.0.12', '  - 10.0.0.99'));
    const out = await runModule(omsSettingsModule, {}, makeContext({ vars: inventory(nodes), baseDir: dir }));
    expect(out.msg).toBe(`OMS settings: 1 problem\n  ${path.join(dir, 'config.yaml')}:15:3 cm_nodes: expected the IPs of every node (10.0.0.11, 10.0.0.12), got 10.0.0.11, 10.0.0.99; missing 10.0.0.12; not a node: 10.0.0.99`);
    const missing = await runModule(omsSettingsModule, {}, makeContext({ vars: inventory({ h1: { ansible_host: '10.0.0.11', oms_config_file: 'gone.yaml' } }), baseDir: dir }));
    expect(missing.msg).toBe(`OMS settings: 1 problem\n  oms_nodes.oms_config_file: gone.yaml is not on the controller (looked in ${dir}); fix the path, or copy the file there`);
    writeFileSync(path.join(dir, 'list.yaml'), '- a\n- b\n');
    const list = await runModule(omsSettingsModule, {}, makeContext({ vars: inventory({ h1: { ansible_host: '10.0.0.11', oms_config_file: 'list.yaml' } }), baseDir: dir }));
    expect(list.msg).toBe(`OMS settings: 1 problem\n  ${path.join(dir, 'list.yaml')}:1:1 oms_config_file: expected the mapping of a config.yaml (oms_meta_host: ..., cm_url: ...), got a list`);
  });
});
