import { describe, expect, it } from 'vitest';
import { checkExprSyntax, evalConditions, evaluate } from '../../src/template/expr.js';
import { FILTERS as EXPR_FUNCTIONS } from '../../src/template/filters/index.js';
import { errorOf } from '../helpers/config-error.js';

const vars = {
  port: 80,
  name: 'Web',
  list: [1, 2],
  empty: [] as number[],
  emptyMap: {},
  m: { a: { b: 1 } },
  s: 'hello world',
  flag: 'yes',
  n: null,
  zero: 0,
  users: [{ name: 'ann', admin: true }, { name: 'bob', admin: false }],
};
const ctx = { file: 'playbooks/x.yml', line: 4, col: 5, task: 'check port', field: 'when' };

const more = { settings: { https: true, empty: '' }, index_ok: false };
const opWords = { order: 1, is_ready: true, not_found: false, android: 'x', index: 2 };

// One row per expression and what it evaluates to (with `vars`, plus `extra` where given).
const VALUES: { group: string; expr: string; value: unknown; extra?: Record<string, unknown> }[] = [
  { group: 'comparisons, arithmetic and paths', expr: 'port == 80', value: true },
  { group: 'comparisons, arithmetic and paths', expr: 'port + 1', value: 81 },
  { group: 'comparisons, arithmetic and paths', expr: 'm.a.b == 1 && list[1] == 2', value: true },
  { group: 'comparisons, arithmetic and paths', expr: 'users[.admin == true][0].name', value: 'ann' },
  { group: 'a condition wrapped in {{ }}', expr: '{{ port == 80 }}', value: true },
  { group: 'a condition wrapped in {{ }}', expr: '  {{port}}  ', value: 80 },
  { group: 'and, or, not with Python precedence', expr: 'port == 80 and name == "Web"', value: true },
  { group: 'and, or, not with Python precedence', expr: 'port == 81 or name == "Web"', value: true },
  { group: 'and, or, not with Python precedence', expr: 'not port == 81', value: true },
  { group: 'and, or, not with Python precedence', expr: 'not port == 80 or true', value: true },
  { group: 'and, or, not with Python precedence', expr: 'not empty and port == 80', value: true },
  { group: 'and, or, not with Python precedence', expr: 'true or false and false', value: true },
  { group: 'and, or, not with Python precedence', expr: 'true || false && false', value: true },
  { group: 'and, or, not with Python precedence', expr: 'not 3 in list', value: true },
  { group: 'short-circuit: the right side is not evaluated when not needed', expr: 'false and regex_search(s, "(")', value: false },
  { group: 'short-circuit: the right side is not evaluated when not needed', expr: 'port or regex_search(s, "(")', value: 80 },
  { group: 'names that start with an operator word are names', expr: 'order == 1 and is_ready and not not_found and android and index', value: 2, extra: opWords },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '2 in list', value: true },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '"world" in s', value: true },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '5 in list', value: false },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '"https" in settings', value: true, extra: more },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '"empty" in settings', value: true, extra: more },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '"toString" in settings', value: false, extra: more },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '"tsdb" not in settings', value: true, extra: more },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '5 not  in list and "x" not in s', value: true, extra: more },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: '2 not in list', value: false, extra: more },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: 'not 2 not in list', value: true, extra: more },
  // Only the operator is rewritten: names that start with "in" and string literals stay as written.
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: 'not index_ok and "not in" == "not in"', value: true, extra: more },
  { group: 'in and not in on lists, map keys and strings, as Jinja', expr: "'a not in b' not in list", value: true, extra: more },
  { group: 'is defined, is not defined, is undefined, defined()', expr: 'foo is defined', value: false },
  { group: 'is defined, is not defined, is undefined, defined()', expr: 'port is defined', value: true },
  { group: 'is defined, is not defined, is undefined, defined()', expr: 'foo is not defined and port is defined', value: true },
  { group: 'is defined, is not defined, is undefined, defined()', expr: 'foo is undefined', value: true },
  { group: 'is defined, is not defined, is undefined, defined()', expr: 'not foo is defined', value: true },
  { group: 'is defined, is not defined, is undefined, defined()', expr: 'defined(m.a.c) or defined(m.a.b)', value: true },
  { group: 'is defined, is not defined, is undefined, defined()', expr: 'n is defined', value: true },
  { group: 'null, None and True/False', expr: 'n == null and n == None and none == null', value: true },
  { group: 'null, None and True/False', expr: 'True and not False', value: true },
  { group: 'null, None and True/False', expr: 'null', value: 5, extra: { null: 5 } },
  { group: 'transforms that also work as functions', expr: 'foo|default(3) + 1', value: 4 },
  { group: 'transforms that also work as functions', expr: 'default(foo, "x")', value: 'x' },
  { group: 'transforms that also work as functions', expr: 'list|length == 2 and length(s) == 11 and m|length == 1', value: true },
  { group: 'transforms that also work as functions', expr: 'name|lower == "web" and upper(name) == "WEB"', value: true },
  { group: 'transforms that also work as functions', expr: 'int("12") + "3"|int + 4.7|int', value: 19 },
  { group: 'transforms that also work as functions', expr: '"x"|int', value: 0 },
  { group: 'transforms that also work as functions', expr: '"2.5"|float * 2', value: 5 },
  { group: 'transforms that also work as functions', expr: 'flag|bool and "On"|bool and not "no"|bool and not zero|bool', value: true },
  { group: 'transforms that also work as functions', expr: '"Y"|bool and "t"|bool and 1|bool and "1"|bool', value: true },
  { group: 'transforms that also work as functions', expr: '"off"|bool or "f"|bool or "2"|bool or "maybe"|bool or n|bool', value: false },
  { group: 'transforms that also work as functions', expr: 'contains(list, 2) and s|contains("lo w") and m|contains("a")', value: true },
  { group: 'transforms that also work as functions', expr: 'match(s, "hel") and not match(s, "wor") and search(s, "wor")', value: true },
  { group: 'transforms that also work as functions', expr: 'regex_search(s, "w.r")', value: 'wor' },
  { group: 'transforms that also work as functions', expr: 'regex_search(s, "xyz")', value: null },
  { group: 'transforms that also work as functions', expr: '"  pad "|trim', value: 'pad' },
  { group: 'transforms that also work as functions', expr: 's|split', value: ['hello', 'world'] },
  { group: 'transforms that also work as functions', expr: '"a,b"|split(",")', value: ['a', 'b'] },
  { group: 'transforms that also work as functions', expr: 'list|join("-")', value: '1-2' },
  { group: 'transforms that also work as functions', expr: 'port|string', value: '80' },
];

