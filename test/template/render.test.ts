import { describe, expect, it } from 'vitest';
import { checkTemplateSyntax, renderNative, renderString, renderTemplateFile, renderValue } from '../../src/template/render.js';
import { errorOf } from '../helpers/config-error.js';

const vars = {
  db_host: 'db1',
  ports: [80, 443],
  pw: 'p@ss: w#rd "\'`*&!{{x}}',
  nothing: null,
  cfg: { a: 1, nested: { b: 'two' } },
  items: [{ name: 'a' }, { name: 'b' }],
  count: 3,
  on: true,
};
const ctx = { file: 'playbooks/site.yml', line: 12, col: 7, task: 'write config', source: 'config.yaml.hbs' };

describe('renderString', () => {
  it('renders variables, nested paths, blocks and loops', () => {
    expect(renderString('{{db_host}}:{{cfg.nested.b}}', vars)).toBe('db1:two');
    expect(renderString('{{#each items}}{{@index}}={{name}};{{/each}}', vars)).toBe('0=a;1=b;');
    expect(renderString('{{#if on}}yes{{else}}no{{/if}}', vars)).toBe('yes');
    expect(renderString('{{#with cfg}}{{nested.b}}{{/with}}', vars)).toBe('two');
  });

  it('does not HTML-escape', () => {
    expect(renderString('{{v}}', { v: '<a href="x">&</a>' })).toBe('<a href="x">&</a>');
  });

  it('renders null as empty, maps and lists as JSON', () => {
    expect(renderString('[{{nothing}}] {{cfg}} {{ports}}', vars)).toBe('[] {"a":1,"nested":{"b":"two"}} [80,443]');
  });

  it('returns strings without {{ as they are', () => {
    expect(renderString('plain $(rm -rf /) text }}', vars)).toBe('plain $(rm -rf /) text }}');
  });

  it('never renders a value again (no double templating)', () => {
    expect(renderString('v={{pw}}', vars)).toBe('v=p@ss: w#rd "\'`*&!{{x}}');
    expect(renderString('{{cmd}}', { cmd: '$(id) `id` {{db_host}}' })).toBe('$(id) `id` {{db_host}}');
  });

  it('writes a literal {{ with a backslash', () => {
    expect(renderString('\\{{db_host}} {{db_host}}', vars)).toBe('{{db_host}} db1');
  });

  it('names the undefined variable, the task, the file and the template line', () => {
    const err = errorOf(() => renderString('a: 1\nb: 2\nport: {{db_port}}\n', vars, ctx));
    expect(err.message).toBe(
      'playbooks/site.yml:12:7 task "write config": undefined variable "db_port" in template config.yaml.hbs line 3\n' +
        '  hint: did you mean "db_host"?',
    );
  });

  it('quotes an inline template and suggests a close name', () => {
    const err = errorOf(() => renderString('http://{{db_hots}}/', vars, { task: 't' }));
    expect(err.message).toBe('task "t": undefined variable "db_hots" in "http://{{db_hots}}/"\n  hint: did you mean "db_host"?');
  });

  it.each([
    { tpl: '{{cfg.missing}}', name: 'cfg.missing' },
    { tpl: '{{nope.deeper}}', name: 'nope.deeper' },
    { tpl: '{{upper nope}}', name: 'nope' },
    { tpl: '{{yaml a.b.c}}', name: 'a.b.c' },
    { tpl: '{{#if flag}}x{{/if}}', name: 'flag' },
    { tpl: '{{#each list}}x{{/each}}', name: 'list' },
    { tpl: '{{#if (eq nope 1)}}x{{/if}}', name: 'nope' },
    { tpl: '{{json cfg indent=width}}', name: 'width' },
  ])('reports undefined nested paths, helper arguments and block conditions: $tpl', ({ tpl, name }) => {
    expect(errorOf(() => renderString(tpl, vars)).detail).toBe(`undefined variable ${JSON.stringify(name)} in ${JSON.stringify(tpl)}`);
  });

  it('reports a missing field of a loop item', () => {
    const err = errorOf(() => renderString('{{#each items}}{{port}}{{/each}}', vars, { source: 'x.hbs' }));
    expect(err.detail).toBe('undefined variable "port" in template x.hbs line 1');
  });

  it('lets default cover undefined values, even nested ones', () => {
    expect(renderString('{{default nope "fb"}} {{default cfg.none.x 5}} {{default db_host "x"}}', vars)).toBe('fb 5 db1');
  });

  it('reports unknown helpers and helper failures with the line', () => {
    expect(errorOf(() => renderString('x\n{{frobnicate db_host}}', vars, { source: 't.hbs' })).detail).toBe(
      'unknown helper "frobnicate" in template t.hbs line 2',
    );
  });

  it('reports syntax errors with the template line', () => {
    const err = errorOf(() => renderString('ok\n{{db_host}', vars, { file: 'p.yml', line: 3, col: 5, task: 'x' }));
    expect(err.message).toBe(
      'p.yml:3:5 task "x": template syntax error in "ok\\n{{db_host}": line 2 near "ok{{db_host}": unexpected \'INVALID\'',
    );
  });

  it('uses the file alone when no line is known, and the field', () => {
    const err = errorOf(() => renderString('{{x}}', {}, { file: 'inv.yml', field: 'args.dest' }));
    expect(err.message).toBe('inv.yml: args.dest: undefined variable "x" in "{{x}}"\n  hint: use {{default x "..."}} when it may be unset');
  });

  it('gives the same result from the compile cache', () => {
    expect(renderString('{{count}}!', { count: 1 })).toBe('1!');
    expect(renderString('{{count}}!', { count: 2 })).toBe('2!');
  });
});

