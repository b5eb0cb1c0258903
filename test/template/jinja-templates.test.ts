import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/model.js';
import { isExpression, scanTemplate } from '../../src/template/jinja-scan.js';
import { checkTemplateSyntax, renderNative, renderString, renderTemplateFile } from '../../src/template/render.js';
import { buildVars, magicVars } from '../../src/template/vars.js';
import { errorOf } from '../helpers/config-error.js';

const vars = {
  port: 8080,
  ports: [8088, 8089],
  name: 'web',
  users: [
    { name: 'ann', admin: true },
    { name: 'bob', admin: false },
  ],
  settings: { 'log-level': 'info', tls: { on: true } },
  empty: '',
};
const ctx = { file: 'playbooks/site.yml', line: 12, col: 7, task: 'write config' };

// Each row: the text inside {{ }} and whether it is an Ansible expression (true) or stays Handlebars (false).
const DETECTION: [string, boolean][] = [
  ['name', false],
  [' name ', false],
  ['users.0.name', false],
  ['stdout_lines.[0]', false],
  ['@root.port', false],
  ['../port', false],
  ['this', false],
  ['my-var', false],
  ['json users indent=2', false],
  ['default x "fallback"', false],
  ['join list ", "', false],
  ['lookup (lookup @root.hostvars this) \'state\'', false],
  ['#if (eq a b)', false],
  ['/if', false],
  ['else', false],
  ['> partial', false],
  ['! a comment | with a pipe', false],
  ['^items', false],
  ['~name~', false],
  ['port | default(80)', true],
  ['port|int', true],
  ['lookup("env", "HOME")', true],
  ['range(3)', true],
  ["settings['log-level']", true],
  ['ports[0]', true],
  ["'literal'", true],
  ['"literal"', true],
  ['[8088, 8089]', true],
  ["{'a': 1}", true],
  ['port is defined', true],
  ['port == 80', true],
  ['port + 1', true],
  ['port - 1', true],
  ["'a' ~ name", true],
  ['name ~ port', true],
  ['not_a_test and port', true],
  ['x if y else z', true],
  ['~ port | int ~', true],
  ['7', true],
  [' -3 ', true],
  ['2.5', true],
  ['1e3', true],
];

describe('telling expressions from Handlebars', () => {
  it.each(DETECTION)('{{%s}} is an expression: %s', (inner, expected) => {
    expect(isExpression(inner)).toBe(expected);
  });

  it('leaves escaped, triple and raw mustaches alone and keeps line numbers', () => {
    const tpl = "\\{{ a | b }} {{{ raw }}}\n{{{{omsrun_literal}}}}{{ x | y }}{{{{/omsrun_literal}}}}\n{{ port |\n int }} {{name}}";
    const scanned = scanTemplate(tpl);
    expect(scanned.exprs).toEqual(['port |\n int']);
    expect(scanned.lines).toEqual([3]);
    expect(scanned.template.split('\n')).toHaveLength(tpl.split('\n').length);
  });
});

describe('expressions in templates', () => {
  it.each([
    ['port: {{ port | default(80) }}', 'port: 8080'],
    ['port: {{ missing | default(80) }}', 'port: 80'],
    ["{{ users | selectattr('admin') | map(attribute='name') | join(', ') }}", 'ann'],
    ["{{ settings['log-level'] | upper }}/{{ settings.tls.on | ternary('tls', 'plain') }}", 'INFO/tls'],
    ['{{ ports | map("string") | join(",") }} {{name}}', '8088,8089 web'],
    ['{{#each users}}{{ name | upper }}{{#if admin}}*{{/if}} {{/each}}', 'ANN* BOB '],
    ['{{#each ports}}{{ this + port }} {{/each}}', '16168 16169 '],
    ['{{ ports }} {{ ports | list }}', '[8088,8089] [8088,8089]'],
    ['{{ "x" ~ port ~ "y" }}', 'x8080y'],
    ['{{~ port | int ~}}  \n', '8080'],
    ['{{upper name}} {{ name | upper }}', 'WEB WEB'],
  ])('%s', (tpl, out) => {
    expect(renderString(tpl, vars)).toBe(out);
  });

  it('keeps the type of a value that is exactly one expression', () => {
    expect(renderNative('{{ missing | default([8088, 8089]) }}', vars)).toEqual([8088, 8089]);
    expect(renderNative('{{ port | string }}', vars)).toBe('8080');
    expect(renderNative("{{ '8080' | int }}", vars)).toBe(8080);
    expect(renderNative('{{ users | selectattr("admin") | first }}', vars)).toEqual({ name: 'ann', admin: true });
    expect(renderNative('{{ port is defined }}', vars)).toBe(true);
    expect(renderNative("{{ {'a': port} }}", vars)).toEqual({ a: 8080 });
    expect(renderNative('{{ port | default(80) }} ', vars)).toBe('8080 ');
    expect(renderNative('{{ 7 }}', vars)).toBe(7);
    expect(renderString('x{{ 70000 }} {{ 2.5 }} {{ -3 }}', vars, ctx)).toBe('x70000 2.5 -3');
  });
});

