import { describe, expect, it } from 'vitest';
import { checkExprSyntax, evalConditions, evaluate } from '../../src/template/expr.js';
import { EXPR_FUNCTIONS } from '../../src/template/expr-functions.js';
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

describe('evaluate', () => {
  it('evaluates comparisons, arithmetic and paths', () => {
    expect(evaluate('port == 80', vars)).toBe(true);
    expect(evaluate('port + 1', vars)).toBe(81);
    expect(evaluate('m.a.b == 1 && list[1] == 2', vars)).toBe(true);
    expect(evaluate('users[.admin == true][0].name', vars)).toBe('ann');
  });

  it('accepts a condition wrapped in {{ }}', () => {
    expect(evaluate('{{ port == 80 }}', vars)).toBe(true);
    expect(evaluate('  {{port}}  ', vars)).toBe(80);
  });

  it('supports and, or, not with Python precedence', () => {
    expect(evaluate('port == 80 and name == "Web"', vars)).toBe(true);
    expect(evaluate('port == 81 or name == "Web"', vars)).toBe(true);
    expect(evaluate('not port == 81', vars)).toBe(true);
    expect(evaluate('not port == 80 or true', vars)).toBe(true);
    expect(evaluate('not empty and port == 80', vars)).toBe(true);
    expect(evaluate('true or false and false', vars)).toBe(true);
    expect(evaluate('true || false && false', vars)).toBe(true);
    expect(evaluate('not 3 in list', vars)).toBe(true);
  });

  it('short-circuits: the right side of and/or is not evaluated when not needed', () => {
    expect(evaluate('false and regex_search(s, "(")', vars)).toBe(false);
    expect(evaluate('port or regex_search(s, "(")', vars)).toBe(80);
  });

  it('does not mistake names that start with an operator word for operators', () => {
    expect(evaluate('order == 1 and is_ready and not not_found and android and index', { order: 1, is_ready: true, not_found: false, android: 'x', index: 2 })).toBe(2);
  });

  it('supports in and not in on lists, map keys and strings, as Jinja does', () => {
    expect(evaluate('2 in list', vars)).toBe(true);
    expect(evaluate('"world" in s', vars)).toBe(true);
    expect(evaluate('5 in list', vars)).toBe(false);
    const more = { ...vars, settings: { https: true, empty: '' }, index_ok: false };
    expect(evaluate('"https" in settings', more)).toBe(true);
    expect(evaluate('"empty" in settings', more)).toBe(true);
    expect(evaluate('"toString" in settings', more)).toBe(false);
    expect(evaluate('"tsdb" not in settings', more)).toBe(true);
    expect(evaluate('5 not  in list and "x" not in s', more)).toBe(true);
    expect(evaluate('2 not in list', more)).toBe(false);
    expect(evaluate('not 2 not in list', more)).toBe(true);
    // Only the operator is rewritten: names that start with "in" and string literals stay as written.
    expect(evaluate('not index_ok and "not in" == "not in"', more)).toBe(true);
    expect(evaluate("'a not in b' not in list", more)).toBe(true);
  });

  it('supports is defined, is not defined, is undefined and defined()', () => {
    expect(evaluate('foo is defined', vars)).toBe(false);
    expect(evaluate('port is defined', vars)).toBe(true);
    expect(evaluate('foo is not defined and port is defined', vars)).toBe(true);
    expect(evaluate('foo is undefined', vars)).toBe(true);
    expect(evaluate('not foo is defined', vars)).toBe(true);
    expect(evaluate('defined(m.a.c) or defined(m.a.b)', vars)).toBe(true);
    expect(evaluate('n is defined', vars)).toBe(true);
  });

  it('offers null, None and True/False', () => {
    expect(evaluate('n == null and n == None and none == null', vars)).toBe(true);
    expect(evaluate('True and not False', vars)).toBe(true);
    expect(evaluate('null', { null: 5 })).toBe(5);
  });

  it('has transforms that also work as functions', () => {
    expect(evaluate('foo|default(3) + 1', vars)).toBe(4);
    expect(evaluate('default(foo, "x")', vars)).toBe('x');
    expect(evaluate('list|length == 2 and length(s) == 11 and m|length == 1', vars)).toBe(true);
    expect(evaluate('name|lower == "web" and upper(name) == "WEB"', vars)).toBe(true);
    expect(evaluate('int("12") + "3"|int + 4.7|int', vars)).toBe(19);
    expect(evaluate('"x"|int', vars)).toBe(0);
    expect(evaluate('"2.5"|float * 2', vars)).toBe(5);
    expect(evaluate('flag|bool and "On"|bool and not "no"|bool and not zero|bool', vars)).toBe(true);
    expect(evaluate('contains(list, 2) and s|contains("lo w") and m|contains("a")', vars)).toBe(true);
    expect(evaluate('match(s, "hel") and not match(s, "wor") and search(s, "wor")', vars)).toBe(true);
    expect(evaluate('regex_search(s, "w.r")', vars)).toBe('wor');
    expect(evaluate('regex_search(s, "xyz")', vars)).toBeNull();
    expect(evaluate('"  pad "|trim', vars)).toBe('pad');
    expect(evaluate('s|split', vars)).toEqual(['hello', 'world']);
    expect(evaluate('"a,b"|split(",")', vars)).toEqual(['a', 'b']);
    expect(evaluate('list|join("-")', vars)).toBe('1-2');
    expect(evaluate('port|string', vars)).toBe('80');
  });

  it('documents every function', () => {
    for (const f of EXPR_FUNCTIONS) expect(f.description.length).toBeGreaterThan(10);
  });

  it('names an undefined variable, the task and the expression', () => {
    expect(errorOf(() => evaluate('foo == 1', vars, ctx)).message).toBe(
      'playbooks/x.yml:4:5 task "check port": when: undefined variable "foo" in "foo == 1"\n' +
        '  hint: use defined(foo) or foo|default(...) when it may be unset',
    );
  });

  it('names undefined nested paths and suggests close names', () => {
    expect(errorOf(() => evaluate('m.a.c == 1', vars)).detail).toBe('undefined variable "m.a.c" in "m.a.c == 1"');
    expect(errorOf(() => evaluate('porr > 1', vars)).message).toBe(
      'undefined variable "porr" in "porr > 1"\n  hint: did you mean "port"?',
    );
    expect(errorOf(() => evaluate('defined(x) and y', vars)).detail).toBe('undefined variable "y" in "defined(x) and y"');
    expect(errorOf(() => evaluate('x|default(y)', vars)).detail).toBe('undefined variable "y" in "x|default(y)"');
  });

  it('does not treat inherited object properties as variables', () => {
    expect(errorOf(() => evaluate('toString', vars)).detail).toContain('toString');
  });

  it('reports syntax errors with the expression and a hint', () => {
    expect(errorOf(() => evaluate('port ==', vars, ctx)).message).toBe(
      'playbooks/x.yml:4:5 task "check port": when: syntax error in "port ==": unexpected end of expression',
    );
    expect(errorOf(() => evaluate('port = 80', vars)).message).toBe(
      'syntax error in "port = 80": invalid token "="\n  hint: compare with "==", not "="',
    );
    expect(errorOf(() => evaluate('port is number', vars)).detail).toBe(
      'syntax error in "port is number": "is" supports only "is defined", "is not defined" and "is undefined"',
    );
  });

  it('reports evaluation failures', () => {
    expect(errorOf(() => evaluate('regex_search(s, "(")', vars)).detail).toBe(
      'cannot evaluate "regex_search(s, \\"(\\")": Invalid regular expression: /(/: Unterminated group',
    );
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
    expect(checkExprSyntax('a is b')).toBe('"is" supports only "is defined", "is not defined" and "is undefined"');
  });
});
