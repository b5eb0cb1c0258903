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

/** Retry files (@FILE patterns) beside the inventory. */
const files = { 'failed.retry': 'db2\n\nweb1.example.com\n', 'bad.retry': 'db1\n  db9\n' };

let inv: Inventory;
let dir: string;
beforeEach(async () => {
  dir = tree({ 'inv.yml': yaml, ...files });
  inv = await loadInventory('inv.yml');
});

const ALL = ['bastion', 'web1.example.com', 'web2.example.com', 'db1', 'db2'];

// [what it shows, pattern, the hosts selected, in inventory order]
const selections: [string, string, string[]][] = [
  ['all, without the implicit localhost', 'all', ALL],
  ['* is all', '*', ALL],
  ['a host and a group by name', 'db2,web', ['web1.example.com', 'web2.example.com', 'db2']],
  ['the implicit localhost by name', 'localhost', ['localhost']],
  ['a glob on host names', '*.example.com', ['web1.example.com', 'web2.example.com']],
  ['a glob on group names', 'd*', ['db1', 'db2']],
  ['? in a glob', 'web?.example.com', ['web1.example.com', 'web2.example.com']],
  ['an exclusion, colon separated', 'web:db:!eu', ['web2.example.com', 'db2']],
  ['an intersection', 'all,&eu', ['web1.example.com', 'db1']],
  ['an exclusion alone starts from all', '!db', ['bastion', 'web1.example.com', 'web2.example.com']],
  ['a regular expression', '~^db[0-9]$', ['db1', 'db2']],
  ['a retry file relative to the base folder', '@failed.retry', ['web1.example.com', 'db2']],
];

// [what it shows, pattern, the message a user reads]
const errors: [string, string, string][] = [
  ['a term matching nothing, with a did-you-mean', 'web,dbb', 'host pattern "dbb" matches no host or group\n  hint: did you mean "db"?'],
  ['a retry file naming an unknown host, at its line and column', '@bad.retry', 'bad.retry:2:3: host "db9" is not in the inventory\n  hint: did you mean "db1"?'],
  ['a broken glob', 'web[', 'invalid host pattern "web["\n  hint: globs use * ? [abc]; ~ starts a regular expression'],
  ['a missing retry file', '@nope.retry', 'host list file not found: nope.retry\n  hint: @FILE reads one host per line'],
];

describe('selectHosts', () => {
  it.each(selections)('%s: %s', (_what, pattern, hosts) => {
    expect(selectHosts(inv, pattern, dir)).toEqual(hosts);
  });

  it.each(errors)('%s: %s', async (_what, pattern, message) => {
    expect(await errorOf(() => selectHosts(inv, pattern, dir))).toBe(message);
  });
});
