import { describe, expect, it } from 'vitest';
import { parseBool } from '../../src/core/bool.js';

// Ansible's module_utils/parsing/convert_bool.py: BOOLEANS_TRUE and BOOLEANS_FALSE, compared lower-cased.
describe('parseBool', () => {
  it.each([
    [true, true], ['yes', true], ['Yes', true], ['YES', true], ['y', true], ['Y', true], ['on', true], ['ON', true],
    ['true', true], ['True', true], ['t', true], ['1', true], [1, true], [' yes ', true],
    [false, false], ['no', false], ['No', false], ['n', false], ['N', false], ['off', false], ['Off', false],
    ['false', false], ['FALSE', false], ['f', false], ['0', false], [0, false],
    ['', undefined], ['maybe', undefined], ['yess', undefined], ['2', undefined], [2, undefined], [-1, undefined],
    [null, undefined], [undefined, undefined], [[], undefined], [{}, undefined],
  ])('%j → %s', (value, expected) => {
    expect(parseBool(value)).toBe(expected);
  });
});
