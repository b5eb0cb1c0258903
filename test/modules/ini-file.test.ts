// ini_file on real files, with cases after community.general's ini_file integration tests: the text after, the
// message, and no change on the second run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { iniFileModule } from '../../src/modules/ini-file.js';
import { parseModuleArgs, runModule } from '../../src/modules/support/run-module.js';
import { runEditCases, type EditCase } from '../helpers/edit-cases.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());


const DRINKS = '[drinks]\nfav = lemonade\nbeverage = pepsi\n';

const cases: EditCase[] = [
  { name: 'a new file gets the section and option (after a blank line, as Ansible writes it)', before: undefined, args: { section: 'drinks', option: 'fav', value: 'lemonade' }, after: '\n[drinks]\nfav = lemonade\n', msg: 'section and option added' },
  { name: 'a value changes in place', before: DRINKS, args: { section: 'drinks', option: 'fav', value: 'cocktail' }, after: DRINKS.replace('lemonade', 'cocktail'), msg: 'option changed' },
  { name: 'a new option goes after the last option of its section', before: `${DRINKS}\n[food]\nx = 1\n`, args: { section: 'drinks', option: 'ice', value: 'yes' }, after: `[drinks]\nfav = lemonade\nbeverage = pepsi\nice = yes\n\n[food]\nx = 1\n`, msg: 'option added' },
  { name: 'a new section goes at the end', before: DRINKS, args: { section: 'food', option: 'x', value: '1' }, after: `${DRINKS}[food]\nx = 1\n` },
  { name: 'options before the first section', before: DRINKS, args: { option: 'debug', value: 'true' }, after: `debug = true\n${DRINKS}` },
  { name: 'a commented option is set', before: '[mysqld]\n# port = 3306\n', args: { section: 'mysqld', option: 'port', value: '3307' }, after: '[mysqld]\nport = 3307\n' },
  { name: 'exclusive: other lines of the option go', before: '[s]\nx = 1\nx = 2\ny = 3\n', args: { section: 's', option: 'x', value: '2' }, after: '[s]\nx = 2\ny = 3\n' },
  { name: 'values, not exclusive: a value is added to those there', before: '[s]\nx = 1\n', args: { section: 's', option: 'x', values: ['1', '2'], exclusive: false }, after: '[s]\nx = 1\nx = 2\n' },
  { name: 'no_extra_spaces', before: '[s]\n', args: { section: 's', option: 'x', value: '1', no_extra_spaces: true }, after: '[s]\nx=1\n' },
  { name: 'allow_no_value', before: '[mysqld]\nport = 3306\n', args: { section: 'mysqld', option: 'skip-name-resolve', allow_no_value: true }, after: '[mysqld]\nport = 3306\nskip-name-resolve\n' },
  { name: 'state absent removes the option', before: DRINKS, args: { section: 'drinks', option: 'fav', state: 'absent' }, after: '[drinks]\nbeverage = pepsi\n', msg: 'option changed' },
  { name: 'state absent of one value, not exclusive', before: '[s]\nx = 1\nx = 2\n', args: { section: 's', option: 'x', value: '1', state: 'absent', exclusive: false }, after: '[s]\nx = 2\n' },
  { name: 'state absent without option removes the section', before: `a = 1\n${DRINKS}[food]\nx = 1\n`, args: { section: 'drinks', state: 'absent' }, after: 'a = 1\n[food]\nx = 1\n', msg: 'section removed' },
  { name: 'ignore_spaces keeps a line that differs only in spacing', before: '[s]\nx=1\n', args: { section: 's', option: 'x', value: '1', ignore_spaces: true }, after: '[s]\nx=1\n' },
  { name: 'a file without a last newline gets one', before: '[s]\nx = 1', args: { section: 's', option: 'x', value: '1' }, after: '[s]\nx = 1\n' },
];

describe('ini_file (Ansible semantics)', () => runEditCases(iniFileModule, cases));

describe('ini_file', () => {
  it('state absent on a missing file changes nothing and makes no file', async () => {
    const path = join(dir, 'none.ini');
    expect(await runModule(iniFileModule, { path, section: 's', option: 'x', state: 'absent' }, makeContext())).toEqual({ changed: false, msg: 'OK', data: { path } });
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });

  it('create: false fails on a missing file', async () => {
    const path = join(dir, 'none.ini');
    expect(await runModule(iniFileModule, { path, section: 's', option: 'x', value: '1', create: false }, makeContext())).toMatchObject({ failed: true, rc: 257 });
  });

  it('state present needs a value unless allow_no_value', () => {
    expect(() => parseModuleArgs(iniFileModule, { path: '/f', section: 's', option: 'x' })).toThrow(/value \(or values\) is required with state present, unless allow_no_value: true/);
    expect(() => parseModuleArgs(iniFileModule, { path: '/f', option: 'x', value: '1', values: ['2'] })).toThrow(/expected value or values, not both/);
  });
});
