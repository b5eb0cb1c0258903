import { describe, expect, it } from 'vitest';
import { hostVars } from '../../src/inventory/host-vars.js';
import { loadInventory, resolveInventory } from '../../src/inventory/load.js';
import { errorOf, tree } from './tmp-tree.js';

const nested = `all:
  vars:
    ntp: pool.ntp.org
    role: none
  hosts:
    bastion:
      ansible_host: 10.0.0.1
  children:
    web:
      vars:
        role: web
      hosts:
        web[01:02].example.com:
          http_port: 8080
    db:
      hosts:
        db1:
      children:
        db_primary:
          vars:
            role: primary
          hosts:
            db1:
              ansible_port: 2222
`;

describe('inventory loading', () => {
  it('loads an Ansible YAML inventory with nested children and host ranges', async () => {
    tree({ 'inventories/prod.yml': nested });
    const inv = await resolveInventory('prod', process.cwd());
    expect([...inv.hosts.keys()]).toEqual(['bastion', 'web01.example.com', 'web02.example.com', 'db1', 'localhost']);
    expect([...inv.groups.keys()]).toEqual(['all', 'ungrouped', 'web', 'db', 'db_primary']);
    expect(inv.groups.get('db')!.children).toEqual(['db_primary']);
    expect(inv.hosts.get('db1')!.groups).toEqual(['all', 'db', 'db_primary']);
    expect(hostVars(inv, 'db1')).toEqual({ ntp: 'pool.ntp.org', role: 'primary', ansible_port: 2222 });
    expect(hostVars(inv, 'web02.example.com')).toEqual({ ntp: 'pool.ntp.org', role: 'web', http_port: 8080 });
    expect(inv.hosts.get('localhost')).toMatchObject({ implicit: true, vars: { ansible_connection: 'local' } });
  });

  it('loads a folder with hosts.yml, group_vars (file and folder) and host_vars', async () => {
    tree({
      'inventories/staging/hosts.yml': 'all:\n  children:\n    web:\n      hosts:\n        w1:\n        w2:\n',
      'inventories/staging/group_vars/all.yml': 'region: eu\nrole: none\n',
      'inventories/staging/group_vars/web/10-base.yml': 'role: web\nport: 80\n',
      'inventories/staging/group_vars/web/20-more.yaml': 'port: 8080\n',
      'inventories/staging/host_vars/w2.yml': 'port: 9090\n',
    });
    const inv = await resolveInventory('staging', process.cwd());
    expect(hostVars(inv, 'w1')).toEqual({ region: 'eu', role: 'web', port: 8080 });
    expect(hostVars(inv, 'w2')).toEqual({ region: 'eu', role: 'web', port: 9090 });
  });

  it('merges a host listed in several groups and orders siblings by inventory order', async () => {
    tree({ 'hosts.yml': 'all:\n  children:\n    a:\n      vars: {x: a}\n      hosts:\n        h1: {v: 1}\n    b:\n      vars: {x: b}\n      hosts:\n        h1: {w: 2}\n' });
    const inv = await loadInventory('hosts.yml');
    expect(inv.hosts.get('h1')!.groups).toEqual(['all', 'a', 'b']);
    expect(hostVars(inv, 'h1')).toEqual({ x: 'b', v: 1, w: 2 });
  });

  it('accepts top-level groups besides all', async () => {
    tree({ 'inv.yml': 'web:\n  hosts:\n    w1:\n' });
    const inv = await loadInventory('inv.yml');
    expect(inv.groups.get('all')!.children).toEqual(['ungrouped', 'web']);
    expect(inv.hosts.get('w1')!.groups).toEqual(['all', 'web']);
  });

  it('uses inventories/default.yml without -i, and localhost alone without an inventories folder', async () => {
    tree({ 'inventories/default.yml': 'all:\n  hosts:\n    d1:\n' });
    expect([...(await resolveInventory(undefined, process.cwd())).hosts.keys()]).toEqual(['d1', 'localhost']);
    const dir = tree({ 'playbook.yml': '' });
    const inv = await resolveInventory(undefined, dir);
    expect(inv.source).toBe('');
    expect(inv.groups.get('all')!.hosts).toEqual(['localhost']);
  });

  it('accepts a path to a file given with -i', async () => {
    tree({ 'elsewhere/my.yml': 'all:\n  hosts:\n    x1:\n' });
    expect([...(await resolveInventory('elsewhere/my.yml', process.cwd())).hosts.keys()]).toEqual(['x1', 'localhost']);
  });
});

