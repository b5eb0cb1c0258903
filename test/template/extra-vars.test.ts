import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExtraVars } from '../../src/template/extra-vars.js';
import { errorOf } from '../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'omsrun-extra-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseExtraVars', () => {
  it('keeps key=value values as strings, everything after the first =', () => {
    expect(parseExtraVars(['port=8080', 'flag=yes', 'msg=a=b c: d', 'empty='], dir)).toEqual({
      port: '8080',
      flag: 'yes',
      msg: 'a=b c: d',
      empty: '',
    });
  });

  it('parses JSON and YAML mappings with their types', () => {
    expect(parseExtraVars(['{"port": 8080, "list": [1, "a"], "on": true}'], dir)).toEqual({ port: 8080, list: [1, 'a'], on: true });
    expect(parseExtraVars(['port: 8080'], dir)).toEqual({ port: 8080 });
  });

  it('reads @file relative to cwd, and later arguments win', () => {
    mkdirSync(join(dir, 'vars'), { recursive: true });
    writeFileSync(join(dir, 'vars', 'prod.yml'), 'db_host: db1\nport: 5432\npw: "p@ss: {{x}}"\n');
    expect(parseExtraVars(['port=1', '@vars/prod.yml', 'db_host=db2'], dir)).toEqual({ port: 5432, db_host: 'db2', pw: 'p@ss: {{x}}' });
  });

  it('reports a missing file', () => {
    expect(errorOf(() => parseExtraVars(['@nope.yml'], dir)).message).toBe(
      `-e "@nope.yml": cannot read extra vars file ${join(dir, 'nope.yml')}: file not found`,
    );
    expect(errorOf(() => parseExtraVars(['@vars'], dir)).message).toBe(
      `-e "@vars": cannot read extra vars file ${join(dir, 'vars')}: is a directory`,
    );
  });

  it('reports invalid YAML in a file with its position', () => {
    writeFileSync(join(dir, 'bad.yml'), 'a: 1\nb: [1, 2\n');
    const err = errorOf(() => parseExtraVars(['@bad.yml'], dir));
    expect(err.message).toBe(
      `${join(dir, 'bad.yml')}:3:1 -e "@bad.yml": invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    );
  });

  it('requires a mapping', () => {
    writeFileSync(join(dir, 'list.yml'), '- a\n- b\n');
    expect(errorOf(() => parseExtraVars(['@list.yml'], dir)).message).toBe(
      `${join(dir, 'list.yml')}:1:1 -e "@list.yml": expected a mapping of variables, got a list\n` +
        '  hint: write key=value, a mapping like \'{"port": 8080}\', or @vars.yml',
    );
    expect(errorOf(() => parseExtraVars(['justaword'], dir)).detail).toBe('expected a mapping of variables, got a string');
    expect(errorOf(() => parseExtraVars(['x=1', '{"a": 1'], dir)).message).toMatch(/^-e\[2\]: invalid YAML: /);
  });

  it('rejects names that are not variable names', () => {
    expect(errorOf(() => parseExtraVars(['my-var=1'], dir)).message).toBe(
      '-e "my-var=…": expected a variable name before "=", got "my-var"\n' +
        '  hint: names start with a letter or "_" and hold letters, digits and "_"',
    );
  });
});
