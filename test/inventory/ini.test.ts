import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrors } from '../../src/core/errors.js';
import { hostVars } from '../../src/inventory/host-vars.js';
import { loadInventory } from '../../src/inventory/load.js';
import { selectHosts } from '../../src/inventory/pattern.js';
import { errorOf, tree } from './tmp-tree.js';

describe('INI inventories', () => {
  it('reads groups, host lines, :vars, :children, ranges and comments', async () => {
    tree({
      'hosts.ini': [
        '# comment',
        '; also a comment',
        'lone ansible_host=192.0.2.1',
        '[web]',
        'web[1:2] http_port=8080 opts="[1, 2]"   # trailing comment',
        '[web:vars]',
        'motd = Welcome to the web tier',
        'retries = 3',
        '[prod:children]',
        'web',
      ].join('\n'),
    });
    const inv = await loadInventory('hosts.ini');
    expect([...inv.hosts.keys()]).toEqual(['lone', 'web1', 'web2', 'localhost']);
    expect(inv.groups.get('ungrouped')!.hosts).toEqual(['lone']);
    expect(inv.hosts.get('web2')!.groups).toEqual(['all', 'prod', 'web']);
    expect(hostVars(inv, 'web2')).toEqual({ motd: 'Welcome to the web tier', retries: 3, http_port: 8080, opts: [1, 2] });
    expect(selectHosts(inv, 'ungrouped', '.')).toEqual(['lone']);
    expect(selectHosts(inv, 'all', '.')).toEqual(['lone', 'web1', 'web2']);
    expect(selectHosts(inv, 'localhost', '.')).toEqual(['localhost']);
  });

  it('accepts a group used in :children before its own section, and sections opened twice', async () => {
    tree({ 'inv': '[all:children]\nlate\n[late:vars]\nx=1\n[late]\nh1\n[late]\nh2\n' });
    const inv = await loadInventory('inv');
    expect(inv.groups.get('late')!.hosts).toEqual(['h1', 'h2']);
    expect(hostVars(inv, 'h2')).toEqual({ x: 1 });
  });

  it('reports every problem with file:line:column, the section, what was expected and what to do', async () => {
    tree({
      'bad.ini': [
        '[web]',
        'web1 ansible_host=10.0.0.1 http_port',
        'web2 motd="unclosed',
        'web[1:x]',
        'web3:',
        '[web:var]',
        'ignored line',
        '[db servers]',
        'db1',
        '[db:vars]',
        'port',
        '[all:children]',
        'nosuch',
      ].join('\n'),
    });
    expect(await errorOf(() => loadInventory('bad.ini'))).toBe(
      [
        'bad.ini:2:28 [web] web1: INI inventory: expected key=value after the host name, got "http_port"\n  hint: quote a value that holds spaces: key="a b"',
        'bad.ini:3:11 [web]: INI inventory: no closing quotation for the double quote\n  hint: close the quote, or quote the whole value: key="a b"',
        'bad.ini:4:1 [web]: INI inventory: host range [1:x] must be numbers (01:20) or single letters (a:f)\n  hint: ranges look like web[01:20] or db-[a:f]',
        'bad.ini:5:1 [web]: INI inventory: host "web3:" ends in ":"\n  hint: a ":" after a host name gives its port: host:2222',
        'bad.ini:6:1: INI inventory: section [web:var] has an unknown type "var"\n  hint: did you mean "vars"?',
        'bad.ini:8:1: INI inventory: invalid section header [db servers]\n  hint: a group name has no spaces, ":" or "]": write [name], [name:vars] or [name:children]',
        'bad.ini:10:1: INI inventory: section [db:vars] sets variables of group "db", which no [db] or [db:children] section declares\n  hint: add a [db] section (it may be empty), or fix the name',
        'bad.ini:11:1 [db:vars]: INI inventory: expected key=value, got "port"\n  hint: one variable per line: name = value',
        'bad.ini:13:1: INI inventory: [all:children] lists group "nosuch", which no [nosuch] or [nosuch:children] section declares\n  hint: add a [nosuch] section (it may be empty), or fix the name',
      ].join('\n'),
    );
  });

  it('says that a host line cannot continue on the next line', async () => {
    tree({ 'c.ini': '[app]\nprod ansible_user=ubuntu \\\n  ansible_port=22\n' });
    expect(await errorOf(() => loadInventory('c.ini'))).toBe(
      'c.ini:2:26 [app]: INI inventory: the line ends with a backslash\n  hint: a host line cannot go on to the next line: write the whole entry on one line',
    );
  });

  it('rejects a group cycle and a name used for a host and a group', async () => {
    tree({ 'a.ini': '[a:children]\nb\n[b:children]\na\n', 'b.ini': '[web]\ndb\n[db]\nx\n' });
    expect(await errorOf(() => loadInventory('a.ini'))).toBe('a.ini:1:1: group cycle: a → b → a\n  hint: a group cannot be its own ancestor');
    expect(await errorOf(() => loadInventory('b.ini'))).toBe('b.ini:2:1: "db" is both a host and a group\n  hint: rename the group or the host');
  });
});

const INI_TOKENS = ['[', ']', ':', 'vars', 'children', 'web', 'db', 'all', 'h1', ' ', '=', 'x', '"', "'", '\\', '#', ';', '\n', '[1:3]', '0x1', 'True', '{', '}', '(', ')', ',', '---', 'é', '\t'];

describe('INI garbage', () => {
  it('never crashes: 400 random INI-shaped texts load or give positioned INI errors', async () => {
    const dir = tree({});
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...INI_TOKENS), { maxLength: 80 }), async (tokens) => {
        writeFileSync(`${dir}/fuzz.ini`, tokens.join(''));
        try {
          await loadInventory('fuzz.ini');
        } catch (err) {
          const list = err instanceof ConfigErrors ? err.errors : [err];
          for (const e of list) {
            expect(e).toBeInstanceOf(ConfigError);
            expect((e as Error).message).toMatch(/^fuzz\.ini:\d+:\d+/);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
