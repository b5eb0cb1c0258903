// The ConfigError a synchronous call throws; fails the test when it throws nothing or something else.
import { expect } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';

export function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected an error');
}
