// Ansible's other names for the edited file's path (dest, destfile, name) and lineinfile's regex, as real roles write them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockinfileModule } from '../../src/modules/blockinfile.js';
import { iniFileModule } from '../../src/modules/ini-file.js';
import { lineinfileModule } from '../../src/modules/lineinfile.js';
import { replaceModule } from '../../src/modules/replace.js';
import { parseModuleArgs, runModule } from '../../src/modules/support/run-module.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('path aliases of the editing modules', () => {
  it('lineinfile takes dest, destfile and name for path, and regex for regexp', async () => {
    for (const key of ['dest', 'destfile', 'name']) {
      const path = join(dir, `l-${key}`);
      writeFileSync(path, 'a=1\n');
      expect(await runModule(lineinfileModule, { [key]: path, regex: '^a=', line: 'a=2' }, makeContext())).toMatchObject({ changed: true });
      expect(readFileSync(path, 'utf8')).toBe('a=2\n');
      expect(await runModule(lineinfileModule, { [key]: path, regex: '^a=', line: 'a=2' }, makeContext())).toMatchObject({ changed: false });
    }
  });

  it('blockinfile and replace take dest; ini_file takes dest', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'x\n');
    expect(await runModule(blockinfileModule, { dest: path, block: 'b' }, makeContext())).toMatchObject({ changed: true });
    expect(await runModule(replaceModule, { name: path, regexp: '^x$', replace: 'y' }, makeContext())).toMatchObject({ changed: true });
    expect(readFileSync(path, 'utf8')).toBe('y\n# BEGIN ANSIBLE MANAGED BLOCK\nb\n# END ANSIBLE MANAGED BLOCK\n');
    const ini = join(dir, 'i.ini');
    expect(await runModule(iniFileModule, { dest: ini, section: 's', option: 'o', value: 'v' }, makeContext())).toMatchObject({ changed: true });
    expect(readFileSync(ini, 'utf8')).toContain('[s]\no = v\n');
  });

  it('path and an alias together, or ini_file with name (Ansible has no such alias), are refused', () => {
    expect(() => parseModuleArgs(lineinfileModule, { path: '/a', dest: '/b', line: 'x' })).toThrow('args.dest: unknown key "dest"');
    expect(() => parseModuleArgs(iniFileModule, { name: '/a', section: 's' })).toThrow(/name/);
  });
});
