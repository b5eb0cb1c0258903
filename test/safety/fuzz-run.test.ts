import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { renderString } from '../../src/template/render.js';
import { runYaml } from '../helpers/run-playbook.js';
import { assertClean, weirdValue } from './fuzz-helper.js';

const JS_ERROR = /\n\s+at .+:\d+:\d+|TypeError|RangeError|ReferenceError|Cannot read properties|is not a function|\[object Object\]/;
const PIECES = ['{{ x }}', '{{ nope }}', '{{ list }}', '{{ x.y.z }}', '{{default nope "d"}}', '{{join x ","}}', '{{join list ","}}', '{{#each list}}{{this}}{{/each}}',
  '{{#if nope}}a{{/if}}', '{{b64encode list}}', '{{ fact }}', '{{json fact}}', '{{indent fact 2}}', '{{upper list}}', '{{yaml fact}}', '{{shell_quote fact}}',
  '{{to_yaml fact}}', '{{env "NOPE_X"}}', '{{lookup fact "a"}}', '{{eq fact list}}', 'text ', ' ', 'é'];
const hbs = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 4 }).map((t) => t.join(''));
const EXPRS = ['x == 1', 'nope', 'nope is defined', 'nope is not defined', 'list|length > 1', 'fact|int > 0', 'fact in list', 'fact.y', 'list[5].z', 'fact|split(",")',
  'fact|match("(")', 'fact|regex_search("[")', 'fact|float', 'fact|bool', 'fact|lower', 'fact|length', '1/0', 'x ? fact : nope', 'not fact', 'fact == fact'];
const expr = fc.oneof(fc.constantFrom(...EXPRS), fc.tuple(fc.constantFrom(...EXPRS), fc.constantFrom(' and ', ' or '), fc.constantFrom(...EXPRS)).map((t) => t.join('')));

describe('fuzz: templates, conditions and loops at run time (local connection)', () => {
  it('200 runs with random when, loop, debug, set_fact and assert values: runs end with results, never an internal error', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(hbs, expr, fc.oneof(hbs, weirdValue), weirdValue, async (msg, when, loop, fact) => {
        const play = [{
          hosts: 'localhost',
          vars: { x: 1, list: [1, 2], fact },
          tasks: [
            { name: 'a', debug: { msg }, when, ignore_errors: true },
            { name: 'b', debug: { msg: '{{ item }}' }, loop, ignore_errors: true },
            { name: 'c', set_fact: { got: msg }, ignore_errors: true },
            { name: 'd', assert: { that: [when], fail_msg: msg }, ignore_errors: true },
            { name: 'e', debug: { msg: '{{ json fact }}' }, ignore_errors: true },
          ],
        }];
        let out;
        try {
          out = await runYaml(YAML.stringify(play, { aliasDuplicateObjects: false }));
        } catch (err) {
          assertClean(err, /site\.yml/);
          return;
        }
        ran++;
        expect(out.summary.stats.localhost?.failed).toBe(0);
        for (const e of out.events) {
          if (e.kind === 'host_task_result') expect(e.result.msg ?? '').not.toMatch(JS_ERROR);
        }
      }),
      { numRuns: 200 },
    );
    console.log(`[fuzz] 200 generated playbooks: ${ran} ran, the others were rejected at load with a positioned error`);
    expect(ran).toBeGreaterThan(20);
  }, 60_000);

  it('text helpers refuse a mapping or a list instead of writing "[object Object]" into a command', () => {
    const ctx = { file: 'site.yml', line: 3, col: 7, task: 't' };
    expect(() => renderString('x={{shell_quote m}}', { m: { k: 1 } }, ctx)).toThrow(
      'site.yml:3:7 task "t": shell_quote: expected text (a string, number or boolean), got a mapping in "x={{shell_quote m}}"',
    );
    expect(() => renderString('{{upper l}}', { l: [1] }, ctx)).toThrow('upper: expected text (a string, number or boolean), got a list');
    expect(renderString('{{shell_quote l}}', { l: ['a b', "it's"] }, ctx)).toBe(`'a b' 'it'\\''s'`);
  });
});
