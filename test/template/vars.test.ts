import { describe, expect, it } from 'vitest';
import type { Inventory, InventoryGroup, InventoryHost } from '../../src/inventory/model.js';
import { evaluate } from '../../src/template/expr.js';
import { renderString } from '../../src/template/render.js';
import { buildVars, groupMembers, inventoryLayers, magicVars, VAR_PRECEDENCE, VAR_PRECEDENCE_DOC, type VarLayers } from '../../src/template/vars.js';
import { errorOf } from '../helpers/config-error.js';

const every: Required<Omit<VarLayers, 'magic'>> = {
  roleDefaults: { v: 'role defaults' },
  groupVars: [{ v: 'all' }, { v: 'parent' }, { v: 'child' }],
  hostVars: { v: 'host' },
  gatheredFacts: { v: 'gathered facts' },
  varsFiles: { v: 'vars_files' },
  playVars: { v: 'play' },
  facts: { v: 'facts' },
  taskVars: [{ v: 'block' }, { v: 'task' }],
  loopVars: { v: 'loop' },
  extraVars: { v: 'extra' },
};

/** The layers up to and including `upTo`, each setting `v`. */
function upTo(key: keyof typeof every): VarLayers {
  const keys = Object.keys(every) as (keyof typeof every)[];
  const out: VarLayers = {};
  for (const k of keys.slice(0, keys.indexOf(key) + 1)) Object.assign(out, { [k]: every[k] });
  return out;
}

describe('precedence', () => {
  it('lists nine layers, lowest first, and documents them', () => {
    expect(VAR_PRECEDENCE).toEqual(['role_defaults', 'group_vars', 'host_vars', 'gathered_facts', 'vars_files', 'play_vars', 'facts', 'task_vars', 'extra_vars']);
    expect(VAR_PRECEDENCE_DOC).toContain('extra vars (-e), which always win');
  });

  // [what wins, the layers given, the value of v]
  const winners: [string, VarLayers, string][] = [
    ['group vars of all alone', { groupVars: [{ v: 'all' }] }, 'all'],
    ['a parent group over all', { groupVars: [{ v: 'all' }, { v: 'parent' }] }, 'parent'],
    ['the most specific group over its parents', { groupVars: every.groupVars }, 'child'],
    ['role defaults, alone', upTo('roleDefaults'), 'role defaults'],
    ['group vars over role defaults', upTo('groupVars'), 'child'],
    ['host vars over group vars', upTo('hostVars'), 'host'],
    ['gathered facts over host vars', upTo('gatheredFacts'), 'gathered facts'],
    ['vars_files over gathered facts', upTo('varsFiles'), 'vars_files'],
    ['play vars over vars_files', upTo('playVars'), 'play'],
    ['facts over play vars', upTo('facts'), 'facts'],
    ['block vars over facts', { ...upTo('facts'), taskVars: [{ v: 'block' }] }, 'block'],
    ['task vars over their blocks', upTo('taskVars'), 'task'],
    ['the loop item over task vars', upTo('loopVars'), 'loop'],
    ['extra vars over everything', upTo('extraVars'), 'extra'],
  ];

  it.each(winners)('%s', (_what, layers, v) => expect(buildVars(layers).v).toBe(v));

  it('keeps variables of lower layers that are not overridden, replacing maps whole', () => {
    const vars = buildVars({ groupVars: [{ a: 1, db: { host: 'x', port: 1 } }], playVars: { b: 2, db: { host: 'y' } } });
    expect(vars).toEqual({ a: 1, b: 2, db: { host: 'y' } });
  });
});

