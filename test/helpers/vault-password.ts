// A test file's vault password: set in OMSRUN_VAULT_PASSWORD for its tests, the earlier value put back after them.
import { afterAll, beforeAll } from 'vitest';
import { VAULT_PASSWORD_ENV } from '../../src/vault/index.js';

export function useVaultPassword(password = 'correct horse battery'): string {
  const before = process.env[VAULT_PASSWORD_ENV];
  beforeAll(() => {
    process.env[VAULT_PASSWORD_ENV] = password;
  });
  afterAll(() => {
    if (before === undefined) delete process.env[VAULT_PASSWORD_ENV];
    else process.env[VAULT_PASSWORD_ENV] = before;
  });
  return password;
}
