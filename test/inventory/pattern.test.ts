import { writeFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/model.js';
import { selectHosts } from '../../src/inventory/pattern.js';
import { errorOf, tree } from './tmp-tree.js';

const yaml = `all:
  hosts:
    bastion:
  children:
    web:
      hosts:
        web1.example.com:
        web2.example.com:
    db:
      hosts:
        db1:
        db2:
    eu:
      hosts:
        web1.example.com:
        db1:
`;

let inv: Inventory;
let dir: string;
beforeEach(async () => {
  dir = tree({ 'inv.yml': yaml });
  inv = await loadInventory('inv.yml');
});

describe('selectHosts', () => {
  it('selects all without the implicit localhost, in inventory order', () => {
    expect(selectHosts(inv, 'all', dir)).toEqual(['bastion', 'web1.example.com', 'web2.example.com', 'db1', 'db2']);
    expect(selectHosts(inv, '*', dir)).toEqual(selectHosts(inv, 'all', dir));
  });

  it('selects hosts, groups and the implicit localhost by name', () => {
    expect(selectHosts(inv, 'db2,web', dir)).toEqual(['web1.example.com', 'web2.example.com', 'db2']);
    expect(selectHosts(inv, 'localhost', dir)).toEqual(['localhost']);
  });

  it('matches globs against host and group names', () => {
    expect(selectHosts(inv, '*.example.com', dir)).toEqual(['web1.example.com', 'web2.example.com']);
    expect(selectHosts(inv, 'd*', dir)).toEqual(['db1', 'db2']);
    expect(selectHosts(inv, 'web?.example.com', dir)).toEqual(['web1.example.com', 'web2.example.com']);
  });

  it('applies exclusions and intersections, comma or colon separated', () => {
    expect(selectHosts(inv, 'web:db:!eu', dir)).toEqual(['web2.example.com', 'db2']);
    expect(selectHosts(inv, 'all,&eu', dir)).toEqual(['web1.example.com', 'db1']);
    expect(selectHosts(inv, '!db', dir)).toEqual(['bastion', 'web1.example.com', 'web2.example.com']);
  });

  it('reads a retry file relative to the base folder', () => {
    writeFileSync('failed.retry', 'db2\n\nweb1.example.com\n');
    expect(selectHosts(inv, '@failed.retry', dir)).toEqual(['web1.example.com', 'db2']);
  });

  it('names a term matching nothing, with a did-you-mean', async () => {
    expect(await errorOf(() => selectHosts(inv, 'web,dbb', dir))).toBe('host pattern "dbb" matches no host or group\n  hint: did you mean "db"?');
    writeFileSync('bad.retry', 'db1\n  db9\n');
    expect(await errorOf(() => selectHosts(inv, '@bad.retry', dir))).toBe('bad.retry:2:3: host "db9" is not in the inventory\n  hint: did you mean "db1"?');
    expect(await errorOf(() => selectHosts(inv, 'web[', dir))).toBe('invalid host pattern "web["\n  hint: globs use * ? [abc]; ~ starts a regular expression');
    expect(selectHosts(inv, '~^db[0-9]$', dir)).toEqual(['db1', 'db2']);
    expect(await errorOf(() => selectHosts(inv, '@nope.retry', dir))).toBe('host list file not found: nope.retry\n  hint: @FILE reads one host per line');
  });
});