describe('templated variables', () => {
  it('renders values that refer to other variables, with native types', () => {
    const vars = buildVars({
      groupVars: [{ host: 'db1', port: 5432, url: 'pg://{{ host }}:{{ port }}' }],
      playVars: { port: '{{ base_port }}', base_port: 6000, ports: ['{{ port }}', 7000] },
    });
    expect(vars.url).toBe('pg://db1:6000');
    expect(vars.port).toBe(6000);
    expect(vars.ports).toEqual([6000, 7000]);
    expect(renderString('{{url}}', vars)).toBe('pg://db1:6000');
    expect(evaluate('port == 6000 and url|length > 3', vars)).toBe(true);
  });

  it('uses the final value of a referenced variable, even from a higher layer', () => {
    const vars = buildVars({ groupVars: [{ greeting: 'hello {{ who }}', who: 'group' }], extraVars: { who: 'cli' } });
    expect(vars.greeting).toBe('hello cli');
  });

  it('renders each value once: a rendered value is never rendered again', () => {
    const vars = buildVars({ extraVars: { pw: 'a{{b}}c' }, playVars: { line: 'pw={{ pw }}' } });
    expect(vars.pw).toBe('a{{b}}c');
    expect(vars.line).toBe('pw=a{{b}}c');
  });

  it('never renders facts, loop items or extra vars', () => {
    const vars = buildVars({ facts: { out: '{{ x }}' }, loopVars: { item: '{{ y }}' }, extraVars: { e: '{{ z }}' } });
    expect([vars.out, vars.item, vars.e]).toEqual(['{{ x }}', '{{ y }}', '{{ z }}']);
  });

  it('reports a cycle with its path', () => {
    const vars = buildVars({ playVars: { a: '{{ b }}', b: 'x{{ c }}', c: '{{ a }}' } });
    expect(errorOf(() => vars.a).message).toBe(
      'variable cycle: a -> b -> c -> a\n  hint: a variable cannot refer to itself, directly or through others',
    );
    expect(errorOf(() => renderString('{{ c }}', vars)).detail).toBe('variable cycle: c -> a -> b -> c');
    expect(errorOf(() => evaluate('b == 1', vars, { task: 'use b', field: 'when' })).message).toContain(
      'task "use b": when: variable cycle: b -> c -> a -> b',
    );
  });

  it('reports a self reference', () => {
    const vars = buildVars({ hostVars: { path: '{{ path }}:/bin' } });
    expect(errorOf(() => vars.path).detail).toBe('variable cycle: path -> path');
  });

  it('names the variable whose template uses an undefined variable', () => {
    const vars = buildVars({ playVars: { url: 'http://{{ hostnme }}/', hostname: 'x' } });
    expect(errorOf(() => renderString('{{url}}', vars, { task: 't' })).message).toBe(
      'task "t": var "url": undefined variable "hostnme" in "http://{{ hostnme }}/"\n  hint: did you mean "hostname"?',
    );
    expect(errorOf(() => evaluate('url == 1', vars, { file: 'p.yml', line: 2, col: 3, field: 'when' })).message).toBe(
      'p.yml:2:3: when: var "url": undefined variable "hostnme" in "http://{{ hostnme }}/"\n  hint: did you mean "hostname"?',
    );
  });

  it('keeps laziness when a built set of variables is a layer of another, rendering once', () => {
    const first = buildVars({ playVars: { list: ['a'], joined: '{{ join list "+" }}' } });
    const second = buildVars({ facts: first, loopVars: { item: 1 } });
    expect(Object.getOwnPropertyDescriptor(second, 'joined')?.get).toBeTypeOf('function');
    (first.list as string[]).push('b');
    expect(second.joined).toBe('a+b');
    (first.list as string[]).push('c');
    expect(second.joined).toBe('a+b');
    expect(first.joined).toBe('a+b');
  });

  it('resolves unused broken variables only when read', () => {
    const vars = buildVars({ playVars: { broken: '{{ nope }}', fine: 1 } });
    expect(renderString('{{fine}}', vars)).toBe('1');
    expect(evaluate('fine == 1', vars)).toBe(true);
  });
});

function inventory(): Inventory {
  const host = (name: string, groups: string[], vars = {}): InventoryHost => ({ name, groups, vars });
  const group = (name: string, hosts: string[], children: string[], vars = {}): InventoryGroup => ({ name, hosts, children, vars });
  return {
    source: 'inv.yml',
    hosts: new Map([
      ['web1.example.com', host('web1.example.com', ['all', 'prod', 'web'], { role: 'web', id: 1 })],
      ['db1', host('db1', ['all', 'prod', 'db'], { role: 'db' })],
      ['lone', host('lone', ['all', 'ungrouped'])],
    ]),
    groups: new Map([
      ['all', group('all', [], ['prod', 'ungrouped'], { level: 'all', dc: 'ams' })],
      ['prod', group('prod', [], ['web', 'db'], { level: 'prod' })],
      ['web', group('web', ['web1.example.com'], [], { level: 'web', port: 80 })],
      ['db', group('db', ['db1'], [], { level: 'db' })],
      ['ungrouped', group('ungrouped', ['lone'], [])],
    ]),
  };
}

