import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostVars } from '../../src/inventory/host-vars.js';
import { loadInventory, resolveInventory } from '../../src/inventory/load.js';
import { errorOf, tree } from './tmp-tree.js';

const hostsOf = async (names: string | string[]) => [...(await resolveInventory(names, process.cwd())).hosts.keys()];

describe('inventory sources', () => {
  it('tells INI from YAML by content: extensionless files, .ini, and INI in a .yml file', async () => {
    tree({
      'hosts': '[web]\nw1\n',
      'plain': 'h1\nh2 port=22\n',
      'yaml-noext': 'all:\n  hosts:\n    y1:\n',
      'misnamed.yml': '[db]\nd1\n',
      'inventories/prod.ini': '[app]\na1\n',
      'inventories/stage': 'all:\n  hosts:\n    s1:\n',
    });
    expect(await hostsOf('hosts')).toEqual(['w1', 'localhost']);
    expect(await hostsOf('plain')).toEqual(['h1', 'h2', 'localhost']);
    expect(await hostsOf('yaml-noext')).toEqual(['y1', 'localhost']);
    expect(await hostsOf('misnamed.yml')).toEqual(['d1', 'localhost']);
    expect(await hostsOf('prod')).toEqual(['a1', 'localhost']);
    expect(await hostsOf('stage')).toEqual(['s1', 'localhost']);
  });

  it('finds hosts.ini or an extensionless hosts in a folder, with group_vars/ and host_vars/', async () => {
    tree({
      'inventories/a/hosts.ini': '[web]\nw1 x=1\n',
      'inventories/a/group_vars/web.yml': 'y: 2\n',
      'inventories/b/hosts': '[db]\nd1\n',
      'inventories/b/host_vars/d1.yml': 'z: 3\n',
      'inventories/default.ini': 'dflt\n',
    });
    const a = await resolveInventory('a', process.cwd());
    expect(hostVars(a, 'w1')).toEqual({ x: 1, y: 2 });
    const b = await resolveInventory('b', process.cwd());
    expect(hostVars(b, 'd1')).toEqual({ z: 3 });
    expect(await hostsOf([])).toEqual(['dflt', 'localhost']);
  });

  it('merges several -i in order, and reads -i host1,host2, as hosts in ungrouped', async () => {
    tree({ 'one.ini': '[web]\nw1 v=one\n[web:vars]\ng=one\n', 'two.yml': 'web:\n  vars:\n    g: two\n  hosts:\n    w2:\n' });
    const inv = await resolveInventory(['one.ini', 'two.yml', 'w1,extra:2222,[2001:db8::1]:22,'], process.cwd());
    expect([...inv.hosts.keys()]).toEqual(['w1', 'w2', 'extra', '2001:db8::1', 'localhost']);
    expect(inv.groups.get('ungrouped')!.hosts).toEqual(['extra', '2001:db8::1']);
    expect(hostVars(inv, 'w1')).toEqual({ g: 'two', v: 'one' });
    expect(hostVars(inv, 'extra')).toEqual({ ansible_port: 2222 });
    expect(inv.sources).toHaveLength(3);
  });

  it('runs an executable inventory with --list and reads its JSON', async () => {
    tree({
      'dyn.sh': '#!/bin/sh\n[ "$1" = --list ] && echo \'{"web": {"hosts": ["w1"], "vars": {"p": 80}}, "_meta": {"hostvars": {"w1": {"a": 1}}}}\'\n',
    });
    chmodSync('dyn.sh', 0o755);
    const inv = await loadInventory('dyn.sh');
    expect(hostVars(inv, 'w1')).toEqual({ p: 80, a: 1 });
  });

  it('says clearly what a dynamic inventory did wrong', async () => {
    tree({
      'fails.sh': '#!/bin/sh\necho "cannot reach the cloud API" >&2\nexit 3\n',
      'garbage.sh': '#!/bin/sh\nprintf \'{"web": ["w1",]}\'\n',
      'list.sh': '#!/bin/sh\necho \'[1, 2]\'\n',
      'badgroup.sh': '#!/bin/sh\necho \'{"web": {"hosts": "w1"}}\'\n',
      'noexec.sh': '#!/bin/sh\necho {}\n',
    });
    for (const f of ['fails.sh', 'garbage.sh', 'list.sh', 'badgroup.sh']) chmodSync(f, 0o755);
    const hint = '  hint: print one JSON object: {"GROUP": {"hosts": [...], "vars": {...}, "children": [...]}, "_meta": {"hostvars": {"HOST": {...}}}}';
    expect(await errorOf(() => loadInventory('fails.sh'))).toBe(
      'inventory script fails.sh: --list exited with code 3:\n  cannot reach the cloud API\n  hint: run fails.sh --list yourself to see the problem',
    );
    expect(await errorOf(() => loadInventory('garbage.sh'))).toBe(
      `inventory script garbage.sh: --list printed invalid JSON: Unexpected token ']' (output starts "{\\"web\\": [\\"w1\\",]}")\n${hint}`,
    );
    expect(await errorOf(() => loadInventory('list.sh'))).toBe(`inventory script list.sh: --list printed a list, expected a JSON object\n${hint}`);
    expect(await errorOf(() => loadInventory('badgroup.sh'))).toBe(`inventory script badgroup.sh: --list output web.hosts: expected a list of host names, got "w1"\n${hint}`);
    expect(await errorOf(() => loadInventory('noexec.sh'))).toBe(
      'noexec.sh:1:1: this inventory starts with #! like a dynamic inventory script, but it is not executable\n  hint: chmod +x noexec.sh, or remove the #! line',
    );
  });

  it('reports broken YAML in an extensionless file as YAML, and an INI mistake as INI', async () => {
    tree({ 'hosts': 'all:\n  hosts: [a, b\n', 'other': 'web1 port\n' });
    expect(await errorOf(() => loadInventory('hosts'))).toMatch(/^hosts:3:1: YAML syntax error: /);
    expect(await errorOf(() => loadInventory('other'))).toBe(
      'other:1:6 web1: INI inventory: expected key=value after the host name, got "port"\n  hint: quote a value that holds spaces: key="a b"',
    );
  });
});
