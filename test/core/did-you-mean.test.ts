import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../src/core/did-you-mean.js';

const KEYS = ['name', 'hosts', 'handlers', 'tasks', 'vars', 'when', 'become', 'command', 'db', 'x', 'port', 'present', 'creates'];

describe('didYouMean', () => {
  it.each([
    { name: 'nmae', hint: 'did you mean "name"?', why: 'a swap is one edit' },
    { name: 'prot', hint: 'did you mean "port"?', why: 'a swap is one edit' },
    { name: 'hosst', hint: 'did you mean "hosts"?', why: 'a swap is one edit' },
    { name: 'hots', hint: 'did you mean "hosts"?', why: 'one letter missing' },
    { name: 'handler', hint: 'did you mean "handlers"?', why: 'one letter missing' },
    { name: 'comand', hint: 'did you mean "command"?', why: 'one letter missing' },
    { name: 'whn', hint: 'did you mean "when"?', why: 'one letter missing' },
    { name: 'dbb', hint: 'did you mean "db"?', why: 'one letter too many' },
    { name: 'Present', hint: 'did you mean "present"?', why: 'case is ignored' },
    { name: 'X', hint: 'did you mean "x"?', why: 'case is ignored' },
    { name: 'creat', hint: 'did you mean "creates"?', why: 'seven letters allow two edits' },
    { name: 'bcme', hint: 'did you mean "become"?', why: 'six letters allow two edits' },
    { name: 'tsak', hint: undefined, why: 'a swap and a missing letter are two edits; five letters allow one' },
    { name: 'wn', hint: undefined, why: 'two letters missing from four' },
    { name: 'y', hint: undefined, why: 'a one-letter name allows no edit' },
    { name: 'xyz', hint: undefined, why: 'two edits from x' },
    { name: 'cmd', hint: undefined, why: 'four edits from command' },
    { name: 'db_hots', hint: undefined, why: 'no candidate near' },
    { name: 'name', hint: undefined, why: 'the name itself is no typo' },
  ])('$name: $why', ({ name, hint }) => {
    expect(didYouMean(name, KEYS)).toBe(hint);
  });

  it('suggests nothing from no candidates', () => {
    expect(didYouMean('name', [])).toBeUndefined();
  });
});