describe('renderTemplateFile', () => {
  it('renders a multi-line file and names it in errors', () => {
    expect(renderTemplateFile('host: {{db_host}}\nports: {{json ports}}\n', vars)).toBe('host: db1\nports: [80,443]\n');
    expect(errorOf(() => renderTemplateFile('a\n\n{{#each ports}}{{x}}{{/each}}', vars, { source: 'f.hbs' })).detail).toBe(
      'undefined variable "x" in template f.hbs line 3',
    );
  });
});

describe('renderValue and native values', () => {
  it('keeps the native type of a single expression', () => {
    expect(renderNative('{{ ports }}', vars)).toEqual([80, 443]);
    expect(renderNative('{{count}}', vars)).toBe(3);
    expect(renderNative('{{ on }}', vars)).toBe(true);
    expect(renderNative('{{ cfg }}', vars)).toEqual(vars.cfg);
    expect(renderNative('{{ nothing }}', vars)).toBeNull();
    expect(renderNative('{{ default missing 8080 }}', vars)).toBe(8080);
    expect(renderNative('{{ eq count 3 }}', vars)).toBe(true);
  });

  it('returns strings when the template is more than one expression', () => {
    expect(renderNative('{{count}} ', vars)).toBe('3 ');
    expect(renderNative('{{count}}{{count}}', vars)).toBe('33');
    expect(renderNative('x{{count}}', vars)).toBe('x3');
  });

  it('deep-renders objects and lists and leaves other values alone', () => {
    const input = { a: '{{ ports }}', b: ['{{count}}', 'n={{count}}', 'plain }}'], c: 3, d: null, e: { f: '{{cfg.nested.b}}' } };
    expect(renderValue(input, vars)).toEqual({ a: [80, 443], b: [3, 'n=3', 'plain }}'], c: 3, d: null, e: { f: 'two' } });
  });

  it('reports undefined variables of a native expression', () => {
    expect(errorOf(() => renderValue({ a: '{{ nope }}' }, vars, { field: 'args' })).detail).toBe(
      'args: undefined variable "nope" in "{{ nope }}"',
    );
  });
});

describe('checkTemplateSyntax', () => {
  it('accepts valid templates and plain strings', () => {
    expect(checkTemplateSyntax('{{#if a}}{{b}}{{/if}}')).toBeUndefined();
    expect(checkTemplateSyntax('no template }}')).toBeUndefined();
  });

  it('returns a short message for broken ones', () => {
    expect(checkTemplateSyntax('{{#if a}}x{{/each}}')).toBe("if doesn't match each - 1:3");
    expect(checkTemplateSyntax('a {{b}')).toBe('line 1 near "a {{b}": unexpected \'INVALID\'');
  });
});