// One row per mistake: the expression, where it comes from, and the exact text (the whole message or its detail).
const ERRORS: { name: string; expr: string; where?: typeof ctx; message?: string; detail?: string }[] = [
  {
    name: 'an undefined variable, with the task and the expression',
    expr: 'foo == 1',
    where: ctx,
    message: 'playbooks/x.yml:4:5 task "check port": when: undefined variable "foo" in "foo == 1"\n  hint: use defined(foo) or foo|default(...) when it may be unset',
  },
  { name: 'an undefined nested path', expr: 'm.a.c == 1', detail: 'undefined variable "m.a.c" in "m.a.c == 1"' },
  { name: 'a close name suggested', expr: 'porr > 1', message: 'undefined variable "porr" in "porr > 1"\n  hint: did you mean "port"?' },
  { name: 'undefined beside defined()', expr: 'defined(x) and y', detail: 'undefined variable "y" in "defined(x) and y"' },
  { name: 'undefined inside default()', expr: 'x|default(y)', detail: 'undefined variable "y" in "x|default(y)"' },
  {
    name: 'a syntax error, with the task',
    expr: 'port ==',
    where: ctx,
    message: 'playbooks/x.yml:4:5 task "check port": when: syntax error in "port ==": unexpected end of expression',
  },
  { name: 'a syntax error with a hint', expr: 'port = 80', message: 'syntax error in "port = 80": invalid token "="\n  hint: compare with "==", not "="' },
  {
    name: 'an unknown test, with the closest name',
    expr: 'port is nmber',
    message: 'syntax error in "port is nmber": unknown test "nmber"\n  hint: did you mean "number"?',
  },
  {
    name: 'an evaluation failure',
    expr: 'regex_search(s, "(")',
    detail: 'cannot evaluate "regex_search(s, \\"(\\")": Invalid regular expression: /(/: Unterminated group',
  },
];

describe('evaluate', () => {
  it.each(VALUES)('$group: $expr', ({ expr, value, extra }) => {
    expect(evaluate(expr, { ...vars, ...extra })).toEqual(value);
  });

  it.each(ERRORS)('reports $name', ({ expr, where, message, detail }) => {
    const err = errorOf(() => evaluate(expr, vars, where));
    if (message !== undefined) expect(err.message).toBe(message);
    if (detail !== undefined) expect(err.detail).toBe(detail);
  });

  it('does not treat inherited object properties as variables', () => {
    expect(errorOf(() => evaluate('toString', vars)).detail).toContain('toString');
  });

  it('documents every function', () => {
    for (const f of EXPR_FUNCTIONS) expect(f.description.length).toBeGreaterThan(10);
  });
});

describe('evalConditions', () => {
  it('needs every condition to hold, with Python truthiness', () => {
    expect(evalConditions([true, 'port == 80', 'list', 's'], vars)).toBe(true);
    expect(evalConditions(['empty'], vars)).toBe(false);
    expect(evalConditions(['emptyMap'], vars)).toBe(false);
    expect(evalConditions(['zero'], vars)).toBe(false);
    expect(evalConditions([false, 'port == 80'], vars)).toBe(false);
    expect(evalConditions([], vars)).toBe(true);
  });

  it('stops at the first false condition', () => {
    expect(evalConditions(['false', 'undefined_var'], vars)).toBe(false);
    expect(() => evalConditions(['true', 'undefined_var'], vars, { field: 'failed_when' })).toThrow(
      'failed_when: undefined variable "undefined_var" in "undefined_var"',
    );
  });
});

describe('checkExprSyntax', () => {
  it('accepts valid expressions without evaluating them', () => {
    expect(checkExprSyntax('anything_undefined == 1 and other is defined')).toBeUndefined();
    expect(checkExprSyntax('{{ a }}')).toBeUndefined();
  });

  it('returns the error message', () => {
    expect(checkExprSyntax('a b')).toBe('unexpected "b"');
    expect(checkExprSyntax('a ==')).toBe('unexpected end of expression');
    expect(checkExprSyntax('{{ a }} == 1')).toBe(
      'unexpected "{" (conditions are expressions, not templates: write variable names without {{ }})',
    );
    expect(checkExprSyntax('a is b')).toBe('unknown test "b" (README.md lists the tests under Conditions)');
  });
});
