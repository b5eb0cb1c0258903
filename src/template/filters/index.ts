// The filter and test tables, looked up by name; unknown names are errors with a did-you-mean.
import { didYouMean } from '../../core/did-you-mean.js';
import { DATA_FILTERS } from './data.js';
import { LIST_FILTERS } from './lists.js';
import { METHOD_FILTERS } from './methods.js';
import { byName, FilterError, type FilterSpec } from './table.js';
import { TESTS } from './tests.js';
import { TEXT_FILTERS } from './text.js';

const asFunction = new Set(['defined', 'contains', 'match', 'search']);

/** Every filter; `defined`, `contains`, `match` and `search` are tests that also work as `name(x, ...)` and `x | name`. */
export const FILTERS: readonly FilterSpec[] = [...TEXT_FILTERS, ...LIST_FILTERS, ...METHOD_FILTERS, ...DATA_FILTERS, ...TESTS.filter((t) => asFunction.has(t.name))];
export { TESTS };

const filters = byName(FILTERS);
const tests = byName(TESTS);

/** The filter named so, or undefined. */
export function findFilter(name: string): FilterSpec | undefined {
  return filters.get(name);
}

/** The test named so, or undefined. */
export function findTest(name: string): FilterSpec | undefined {
  return tests.get(name);
}

// What to say about a name that is no filter (or test).
export function unknownName(kind: 'filter' | 'test', name: string): string {
  const hint = didYouMean(name, kind === 'filter' ? filters.keys() : tests.keys());
  return `unknown ${kind} ${JSON.stringify(name)}${hint ? `: ${hint}` : ''}`;
}

export function filterNamed(name: string): FilterSpec {
  const spec = filters.get(name);
  if (!spec) throw new FilterError(unknownName('filter', name));
  return spec;
}

export function testNamed(name: string): FilterSpec {
  const spec = tests.get(name);
  if (!spec) throw new FilterError(unknownName('test', name));
  return spec;
}

export { callSpec, FilterError, KwArg, type FilterSpec } from './table.js';
export { truthy } from './values.js';
