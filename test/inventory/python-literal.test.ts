import { describe, expect, it } from 'vitest';
import { parsePythonLiteral } from '../../src/inventory/python-literal.js';

// What an INI inventory keeps: the literal's value, or the text itself.
const iniValue = (text: string): unknown => {
  const literal = parsePythonLiteral(text);
  return literal ? literal.value : text;
};

// Each case: the text after `=`, and what Python's ast.literal_eval makes of it as Ansible reports it (text when it is no literal).
const CASES: [string, unknown][] = [
  ['42', 42], ['-7', -7], ['+3', 3], ['0x10', 16], ['0XfF', 255], ['0o17', 15], ['0b101', 5], ['1_000_000', 1000000], ['00', 0], ['0_0', 0],
  ['1.5', 1.5], ['.5', 0.5], ['5.', 5], ['1e5', 100000], ['2.5E-3', 0.0025], ['1.e2', 100], ['010.5', 10.5], ['-0.0', -0],
  ['True', true], ['False', false], ['None', null], ['  42 # a comment', 42],
  ["'single'", 'single'], ['"double"', 'double'], ["'tab\\there'", 'tab\there'], ["'\\x41\\u00e9\\101'", 'Aé\u0041'], ["'\\q'", '\\q'],
  ["r'C:\\temp'", 'C:\\temp'], ["b'abc'", 'abc'], ["b'\\xc3\\xa9'", 'é'], ["'ab' \"cd\"", 'abcd'], ["'''tri'''", 'tri'], ["u'x'", 'x'],
  ['[1, 2]', [1, 2]], ['[1, 2,]', [1, 2]], ['(1, 2)', [1, 2]], ['(1,)', [1]], ['(5)', 5], ['()', []], ['1, 2', [1, 2]],
  ["{'a': 1, 'b': [True, None]}", { a: 1, b: [true, null] }], ["{1: 'a', 2.5: 'b', False: 'c', None: 'd'}", { 1: 'a', '2.5': 'b', false: 'c', null: 'd' }],
  ["{1: 'a', True: 'b'}", { 1: 'b' }], ['{}', {}], ['{1, 2, 1}', [1, 2]], ['set()', []],
  // Not literals in Python: the text stays as it is.
  ['010', '010'], ['1__0', '1__0'], ['1_', '1_'], ['--1', '--1'], ['-True', '-True'], ['1+2', '1+2'], ['2**3', '2**3'], ['1j+2j', '1j+2j'],
  ['true', 'true'], ['yes', 'yes'], ['10.0.0.1', '10.0.0.1'], ['1.10.2', '1.10.2'], ['2024-01-31', '2024-01-31'], ['host-01.internal', 'host-01.internal'],
  ['/etc/app', '/etc/app'], ['{{ x }}', '{{ x }}'], ['hello world', 'hello world'], ['text # comment', 'text # comment'], ['', ''],
  ["f'x'", "f'x'"], ["ur'x'", "ur'x'"], ["'a' b'b'", "'a' b'b'"], ["'open", "'open"], ['[1, 2', '[1, 2'], ['[a, b]', '[a, b]'], ['[1][0]', '[1][0]'],
  ['dict(a=1)', 'dict(a=1)'], ['{[1]: 2}', '{[1]: 2}'], ['{**a}', '{**a}'], ["'\\N{DASH}'", "'\\N{DASH}'"], ['1 if 1 else 2', '1 if 1 else 2'],
  // Values Ansible 2.14 cannot print; newer Ansible keeps their text, as here.
  ['1j', '1j'], ['1+2j', '1+2j'], ['...', '...'], ["[..., 1j, set(), {1, 2}, b'x']", ['...', '1j', [], [1, 2], 'x']],
];

describe('INI values as Python literals', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(iniValue(text)).toEqual(expected);
  });

  it('says when a text is no literal', () => {
    expect(parsePythonLiteral('web')).toBeUndefined();
    expect(parsePythonLiteral("'web'")).toEqual({ value: 'web' });
  });

  it('keeps a __proto__ key as data', () => {
    const v = iniValue("{'__proto__': 1}") as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it('keeps very deep nesting as text instead of recursing without end', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(iniValue(deep)).toBe(deep);
  });
});
