import fc from 'fast-check';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigError } from '../../src/core/errors.js';
import { loadInventory } from '../../src/inventory/load.js';
import { selectHosts } from '../../src/inventory/pattern.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { evaluate } from '../../src/template/expr.js';
import { parseExtraVars } from '../../src/template/extra-vars.js';
import { renderTemplateFile } from '../../src/template/render.js';
import { setVaultSession, VaultSession } from '../../src/vault/index.js';
import { clean, fuzzSeed, mutate, mutations, weirdValue, yamlGarbage } from './fuzz-helper.js';

const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'omsrun-fuzz-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'vault-pass'), 'fuzz-vault-pw\n');
setVaultSession(new VaultSession({ passwordFile: path.join(dir, 'vault-pass'), prompt: false }));
const write = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};
let total = 0;
// One seed for the file, random unless FUZZ_SEED replays a run. Each property prints it as it starts, so even a run
// that kills the worker (out of memory, a hang) names the property and the seed that reproduce it.
const seed = fuzzSeed(process.env.FUZZ_SEED);
const replaying = process.env.FUZZ_SEED !== undefined;
if (!replaying) console.log(`[fuzz] seed ${seed}; replay with FUZZ_SEED=${seed} npx vitest run test/safety/fuzz-loaders.test.ts`);
const runs = (n: number) => {
  total += n;
  if (!replaying) console.log(`[fuzz] seed ${seed}: ${expect.getState().currentTestName?.split(' > ').at(-1)}`);
  return { numRuns: n, seed };
};
afterAll(() => console.log(`[fuzz] ${total} generated cases across loaders, templates, conditions, patterns and -e values`));

const PLAYBOOK = [
  {
    name: 'web',
    hosts: 'web:&prod',
    become: true,
    vars: { port: 8080, list: [1, 2], db_password: 's3cret' },
    vars_files: ['vars.yml'],
    serial: [1, '50%'],
    tasks: [
      { name: 'cmd', command: { argv: ['echo', '{{ port }}'] }, register: 'out', changed_when: 'out.rc != 0', tags: ['a'] },
      { name: 'loop', debug: { msg: '{{ item }}' }, loop: '{{ list }}', when: 'port > 1' },
      { block: [{ file: { path: '/tmp/x', state: 'directory', mode: '0755' } }], rescue: [{ fail: { msg: 'no' } }] },
      { name: 'tpl', template: { src: 'a.hbs', dest: '/tmp/a', validate: 'test -s %s' }, notify: 'h' },
    ],
    handlers: [{ name: 'h', shell: 'echo {{ port | shell_quote }}' }],
  },
];
const INVENTORY = {
  all: {
    vars: { ansible_user: 'root' },
    children: {
      web: { hosts: { 'web[01:03]': { ansible_host: '10.0.0.1', ansible_port: 22 } }, vars: { x: 1 } },
      prod: { children: { web: {} } },
    },
  },
};
const ALIAS_BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefg'.split('').map((c, i) => {
  const p = 'abcdefg'[i]!;
  return `${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`;
})].join('\n');
const ALIAS_LOOP = 'all: &r\n  children:\n    g: *r\n';
// Thousands of merge keys: each alias once resolved by scanning the whole document, which took minutes.
const MERGE_FLOOD = `a: &a {k: 1}\n${Array.from({ length: 3000 }, (_, i) => `m${i}: {<<: *a}`).join('\n')}\n`;

describe('fuzz: YAML loaders never crash and always point at file:line:col', () => {
  it('playbooks: 300 mutated valid playbooks (wrong types, unknown keys, deletions, deep nesting, huge strings)', async () => {
    write('vars.yml', 'a: 1\n');
    await fc.assert(
      fc.asyncProperty(mutations, async (m) => {
        const file = write('site.yml', YAML.stringify(mutate(PLAYBOOK, m), { aliasDuplicateObjects: false }));
        await clean(() => loadPlaybook(file), /site\.yml|vars\.yml/);
      }),
      runs(300),
    );
  });

  it('playbooks, inventories and -e files: 600 texts of YAML-shaped garbage', async () => {
    await fc.assert(
      fc.asyncProperty(yamlGarbage, async (text) => {
        const pb = write('garbage.yml', text);
        await clean(() => loadPlaybook(pb), /garbage\.yml/);
        await clean(() => loadInventory(pb), /garbage\.yml/);
      }),
      runs(300),
    );
    await fc.assert(
      fc.asyncProperty(yamlGarbage, async (text) => {
        write('extra.yml', text);
        await clean(() => parseExtraVars(['@extra.yml'], dir), /extra\.yml/);
      }),
      runs(300),
    );
  });

  it('inventories: 200 mutated valid inventories', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, async (m) => {
        const file = write('hosts.yml', YAML.stringify(mutate(INVENTORY, m), { aliasDuplicateObjects: false }));
        await clean(() => loadInventory(file), /hosts\.yml/);
      }),
      runs(200),
    );
  });

  it('vars files: 150 mutated and garbage vars_files', async () => {
    const play = write('play.yml', '- hosts: all\n  vars_files: [v.yml]\n  tasks: []\n');
    await fc.assert(
      fc.asyncProperty(fc.oneof(yamlGarbage, weirdValue.map((v) => YAML.stringify({ k: v, list: [v] }))), async (text) => {
        write('v.yml', text);
        await clean(() => loadPlaybook(play), /play\.yml|v\.yml/);
      }),
      runs(150),
    );
  });

  it('alias bombs and recursive aliases are positioned ConfigErrors in every loader', async () => {
    for (const [text, what] of [[ALIAS_BOMB, /:2:8.*: too many YAML aliases: expanding them needs more than 1000 copies\n  hint: write the values out/], [ALIAS_LOOP, /:3:8.*: YAML alias \*r refers to a node that contains it\n  hint: a value cannot include itself$/], [MERGE_FLOOD, /:2:10.*: too many YAML aliases: expanding them needs more than 1000 copies\n/]] as const) {
      const f = write('bomb.yml', text);
      const play = write('bomb-play.yml', '- hosts: all\n  vars_files: [bomb.yml]\n  tasks: []\n');
      for (const load of [() => loadPlaybook(f), () => loadInventory(f), () => loadPlaybook(play), () => parseExtraVars(['@bomb.yml'], dir)]) {
        const err = await Promise.resolve().then(load as () => unknown).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(/bomb\.yml:\d+:\d+/);
        expect((err as Error).message).toMatch(what);
      }
    }
    await expect(loadPlaybook(write('bomb.yml', 'a: 1\nb: *c\n'))).rejects.toThrow(`${dir}/bomb.yml:2:4: YAML alias *c has no anchor &c before it\n  hint: define &NAME before the first *NAME`);
    const inline = `{a: &a [1,1,1,1,1,1,1,1,1,1], b: &b [${Array(10).fill('*a').join(',')}], c: [${Array(200).fill('*b').join(',')}]}`;
    expect(() => parseExtraVars([inline], dir)).toThrow(/^-e\[1\]: too many YAML aliases/);
    expect(() => parseExtraVars(['{a: *nowhere}'], dir)).toThrow('-e[1]: YAML alias *nowhere has no anchor &nowhere before it');
  });
});

