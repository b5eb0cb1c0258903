import { describe, expect, it } from 'vitest';
import { describeValue, formatKeyPath, kindOf } from '../../src/core/key-path.js';
import { MASK } from '../../src/core/secrets.js';

describe('describeValue', () => {
  it.each([
    { value: undefined, shown: 'nothing' },
    { value: null, shown: 'null' },
    { value: 'abc', shown: '"abc"' },
    { value: 'it\'s "x"', shown: '"it\'s \\"x\\""' },
    { value: 'x'.repeat(70), shown: `"${'x'.repeat(57)}..."` },
    { value: 8080, shown: '8080' },
    { value: false, shown: 'false' },
    { value: [1, 2], shown: 'a list' },
    { value: { a: 1 }, shown: 'a mapping' },
  ])('$value → $shown', ({ value, shown }) => {
    expect(describeValue(value)).toBe(shown);
  });

  it.each([
    { value: 'hunter2', shown: MASK },
    { value: 1234, shown: MASK },
    { value: ['hunter2'], shown: 'a list' },
    { value: undefined, shown: 'nothing' },
  ])('a secret $value → $shown', ({ value, shown }) => {
    expect(describeValue(value, { secret: true })).toBe(shown);
  });
});

describe('kindOf', () => {
  it.each([
    { value: undefined, kind: 'nothing' },
    { value: null, kind: 'null' },
    { value: 'abc', kind: 'a string' },
    { value: 1, kind: 'a number' },
    { value: true, kind: 'a boolean' },
    { value: [], kind: 'a list' },
    { value: {}, kind: 'a mapping' },
  ])('$value → $kind', ({ value, kind }) => {
    expect(kindOf(value)).toBe(kind);
  });
});

describe('formatKeyPath', () => {
  it.each([
    { path: [0, 'tasks', 3, 'wait_for', 'port'], text: '[0].tasks[3].wait_for.port' },
    { path: ['args', 'bad-name'], text: 'args.bad-name' },
    { path: ['environment', '1X'], text: 'environment["1X"]' },
    { path: [], text: '' },
  ])('$text', ({ path, text }) => {
    expect(formatKeyPath(path)).toBe(text);
  });
});
