import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigError } from '../../src/core/errors.js';
import { HELPER_DOCS, HELPERS, yamlScalar } from '../../src/template/helpers.js';
import { renderString, renderValue } from '../../src/template/render.js';

const NASTY = [
  'p@ss: w#rd "\'`*&!{{x}}',
  'key: value',
  'a #comment',
  '*alias',
  '&anchor',
  '!tag',
  '%directive',
  '@reserved',
  '`backtick',
  ' leading space',
  'trailing space ',
  'line1\nline2',
  'yes',
  'no',
  'on',
  'off',
  'null',
  '~',
  'true',
  'False',
  '123',
  '0o17',
  '0x1F',
  '1e3',
  '.inf',
  '-',
  '? question',
  '- dash',
  '[not a list]',
  '{not: a map}',
  '"double"',
  "'single'",
  'tab\there',
  'back\\slash',
  '',
  '$(rm -rf /)',
  '|',
  '>',
  'unicode ✓ \u2028 sep',
];

function roundTrip(value: unknown): unknown {
  const doc = renderString('root:\n  key: {{yaml v}}\n', { v: value });
  return (YAML.parse(doc) as { root: { key: unknown } }).root.key;
}

describe('yaml helper', () => {
  it.each(NASTY)('round-trips %j through a YAML parser', (pw) => {
    expect(roundTrip(pw)).toBe(pw);
    expect(YAML.parse(`k: ${yamlScalar(pw)}`, { version: '1.1' }).k).toBe(pw);
  });

  it('keeps numbers, booleans and null typed', () => {
    expect(renderString('{{yaml n}} {{yaml b}} {{yaml z}}', { n: 8080, b: false, z: null })).toBe('8080 false null');
    expect(roundTrip(8080)).toBe(8080);
    expect(roundTrip(true)).toBe(true);
  });

  it('quotes numbers given as strings', () => {
    expect(renderString('{{yaml "5"}}', {})).toBe('"5"');
  });

  it('round-trips any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(roundTrip(s)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});

describe('helpers', () => {
  const vars = { list: ['a', 'b c', "it's"], cfg: { a: 1, b: [1, 2] }, name: 'Web', n: 0, empty: '', nil: null, t: true, f: false };

  it('json', () => {
    expect(renderString('{{json cfg}}', vars)).toBe('{"a":1,"b":[1,2]}');
    expect(renderString('{{json name}}', vars)).toBe('"Web"');
    expect(renderString('{{json cfg indent=2}}', vars)).toBe('{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}');
  });

  it('shell_quote quotes one word or a list, and survives a real shell', () => {
    expect(renderString('echo {{shell_quote v}}', { v: "it's $(id) `id`" })).toBe("echo 'it'\\''s $(id) `id`'");
    expect(renderString('{{shell_quote list}}', vars)).toBe("a 'b c' 'it'\\''s'");
    const hostile = 'x\'; rm -rf / #"$HOME`id`\n';
    const out = spawnSync('sh', ['-c', renderString('printf %s {{shell_quote v}}', { v: hostile })], { encoding: 'utf8' });
    expect(out.stdout).toBe(hostile);
  });

  it('default replaces undefined, null and empty strings only', () => {
    expect(renderString('{{default missing "fb"}}|{{default nil "fb"}}|{{default empty "fb"}}|{{default n "fb"}}|{{default f "fb"}}', vars)).toBe(
      'fb|fb|fb|0|false',
    );
  });

  it('join', () => {
    expect(renderString('{{join list}}', vars)).toBe("a,b c,it's");
    expect(renderString('{{join list " | "}}', vars)).toBe("a | b c | it's");
    expect(() => renderString('{{join name}}', vars)).toThrow('join: expected a list, got a string in "{{join name}}"');
  });

  it('env reads the controller environment, with a default', () => {
    process.env.OMSRUN_TEST_VAR = 'from env';
    delete process.env.OMSRUN_TEST_UNSET;
    expect(renderString('{{env "OMSRUN_TEST_VAR"}}', {})).toBe('from env');
    expect(renderString('{{env "OMSRUN_TEST_UNSET" "dflt"}}', {})).toBe('dflt');
    let err: unknown;
    try {
      renderString('x\n{{env "OMSRUN_TEST_UNSET"}}', {}, { task: 'env', source: 'e.hbs' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('task "env": env: environment variable "OMSRUN_TEST_UNSET" is not set in template e.hbs line 2');
  });

  it('upper and lower', () => {
    expect(renderString('{{upper name}} {{lower name}}', vars)).toBe('WEB web');
  });

  it('eq, ne, and, or, not in conditions', () => {
    const tpl = '{{#if (eq name "Web")}}1{{/if}}{{#if (ne name "x")}}2{{/if}}{{#if (and t (not f))}}3{{/if}}{{#if (or f n)}}4{{/if}}{{#if (or f t)}}5{{/if}}';
    expect(renderString(tpl, vars)).toBe('1235');
    expect(renderString('{{eq 1 1}}{{eq 1 1}}', vars)).toBe('truetrue');
  });

  it('split makes a list of words or parts', () => {
    expect(renderValue('{{split text}}', { text: ' h1 h2  h3 ' })).toEqual(['h1', 'h2', 'h3']);
    expect(renderValue('{{split text}}', { text: '' })).toEqual([]);
    expect(renderValue('{{split text ","}}', { text: 'a,,b' })).toEqual(['a', '', 'b']);
  });

  it('contains finds list items, map keys and substrings', () => {
    const tpl = '{{#if (contains list "b c")}}1{{/if}}{{#if (contains list "b")}}x{{/if}}{{#if (contains cfg "a")}}2{{/if}}{{#if (contains name "eb")}}3{{/if}}';
    expect(renderString(tpl, vars)).toBe('123');
    expect(() => renderString('{{contains n 1}}', vars)).toThrow(/contains expects a list, a map or a string, got number/);
  });

  it('indent and to_yaml', () => {
    expect(renderString('cfg:\n  {{indent (to_yaml cfg) 2}}\n', vars)).toBe('cfg:\n  a: 1\n  b:\n    - 1\n    - 2\n');
    expect(YAML.parse(renderString('cfg:\n  {{indent (to_yaml cfg) 2}}\n', vars))).toEqual({ cfg: vars.cfg });
    expect(renderString('{{indent "a\nb" 3 first=true}}', vars)).toBe('   a\n   b');
  });

  it('b64encode', () => {
    expect(renderString('{{b64encode "héllo: {{x}}"}}', vars)).toBe(Buffer.from('héllo: {{x}}').toString('base64'));
  });

  it('documents every helper', () => {
    expect(HELPER_DOCS.map((h) => h.name)).toEqual(HELPERS.map((h) => h.name));
    for (const h of HELPER_DOCS) expect(h.description.length).toBeGreaterThan(10);
  });
});

describe('columns helper', () => {
  it('aligns |-separated cells and drops separator lines', async () => {
    const { renderString } = await import('../../src/template/render.js');
    const out = renderString('{{#columns}}| node | state |\n|---|---|\n{{#each rows}}| {{this.n}} | {{this.s}} |\n{{/each}}{{/columns}}', {
      rows: [{ n: 'h1', s: 'running' }, { n: 'node-22', s: 'exited' }],
    });
    expect(out).toBe('node     state\nh1       running\nnode-22  exited\n');
  });
});
