import { describe, expect, it } from 'vitest';
import { sudoArgv } from '../../src/connection/become.js';

describe('sudoArgv', () => {
  it('asks sudo never to prompt without a password, and to prompt with the marker on stderr with one', () => {
    expect(sudoArgv({ user: 'app' }, '[P]')).toEqual(['sudo', '-n', '-u', 'app', '--']);
    expect(sudoArgv({ user: 'root', password: 'secret-pw' }, '[P]')).toEqual(['sudo', '-S', '-p', '[P]', '-u', 'root', '--']);
  });

  it('becomes root when no user is named', () => {
    expect(sudoArgv({ user: '' }, '[P]')).toEqual(['sudo', '-n', '-u', 'root', '--']);
  });
});
