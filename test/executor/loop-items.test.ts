import { describe, expect, it } from 'vitest';
import { lookupItems } from '../../src/executor/loop-items.js';

describe('with_sequence bounds', () => {
  it('counts as Ansible does within the cap', () => {
    expect(lookupItems('sequence', 'start=1 end=7 stride=3 format=web%02d', '.')).toEqual(['web01', 'web04', 'web07']);
    expect(lookupItems('sequence', 'count=100000', '.')).toHaveLength(100_000);
  });

  it('refuses a sequence that would fill memory instead of building it', () => {
    expect(() => lookupItems('sequence', 'end=100001', '.')).toThrow(
      'with_sequence: start=1 end=100001 stride=1 gives more than 100000 items; check end= and count=, or loop over a list',
    );
    expect(() => lookupItems('sequence', 'count=99999999999', '.')).toThrow(/gives more than 100000 items/);
    // 1e20 + 1 === 1e20: counting from there by one would never end
    expect(() => lookupItems('sequence', 'start=99999999999999999999 end=99999999999999999999', '.')).toThrow(
      'with_sequence: start must be a whole number up to 9007199254740991, got "99999999999999999999"',
    );
  });
});