describe('inventory layers and magic variables', () => {
  it('takes group vars from all down to the host groups, then host vars', () => {
    const vars = buildVars(inventoryLayers(inventory(), 'web1.example.com'));
    expect(vars).toEqual({ level: 'web', dc: 'ams', port: 80, role: 'web', id: 1 });
    expect(buildVars(inventoryLayers(inventory(), 'nope'))).toEqual({});
  });

  it('lists group members including child groups', () => {
    expect(groupMembers(inventory())).toEqual({
      all: ['web1.example.com', 'db1', 'lone'],
      prod: ['web1.example.com', 'db1'],
      web: ['web1.example.com'],
      db: ['db1'],
      ungrouped: ['lone'],
    });
  });

  it('sets the magic variables, which no layer can override', () => {
    const inv = inventory();
    const vars = buildVars({
      ...inventoryLayers(inv, 'web1.example.com'),
      extraVars: { inventory_hostname: 'spoof' },
      magic: magicVars({ inventory: inv, host: 'web1.example.com', playHosts: ['web1.example.com', 'db1'], checkMode: true }),
    });
    expect(vars.inventory_hostname).toBe('web1.example.com');
    expect(vars.inventory_hostname_short).toBe('web1');
    expect(vars.group_names).toEqual(['prod', 'web']);
    expect(vars.play_hosts).toEqual(['web1.example.com', 'db1']);
    expect(vars.ansible_play_hosts).toEqual(['web1.example.com', 'db1']);
    expect(vars.omsrun_check_mode).toBe(true);
    expect(vars.ansible_check_mode).toBe(true);
    expect((vars.groups as Record<string, string[]>).db).toEqual(['db1']);
  });

  it('computes hostvars lazily from the inventory by default', () => {
    const inv = inventory();
    const vars = buildVars({ magic: magicVars({ inventory: inv, host: 'web1.example.com' }) });
    expect(renderString('{{hostvars.db1.role}} {{hostvars.db1.inventory_hostname}}', vars)).toBe('db db1');
    expect(evaluate('hostvars.lone.dc == "ams" and hostvars.db1.level == "db"', vars)).toBe(true);
    expect(vars.play_hosts).toEqual(['web1.example.com', 'db1', 'lone']);
    expect(vars.omsrun_check_mode).toBe(false);
  });

  it('asks hostvarsOf for other hosts, once per host', () => {
    const asked: string[] = [];
    const vars = buildVars({
      magic: magicVars({
        inventory: inventory(),
        host: 'db1',
        hostvarsOf: (h) => {
          asked.push(h);
          return { fact: `${h}-fact` };
        },
      }),
    });
    expect(renderString('{{hostvars.lone.fact}} {{hostvars.lone.fact}}', vars)).toBe('lone-fact lone-fact');
    expect(asked).toEqual(['lone']);
    expect(errorOf(() => renderString('{{hostvars.nohost.x}}', vars)).detail).toBe(
      'undefined variable "hostvars.nohost.x" in "{{hostvars.nohost.x}}"',
    );
  });

  it('builds nothing per inventory host for a task that reads no hostvars; groups are one frozen set per inventory', () => {
    const inv = inventory();
    const asked: string[] = [];
    const hostvarsOf = (h: string): Record<string, unknown> => (asked.push(h), { fact: `${h}-fact`, hostvars: 'own' });
    const a = buildVars({ magic: magicVars({ inventory: inv, host: 'db1', hostvarsOf }) });
    const b = buildVars({ magic: magicVars({ inventory: inv, host: 'lone', hostvarsOf }) });
    expect(renderString('{{inventory_hostname}}', a)).toBe('db1');
    expect(asked).toEqual([]);
    expect(a.groups).toBe(b.groups);
    expect(() => (a.groups as Record<string, string[]>).db!.push('x')).toThrow(TypeError);
    // Listing hostvars still names every inventory host, and each entry leaves its own hostvars out of JSON.
    expect(Object.keys(a.hostvars as object)).toEqual(['web1.example.com', 'db1', 'lone']);
    expect('lone' in (a.hostvars as object) && !('nohost' in (a.hostvars as object))).toBe(true);
    expect(JSON.parse(JSON.stringify(a.hostvars))).toEqual({
      'web1.example.com': { fact: 'web1.example.com-fact' }, db1: { fact: 'db1-fact' }, lone: { fact: 'lone-fact' },
    });
    expect(renderString('{{#each hostvars}}{{@key}}={{this.fact}} {{/each}}', a)).toBe('web1.example.com=web1.example.com-fact db1=db1-fact lone=lone-fact ');
    expect(asked).toEqual(['web1.example.com', 'db1', 'lone']);
  });
});
