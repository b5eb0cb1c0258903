import { describe, expect, it } from 'vitest';
import { hostVars } from '../../src/inventory/host-vars.js';
import { resolveInventory } from '../../src/inventory/load.js';
import { encryptText } from '../../src/vault/index.js';
import { useVaultPassword } from '../helpers/vault-password.js';
import { errorOf, tree } from './tmp-tree.js';

const PASSWORD = useVaultPassword();

const indent = (s: string) => s.trim().split('\n').map((l) => `  ${l}`).join('\n');

describe('vaulted vars in inventories', () => {
  it('decrypts inline !vault values and whole vault files in group_vars', async () => {
    const inline = encryptText('s3cret', PASSWORD);
    tree({
      'inventories/prod/hosts.yml': 'all:\n  hosts:\n    h1:\n',
      'inventories/prod/group_vars/all.yml': `db_password: !vault |\n${indent(inline)}\n`,
      'inventories/prod/host_vars/h1.yml': encryptText('api_token: abc\n', PASSWORD),
    });
    const inv = await resolveInventory('prod', process.cwd());
    expect(hostVars(inv, 'h1')).toEqual({ db_password: 's3cret', api_token: 'abc' });
  });

  it('reports a value encrypted with another password, without a stack trace', async () => {
    tree({
      'inventories/prod/hosts.yml': 'all:\n  hosts:\n    h1:\n',
      'inventories/prod/group_vars/all.yml': `x: 1\ndb_password: !vault |\n${indent(encryptText('s3cret', 'another password!'))}\n`,
    });
    expect(await errorOf(() => resolveInventory('prod', process.cwd()))).toBe('vault: cannot decrypt inventories/prod/group_vars/all.yml:2:14: wrong password or the file was modified');
  });
});