describe('template expression errors', () => {
  it('names an undefined variable, the template line and the task', () => {
    const err = errorOf(() => renderTemplateFile('a: 1\nport: {{ db_prot | int }}\n', { db_port: 1 }, { ...ctx, source: 'app.conf.hbs' }));
    expect(err.message).toBe(
      'playbooks/site.yml:12:7 task "write config": undefined variable "db_prot" in template app.conf.hbs line 2\n  hint: did you mean "db_port"?',
    );
  });

  it('suggests default for an undefined variable with no close name', () => {
    const err = errorOf(() => renderString('{{ zzz | upper }}', vars, { task: 't' }));
    expect(err.message).toBe('task "t": undefined variable "zzz" in "{{ zzz | upper }}"\n  hint: use {{ zzz | default(...) }} when it may be unset');
  });

  it('suggests the closest filter for an unknown one', () => {
    const err = errorOf(() => renderString('{{ port | defualt(80) }}', vars, { task: 't' }));
    expect(err.message).toBe(
      'task "t": syntax error in "port | defualt(80)": unknown filter "defualt" in "{{ port | defualt(80) }}"\n  hint: did you mean "default"?',
    );
  });

  it('says what to write instead of a lookup', () => {
    const err = errorOf(() => renderString("{{ lookup('env', 'HOME') }}", vars));
    expect(err.detail).toBe('syntax error in "lookup(\'env\', \'HOME\')": unknown function "lookup" in "{{ lookup(\'env\', \'HOME\') }}"');
    expect(err.where.hint).toContain('{{env "NAME"}}');
  });

  it('reports a filter that fails', () => {
    expect(errorOf(() => renderString('{{ ports | upper }}', vars)).detail).toBe(
      'cannot evaluate "ports | upper": upper expects text, got a list in "{{ ports | upper }}"',
    );
  });

  it('reports a key that does not exist', () => {
    expect(errorOf(() => renderString("{{ settings['nope'] }}", vars)).message).toBe(
      '"settings[\'nope\']" gives no value in "{{ settings[\'nope\'] }}"\n  hint: a missing key or item: add | default(...)',
    );
  });

  it.each([
    ['{% if port %}on{% endif %}', 'Jinja statement "{% if port %}" in "{% if port %}on{% endif %}" line 1 column 1: omsrun templates are Handlebars', '{{#if cond}}'],
    ['a\n  {% for u in users %}{{ u }}{% endfor %}', 'Jinja statement "{% for u in users %}" in "a\\n  {% for u in users %}{{ u }}{% endfor %}" line 2 column 3: omsrun templates are Handlebars', '{{#each list}}'],
    ['{# note #}x', 'Jinja comment "{# note #}" in "{# note #}x" line 1 column 1: omsrun templates are Handlebars', '{{! comment }}'],
  ])('shows the Handlebars form for %s', (tpl, detail, form) => {
    const err = errorOf(() => renderString(tpl, vars));
    expect(err.detail).toBe(detail);
    expect(err.where.hint).toContain(form);
  });

  it('leaves shell ${#x} and literal blocks (!unsafe values) alone', () => {
    expect(renderString('n=${#list[@]} {{name}}', vars)).toBe('n=${#list[@]} web');
    expect(renderString('{{{{omsrun_literal}}}}{% if x %}{# y #}{{{{/omsrun_literal}}}} {{ port | int }}', vars)).toBe('{% if x %}{# y #} 8080');
  });

  it('checks expressions and Jinja statements at load time', () => {
    expect(checkTemplateSyntax('a {{ port | default(80) }} {{#if x}}y{{/if}}')).toBeUndefined();
    expect(checkTemplateSyntax('a\n{{ port | nope }}')).toBe('line 2 in {{ port | nope }}: unknown filter "nope" (README.md lists the filters under Templates)');
    expect(checkTemplateSyntax('a\nb {% if x %}')).toBe(
      'line 2 column 3: Jinja "{% if x %}" is not supported (write {{#if cond}}...{{else}}...{{/if}} (Handlebars), or compute the value with {{ x | ternary(a, b) }})',
    );
  });
});

describe('hostvars as JSON', () => {
  const inventory: Inventory = {
    hosts: new Map([
      ['web1', { name: 'web1', vars: { ip: '10.0.0.1' }, groups: ['all', 'web'] }],
      ['web2.lab', { name: 'web2.lab', vars: { ip: '10.0.0.2' }, groups: ['all', 'web'] }],
    ]),
    groups: new Map([
      ['all', { name: 'all', vars: {}, children: ['web'], hosts: [] }],
      ['web', { name: 'web', vars: {}, children: [], hosts: ['web1', 'web2.lab'] }],
    ]),
  } as unknown as Inventory;
  const hostVars = (): Record<string, unknown> => buildVars({ hostVars: { ip: '10.0.0.1' }, magic: magicVars({ inventory, host: 'web1' }) });

  it('renders {{json hostvars}} and {{ hostvars | to_json }} without recursing forever', () => {
    const viaHelper = JSON.parse(renderString('{{json hostvars}}', hostVars())) as Record<string, Record<string, unknown>>;
    expect(viaHelper['web2.lab']!.ip).toBe('10.0.0.2');
    expect(viaHelper['web2.lab']!.hostvars).toBeUndefined();
    const viaFilter = JSON.parse(renderString('{{ hostvars | to_json }}', hostVars())) as Record<string, Record<string, unknown>>;
    expect(viaFilter.web1!.inventory_hostname).toBe('web1');
  });

  it('still reads hostvars through hostvars', () => {
    expect(renderString("{{ hostvars['web2.lab'].hostvars['web1'].ip }}", hostVars())).toBe('10.0.0.1');
    expect(renderString("{{ groups.web | map('extract', hostvars, 'ip') | list }}", hostVars())).toBe('["10.0.0.1","10.0.0.2"]');
  });
});