describe('fuzz: templates, conditions, host patterns, -e values', () => {
  const vars = { port: 8080, name: 'web', list: [1, 2], map: { a: 1 }, empty: '' };
  const ctx = { file: 'site.yml', line: 3, col: 7, task: 't', source: 'app.conf.hbs' };
  const hbsGarbage = fc
    .array(fc.constantFrom('{{', '}}', '{{{', '}}}', '#if', '#each', '/if', '/each', 'else', '^', '~', '!', '>', '(', ')', ' ', 'port', 'nope', 'list', 'map.a', 'this', '../', '@index', '"s"', '=', 'default', 'join', 'yaml', 'json', 'indent', 'b64encode', 'lookup', 'constructor', '__proto__', '\\{{', '\n', 'é', '1'), { maxLength: 25 })
    .map((t) => t.join(''));
  const jexlGarbage = fc
    .array(fc.constantFrom('port', 'nope', 'list', '[', ']', '(', ')', '.', '|', 'length', 'int', '==', '!=', '<', '>', 'and', 'or', 'not', 'in', 'is', 'defined', '?', ':', '"a"', "'b'", '1', '-', '+', '/', '%', 'constructor', '__proto__', '{', '}', ',', ' ', 'match', 'regex_search', '"(a+)+$"'), { maxLength: 20 })
    .map((t) => t.join(''));

  it('templates: 500 Handlebars garbage and undefined variables', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hbsGarbage, fc.string()), async (tpl) => {
        await clean(() => renderTemplateFile(tpl, vars, ctx), /site\.yml/);
      }),
      runs(500),
    );
  });

  it('conditions: 500 jexl garbage expressions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(jexlGarbage, fc.string()), async (expr) => {
        await clean(() => evaluate(expr, vars, { ...ctx, source: undefined, field: 'when' }), /site\.yml/);
      }),
      runs(500),
    );
  });

  it('host patterns: 300 random --limit values', async () => {
    const inv = await loadInventory(write('inv.yml', YAML.stringify(INVENTORY)));
    write('retry', 'web01\nnope\n');
    const pattern = fc.array(fc.constantFrom('web', 'prod', 'all', 'web0*', '!', '&', '~', '~[', '(', '*', '?', ',', ':', '@retry', '@missing', 'web[', '[01:03]', ' ', 'é', 'x'), { maxLength: 10 }).map((t) => t.join(''));
    await fc.assert(
      fc.asyncProperty(fc.oneof(pattern, fc.string()), async (p) => {
        await clean(() => selectHosts(inv, p, dir));
      }),
      runs(300),
    );
  });

  it('-e errors never echo an inline value (it may be a password)', () => {
    const secret = 'S3cret-pw';
    for (const arg of [`{"db_password": "${secret}", x: [}`, `db-password=${secret}`, `{db_password: ${secret}} extra: x`, `- ${secret}`]) {
      let msg = '';
      try {
        parseExtraVars([arg], dir);
      } catch (err) {
        msg = (err as Error).message;
      }
      expect(msg).toMatch(/^-e(\[1\]| "db-password=…"): /);
      expect(msg).not.toContain(secret);
    }
  });

  it('-e values: 300 random key=value, JSON and YAML mappings', async () => {
    const arg = fc.oneof(
      fc.string(),
      fc.tuple(fc.string({ maxLength: 8 }), fc.string()).map(([k, v]) => `${k}=${v}`),
      weirdValue.map((v) => JSON.stringify({ k: v }) ?? ''),
      yamlGarbage,
      fc.constantFrom('@', '@/', '@.', '{', '[1]', 'a: [', '=x', ' =', 'a=b=c'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(arg, { maxLength: 3 }), async (list) => {
        await clean(() => parseExtraVars(list, dir));
      }),
      runs(300),
    );
  });
});