describe('inventory errors', () => {
  it('lists found inventories when default.yml is missing', async () => {
    tree({ 'inventories/prod.yml': '', 'inventories/staging/hosts.yml': '' });
    expect(await errorOf(() => resolveInventory(undefined, process.cwd()))).toBe(
      'no inventory given and inventories/default.yml does not exist; found: prod, staging; pass one with -i NAME',
    );
  });

  it('names an unknown -i with the inventories found and a did-you-mean', async () => {
    tree({ 'inventories/prod.yml': '', 'inventories/staging.yaml': '' });
    expect(await errorOf(() => resolveInventory('prdo', process.cwd()))).toBe(
      'inventory "prdo" not found: no inventories/prdo.yml, .yaml or .ini, no inventories/prdo file or folder, no path prdo; found: prod, staging\n  hint: did you mean "prod"?',
    );
  });

  it('reports bad structure with positions, all at once', async () => {
    tree({
      'inventories/bad.yml': 'all:\n  host:\n    w1:\n  children:\n    web:\n      hosts: [w1, w2]\n    db:\n      vars: 3\n',
    });
    expect(await errorOf(() => resolveInventory('bad', process.cwd()))).toBe(
      [
        'inventories/bad.yml:2:3 all.host: unknown key "host"\n  hint: did you mean "hosts"?',
        'inventories/bad.yml:6:14 all.children.web.hosts: expected a mapping of host names, got a list',
        'inventories/bad.yml:8:13 all.children.db.vars: expected a mapping of variables, got 3',
      ].join('\n'),
    );
  });

  it('rejects group cycles and a group named like a host', async () => {
    tree({ 'inv.yml': 'all:\n  hosts:\n    web:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n' });
    expect(await errorOf(() => loadInventory('inv.yml'))).toBe('inv.yml:5:5: group cycle: a → b → a\n  hint: a group cannot be its own ancestor');
    tree({ 'inv.yml': 'all:\n  hosts:\n    web:\n  children:\n    web:\n' });
    expect(await errorOf(() => loadInventory('inv.yml'))).toBe('inv.yml:3:5: "web" is both a host and a group\n  hint: rename the group or the host');
  });

  it('refuses host ranges too large to count instead of filling memory (the fuzz test once ran out of heap)', async () => {
    const big = '99999999999999999999';
    tree({ 'big.yml': `all:\n  hosts:\n    web[${big}:${big}]:\n`, 'big.ini': `[web]\nweb[9007199254740993:9007199254740995]\n`, 'many.yml': 'all:\n  hosts:\n    web[1:99999999]:\n' });
    expect(await errorOf(() => loadInventory('big.yml'))).toBe(
      `big.yml:3:5 all.hosts["web[${big}:${big}]"]: host range [${big}:${big}] has a number above 9007199254740991; a range counts hosts, so its numbers are small, as in web[01:20]\n  hint: ranges look like web[01:20] or db-[a:f]`,
    );
    expect(await errorOf(() => loadInventory('big.ini'))).toBe(
      'big.ini:2:1 [web]: INI inventory: host range [9007199254740993:9007199254740995] has a number above 9007199254740991; a range counts hosts, so its numbers are small, as in web[01:20]\n  hint: ranges look like web[01:20] or db-[a:f]',
    );
    expect(await errorOf(() => loadInventory('many.yml'))).toMatch(/^many\.yml:3:5 all\.hosts\["web\[1:99999999\]"\]: host range \[1:99999999\] gives more than 100000 hosts\n/);
  });

  it('reports YAML syntax errors and duplicate keys with positions', async () => {
    tree({ 'a.yml': 'all:\n  hosts: [a, b\n', 'b.yml': 'all:\n  hosts:\n    w1:\n    w1:\n' });
    expect(await errorOf(() => loadInventory('a.yml'))).toBe('a.yml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]');
    expect(await errorOf(() => loadInventory('b.yml'))).toBe('b.yml:4:5: duplicate key "w1"\n  hint: each key may appear once per mapping');
  });

  it('reports a broken group_vars file', async () => {
    tree({ 'inventories/p/hosts.yml': 'all:\n  hosts:\n    h:\n', 'inventories/p/group_vars/all.yml': '- a\n- b\n' });
    expect(await errorOf(() => resolveInventory('p', process.cwd()))).toBe('inventories/p/group_vars/all.yml:1:1: expected a mapping of variables, got a list');
  });
});
