// `!unsafe` values stay literal text in every layer, and a `{{` that was not meant as a template gets an error saying so.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/secrets.js';
import { parseYamlText } from '../../src/core/yaml-source.js';
import { parseExtraVars } from '../../src/template/extra-vars.js';
import { buildVars } from '../../src/template/vars.js';
import { renderValue } from '../../src/template/render.js';
import { runYaml } from '../helpers/run-playbook.js';

const INVENTORY = `all:
  hosts:
    localhost:
      ansible_connection: local
  vars:
    db_password: !unsafe "ab{{cd}}ef"
    braces: !unsafe '{{ x }}'
    list: [!unsafe "{{a}}", "{{ braces }}"]
    plain: !unsafe plain
`;

describe('!unsafe', () => {
  it('keeps inventory values literal wherever they are used, also through other variables', async () => {
    const r = await runYaml('- hosts: all\n  tasks:\n    - name: show\n      debug: { msg: "{{ db_password }} {{ braces }} {{ plain }} {{json list}}" }\n    - name: set\n      set_fact: { copied: "{{ db_password }}" }\n    - name: fact\n      debug: { msg: "{{ copied }}" }\n', {
      inventory: INVENTORY,
    });
    expect(r.results('show').localhost?.msg).toBe('ab{{cd}}ef {{ x }} plain ["{{a}}","{{ x }}"]');
    expect(r.results('fact').localhost?.msg).toBe('ab{{cd}}ef');
  });

  it('is plain text in extra vars files, which are never rendered', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omsrun-unsafe-'));
    try {
      writeFileSync(path.join(dir, 'vars.yml'), 'token: !unsafe "t{{k}}"\n');
      expect(parseExtraVars(['@vars.yml'], dir)).toEqual({ token: 't{{k}}' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a value without braces reads as it is, and a tagged value is masked by its literal text', () => {
    const data = parseYamlText('a: !unsafe plain\nb_password: !unsafe "p{{w}}d"\n', 'x.yml').data as Record<string, string>;
    expect(data.a).toBe('plain');
    const vars = buildVars({ groupVars: [data] });
    expect(renderValue('{{ b_password }}', vars)).toBe('p{{w}}d');
    const redactor = new Redactor();
    redactor.addFromVars(data);
    expect(redactor.mask('pw=p{{w}}d')).toBe('pw=********');
  });

  it('without the tag, the error says the value was read as a template and how to keep it literal, value masked', async () => {
    const r = await runYaml('- hosts: all\n  tasks:\n    - name: show\n      debug: { msg: "{{ db_password }}" }\n', {
      inventory: 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n  vars:\n    db_password: "ab{{cd}}ef"\n',
      secrets: ['ab{{cd}}ef'],
    });
    const msg = r.results('show').localhost?.msg ?? '';
    expect(msg).toContain('var "db_password" holds "{{" and was read as a template: undefined variable "cd"');
    expect(msg).toContain("hint: if the value of db_password is literal text, mark it with YAML's !unsafe tag (db_password: !unsafe '...')");
    expect(msg).not.toContain('ab{{cd}}ef');
  });
});
