import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/template/expr.js';
import { FILTERS, TESTS } from '../../src/template/filters/index.js';
import { errorOf } from '../helpers/config-error.js';

const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-filters-'));
writeFileSync(path.join(dir, 'f.txt'), 'x');
mkdirSync(path.join(dir, 'd'));
symlinkSync(path.join(dir, 'f.txt'), path.join(dir, 'l'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const vars = {
  port: 8080,
  name: 'Web Server',
  ports: [8088, 8089],
  empty: '',
  n: null,
  users: [
    { name: 'bob', admin: false, uid: 20, groups: ['ops'] },
    { name: 'Ann', admin: true, uid: 10, groups: ['ops', 'dba'] },
    { name: 'cid', uid: 30, groups: [] },
  ],
  conf: { a: 1, b: { c: 2, d: [1] } },
  ok_result: { changed: true, failed: false, rc: 0 },
  bad_result: { changed: false, failed: true, rc: 2 },
  skip_result: { changed: false, skipped: true },
  loop_result: { results: [{ changed: false }, { changed: true }] },
  dir,
};

// Each row: an expression and the value Ansible (ansible-core 2.14, Jinja2 3.1) gives for it with `vars`.
const FILTER_ROWS: [string, unknown][] = [
  // sets, product, format, random with a seed
  ['ports | union([8089, 9000])', [8088, 8089, 9000]],
  ['[1, 2, 2, 3] | intersect([2, 3, 4])', [2, 3]],
  ['[1, 2, 2, 3] | difference([2])', [1, 3]],
  ['[1, 2] | symmetric_difference([2, 3])', [1, 3]],
  ['[1, 2] | product(["a", "b"]) | list', [[1, 'a'], [1, 'b'], [2, 'a'], [2, 'b']]],
  ["'%s=%s' | format('k', 8)", 'k=8'],
  ["'%x-%05d|%-4s|' | format(255, 42, 'ab')", 'ff-00042|ab  |'],
  ["10 | random(seed='h1') == 10 | random(seed='h1') and 10 | random(seed='h1') < 10", true],
  ["[5, 6] | random in [5, 6]", true],
  ['3 | random(start=1, step=2)', 1],
  // Python methods on mappings and text
  ['conf.keys() | list', ['a', 'b']],
  ['conf.b.values() | list', [2, [1]]],
  ['conf.items() | list', [['a', 1], ['b', { c: 2, d: [1] }]]],
  ["conf.get('a')", 1],
  ["conf.get('z', 'none')", 'none'],
  ["name.find('Server')", 4],
  ["name.find('x')", -1],
  ["name.startswith('Web') and name.endswith(['x', 'ver'])", true],
  ["'  a b \\n'.strip()", 'a b'],
  ["'xxaxx'.lstrip('x') ~ '|' ~ 'xxaxx'.rstrip('x')", 'axx|xxa'],
  ["'a\\nb\\n'.splitlines()", ['a', 'b']],
  // slices and indexing after parentheses
  ['ports[0:1]', [8088]],
  ['name[:3]', 'Web'],
  ['name[-6:]', 'Server'],
  ['[1, 2, 3, 4][::2]', [1, 3]],
  ['[1, 2, 3][::-1]', [3, 2, 1]],
  ['ports[:99999999999999999999]', [8088, 8089]],
  ["(name | split(' '))[1]", 'Server'],
  ["(name | regex_search('W(e)b', '\\1'))[0]", 'e'],
  // default / d
  ['missing | default(80)', 80],
  ['missing | d(80)', 80],
  ['missing.deeper | default("x")', 'x'],
  ['port | default(80)', 8080],
  ["empty | default('x')", ''],
  ["empty | default('x', true)", 'x'],
  ["empty | default('x', boolean=true)", 'x'],
  ['n | default(1)', null],
  ['missing | default([8088, 8089])', [8088, 8089]],
  ["missing | default({'a': 1, 'b': [true, None]})", { a: 1, b: [true, null] }],
  ['port | mandatory', 8080],
  // ternary, bool, int, float, string
  ["(port == 8080) | ternary('yes', 'no')", 'yes'],
  ["n | ternary('yes', 'no', 'null')", 'null'],
  ["'' | ternary('yes', 'no')", 'no'],
  ["'yes' | bool", true],
  ["'no' | bool", false],
  ["'True' | bool", true],
  ["'12' | int + 1", 13],
  ["'4.7' | int", 4],
  ["'12abc' | int", 0],
  ["'12abc' | int(7)", 7],
  ["'0x1F' | int(base=16)", 31],
  ["'2.5' | float", 2.5],
  ["'x' | float", 0],
  ['port | string', '8080'],
  // lists
  ["'abc' | list", ['a', 'b', 'c']],
  ['conf | list', ['a', 'b']],
  ['ports | length', 2],
  ['name | count', 10],
  ['conf | length', 2],
  ['ports | first', 8088],
  ['ports | last', 8089],
  ['ports | join', '80888089'],
  ["ports | join(', ')", '8088, 8089'],
  ["users | join(', ', attribute='name')", 'bob, Ann, cid'],
  ["'a b  c' | split", ['a', 'b', 'c']],
  ["'a,b,,c' | split(',')", ['a', 'b', '', 'c']],
  ["'a,b,c' | split(',', 1)", ['a', 'b,c']],
  // text
  ['name | lower', 'web server'],
  ['name | upper', 'WEB SERVER'],
  ["'hELLO wORLD' | capitalize", 'Hello world'],
  ["'  pad \\n' | trim", 'pad'],
  ["name | replace('e', 'E')", 'WEb SErvEr'],
  ["name | replace('e', 'E', 1)", 'WEb Server'],
  ["'ansible' | regex_replace('^a.*i(.*)$', 'a\\\\1')", 'able'],
  ["'localhost:80' | regex_replace('^(?P<host>.+):(?P<port>\\\\d+)$', '\\\\g<port>:\\\\g<host>')", '80:localhost'],
  ["'aaa' | regex_replace('a', 'b', count=2)", 'bba'],
  ["'ABC' | regex_replace('b', 'x', ignorecase=true)", 'AxC'],
  ["'server1/database42' | regex_search('database[0-9]+')", 'database42'],
  ["'server1' | regex_search('xyz')", null],
  ["'server1/database42' | regex_search('server([0-9]+)/database([0-9]+)', '\\\\1', '\\\\2')", ['1', '42']],
  ["'a1b22' | regex_findall('\\\\d+')", ['1', '22']],
  ["\"it's\" | quote", "'it'\\''s'"],
  ["'plain' | quote", 'plain'],
  ["'/etc/app/app.conf' | basename", 'app.conf'],
  ["'/etc/app/' | basename", ''],
  ["'/etc/app/app.conf' | dirname", '/etc/app'],
  ["'app.conf' | dirname", ''],
  ["'/app.conf' | dirname", '/'],
  ["'héllo' | b64encode", 'aMOpbGxv'],
  ["'aMOpbGxv' | b64decode", 'héllo'],
  ["'test' | hash('sha1')", 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
  ["'test' | hash('md5')", '098f6bcd4621d373cade4e832627b4f6'],
  ["'test' | hash('sha256')", '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  ["'test' | checksum", 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
  // mapping and selecting
  ["users | map(attribute='name')", ['bob', 'Ann', 'cid']],
  ["users | map(attribute='admin', default=false)", [false, true, false]],
  ["users | map(attribute='groups.0')", ['ops', 'ops', undefined]],
  ["['a', 'B'] | map('upper')", ['A', 'B']],
  ["['a1', 'b2'] | map('regex_replace', '\\\\d', '') | list", ['a', 'b']],
  ["[1, 0, 2, none] | select", [1, 2]],
  ["[1, 0, 2] | reject", [0]],
  ["['ab', 'cd', 'ae'] | select('match', 'a')", ['ab', 'ae']],
  ["['ab', 'cd', 'ae'] | reject('search', 'e')", ['ab', 'cd']],
  ["[1, 2, 3, 4] | select('odd')", [1, 3]],
  ["[1, 2, 3, 4] | select('gt', 2)", [3, 4]],
  ["users | selectattr('admin') | map(attribute='name') | list", ['Ann']],
  ["users | selectattr('admin', 'defined') | map(attribute='name') | list", ['bob', 'Ann']],
  ["users | selectattr('name', 'equalto', 'cid') | map(attribute='uid') | first", 30],
  ["users | selectattr('uid', '>=', 20) | map(attribute='name') | list", ['bob', 'cid']],
  ["users | rejectattr('admin') | map(attribute='name') | list", ['bob', 'cid']],
  ["users | selectattr('groups', 'contains', 'dba') | map(attribute='name') | list", ['Ann']],
  ["[3, 1, 3, 2, 1] | unique", [3, 1, 2]],
  ["['a', 'A', 'b'] | unique", ['a', 'b']],
  ["['a', 'A', 'b'] | unique(case_sensitive=true)", ['a', 'A', 'b']],
  ["[3, 1, 2] | sort", [1, 2, 3]],
  ["[3, 1, 2] | sort(reverse=true)", [3, 2, 1]],
  ["['b', 'C', 'a'] | sort", ['a', 'b', 'C']],
  ["['b', 'C', 'a'] | sort(case_sensitive=true)", ['C', 'a', 'b']],
  ["users | sort(attribute='uid') | map(attribute='name') | list", ['Ann', 'bob', 'cid']],
  ["users | sort(attribute='name') | map(attribute='name') | list", ['Ann', 'bob', 'cid']],
  ['[1, [2, [3, [4]]], none] | flatten', [1, 2, 3, 4]],
  ['[1, [2, [3, [4]]]] | flatten(1)', [1, 2, [3, [4]]]],
  // maps
  ["{'a': 1, 'b': 2} | combine({'b': 3, 'c': 4})", { a: 1, b: 3, c: 4 }],
  ["conf | combine({'b': {'d': [2], 'e': 5}})", { a: 1, b: { d: [2], e: 5 } }],
  ["conf | combine({'b': {'d': [2], 'e': 5}}, recursive=true)", { a: 1, b: { c: 2, d: [2], e: 5 } }],
  ["conf | combine({'b': {'d': [2]}}, recursive=true, list_merge='append')", { a: 1, b: { c: 2, d: [1, 2] } }],
  ["{'a': 1} | combine({'b': 2}, {'a': 3})", { a: 3, b: 2 }],
  ["{'a': 1, 'b': 2} | dict2items", [{ key: 'a', value: 1 }, { key: 'b', value: 2 }]],
  ["{'a': 1} | dict2items(key_name='k', value_name='v')", [{ k: 'a', v: 1 }]],
  ["[{'key': 'a', 'value': 1}] | items2dict", { a: 1 }],
  ["[{'k': 'a', 'v': 1}] | items2dict(key_name='k', value_name='v')", { a: 1 }],
  ["['a', 'b'] | zip([1, 2, 3]) | list", [['a', 1], ['b', 2]]],
  ["dict(['a', 'b'] | zip([1, 2]))", { a: 1, b: 2 }],
  ['dict(a=1, b=true)', { a: 1, b: true }],
  // JSON and YAML
  ["{'a': 1, 'b': [1, 'x'], 'c': none} | to_json", '{"a": 1, "b": [1, "x"], "c": null}'],
  ["'é' | to_json", '"\\u00e9"'],
  ["{'b': 1, 'a': [1, 2]} | to_nice_json", '{\n    "a": [\n        1,\n        2\n    ],\n    "b": 1\n}'],
  ["{'b': 1} | to_nice_json(indent=2)", '{\n  "b": 1\n}'],
  ['\'{"a": [1, 2]}\' | from_json', { a: [1, 2] }],
  ["{'b': 1, 'a': 'x'} | to_yaml", 'a: x\nb: 1'],
  ["{'a': {'b': 1}} | to_nice_yaml", 'a:\n    b: 1'],
  ["'a: [1, 2]' | from_yaml", { a: [1, 2] }],
  // numbers
  ['[3, 1, 2] | min', 1],
  ['[3, 1, 2] | max', 3],
  ['[1, 2, 3] | sum', 6],
  ["users | sum(attribute='uid')", 60],
  ['-3 | abs', 3],
  ['2.5 | round', 3],
  ['-2.5 | round', -3],
  ['3.14159 | round(2)', 3.14],
  ["3.7 | round(0, 'floor')", 3],
  ['range(3)', [0, 1, 2]],
  ['range(1, 10, 3)', [1, 4, 7]],
  ['range(5, 0, -2)', [5, 3, 1]],
  // operators
  ["'a' ~ port ~ 'b'", 'a8080b'],
  ['2 ** 10', 1024],
  ['7 // 2', 3],
  ['7 % 4', 3],
  ["ports == [8088, 8089] and conf != {'a': 1}", true],
  // indexes
  ['ports[-1]', 8089],
  ['ports[0] + ports[1 - 2]', 16177],
  ["conf['b']['d'][0]", 1],
  ['name[-1]', 'r'],
  ["users[1]['name'] | upper", 'ANN'],
  ["conf['toString'] | default('none')", 'none'],
  // Jinja's conditional expression
  ["'big' if port > 1000 else 'small'", 'big'],
  ["'x' ~ ('big' if port < 1000 else 'small')", 'xsmall'],
  ["'a' if n else 'b' if port else 'c'", 'b'],
  ["'a' if n", null],
  ["[1 if port else 2, 3]", [1, 3]],
  ["{'k': 'on' if conf.a else 'off'}", { k: 'on' }],
  ["missing | default('d' if port else 'e')", 'd'],
  ["ports | join(d=', ' if port else '-')", '8088, 8089'],
];

const TEST_ROWS: [string, boolean][] = [
  ['port is defined', true],
  ['missing is defined', false],
  ['missing.deeper is defined', false],
  ['missing is undefined', true],
  ['port is not undefined', true],
  ['n is none', true],
  ['port is none', false],
  ['ports is truthy', true],
  ['[] is falsy', true],
  ["'no' is truthy", true],
  ["'no' is truthy(convert_bool=true)", false],
  ["'1.2.10' is version('1.2.9', '>')", true],
  ["'1.2.10' is version('1.2.9', 'gt')", true],
  ["'1.10' is version('1.9', '<')", false],
  ["'2.0' is version('2.0.0', '==')", false],
  ["'2.0' is version('2.0.0', '==', strict=true)", true],
  ["'1.0a1' is version('1.0', '<', strict=true)", true],
  ["'4.2.1-ce' is version('4.2.1', '>')", true],
  ["'1.0.0-rc.1' is version('1.0.0', '<', version_type='semver')", true],
  ["'1.0.0-rc.2' is version('1.0.0-rc.10', '<', version_type='semver')", true],
  ["'1.2' is version_compare('1.2', 'eq')", true],
  ["'1.2' is not version('1.3', '>=')", true],
  ['ok_result is succeeded', true],
  ['ok_result is success', true],
  ['bad_result is failed', true],
  ['bad_result is failure', true],
  ['ok_result is changed', true],
  ['loop_result is changed', true],
  ['skip_result is skipped', true],
  ['ok_result is skipped', false],
  ["'hello world' is match('hel')", true],
  ["'hello world' is match('wor')", false],
  ["'hello world' is search('wor')", true],
  ["'Hello' is search('hel', ignorecase=true)", true],
  ["'hello' is regex('l+')", true],
  ["'hello' is regex('l+', match_type='match')", false],
  ["'hello' is regex('h.*o', match_type='fullmatch')", true],
  ['8088 is in(ports)', true],
  ["'a' is in({'a': 1})", true],
  ['[8088] is subset(ports)', true],
  ['ports is superset([8089])', true],
  ['ports is contains(8089)', true],
  ['name is string', true],
  ["name is string | ternary(name, name | to_json) == 'Web Server'", true],
  ['conf is string | ternary(conf, 1) == 1', true],
  ['conf is not string | ternary(1, 2) == 1', true],
  ['port is string', false],
  ['port is number', true],
  ['true is number', true],
  ['port is integer', true],
  ['true is integer', false],
  ['2.5 is float', true],
  ['conf is mapping', true],
  ['ports is mapping', false],
  ['ports is iterable', true],
  ['name is sequence', true],
  ['port is iterable', false],
  ['false is boolean', true],
  ["'true' is boolean", false],
  ['3 is odd and 4 is even and 9 is divisibleby(3)', true],
  ["'ab' is lower and 'AB' is upper", true],
  ["dir ~ '/f.txt' is file", true],
  ["dir ~ '/d' is directory", true],
  ["dir ~ '/d' is file", false],
  ["dir ~ '/l' is link and dir ~ '/l' is exists", true],
  ["dir ~ '/nothing' is exists", false],
];

describe('filters give what Ansible gives', () => {
  it.each(FILTER_ROWS)('%s', (expr, value) => {
    expect(evaluate(expr, vars)).toEqual(value);
  });
});

describe('tests give what Ansible gives', () => {
  it.each(TEST_ROWS)('%s', (expr, value) => {
    expect(evaluate(expr, vars)).toBe(value);
  });
});

// Each row: an expression used wrongly and the detail of the error.
const MISUSE: [string, string][] = [
  ["port | defualt(80)", 'syntax error in "port | defualt(80)": unknown filter "defualt"'],
  ["port is versoin('1')", 'syntax error in "port is versoin(\'1\')": unknown test "versoin"'],
  ["ports | sort(atribute='x')", 'cannot evaluate "ports | sort(atribute=\'x\')": filter sort has no argument "atribute"; it takes reverse, case_sensitive, attribute'],
  ["ports | first(1)", 'cannot evaluate "ports | first(1)": filter first takes 0 arguments (no arguments), got 1'],
  ["missing | mandatory('set missing in the inventory')", 'cannot evaluate "missing | mandatory(\'set missing in the inventory\')": set missing in the inventory'],
  ["'1.0' is version('1.x', '<', strict=true)", 'cannot evaluate "\'1.0\' is version(\'1.x\', \'<\', strict=true)": Version comparison failed: invalid version number \'1.x\''],
  ["'1.0' is version('1.0', 'bigger')", "cannot evaluate \"'1.0' is version('1.0', 'bigger')\": Invalid operator type (bigger). Must be one of ==, =, eq, <, lt, <=, le, >, gt, >=, ge, !=, <>, ne"],
  ["'{\"a\": s3cret' | from_json", 'cannot evaluate "\'{\\"a\\": s3cret\' | from_json": from_json: the text is not valid JSON'],
  ["'a: [s3cret' | from_yaml", 'cannot evaluate "\'a: [s3cret\' | from_yaml": from_yaml: the text is not valid YAML (at line 1 column 11)'],
  ["port is failed", 'cannot evaluate "port is failed": the \'failed\' test expects a registered result (a map), got a number'],
  ["conf | upper", 'cannot evaluate "conf | upper": upper expects text, got a mapping'],
  // a step below 1 or numbers past 2^53 once counted forever and ran out of memory
  ['ports[::1/1000000000]', 'cannot evaluate "ports[::1/1000000000]": slice indices must be whole numbers, got 1e-9'],
  ["name[0.5:]", 'cannot evaluate "name[0.5:]": slice indices must be whole numbers, got 0.5'],
  ['range(100000000000000000, 100000000000000010) | length', 'cannot evaluate "range(100000000000000000, 100000000000000010) | length": range expects whole numbers up to 9007199254740991: range(stop), range(start, stop) or range(start, stop, step) with a step other than 0'],
  ['range(2.5)', 'cannot evaluate "range(2.5)": range expects whole numbers up to 9007199254740991: range(stop), range(start, stop) or range(start, stop, step) with a step other than 0'],
  ["ports | map('uper')", 'cannot evaluate "ports | map(\'uper\')": unknown filter "uper": did you mean "upper"?'],
];

describe('misused filters and tests', () => {
  it.each(MISUSE)('%s', (expr, detail) => {
    expect(errorOf(() => evaluate(expr, vars)).detail).toBe(detail);
  });

  it('suggests the closest filter name', () => {
    expect(errorOf(() => evaluate('port | defualt(80)', vars)).where.hint).toBe('did you mean "default"?');
  });
});

describe('the filter and test tables', () => {
  it('document every entry', () => {
    for (const f of [...FILTERS, ...TESTS]) expect(f.description.length, f.name).toBeGreaterThan(10);
  });
});
