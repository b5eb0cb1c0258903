import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandModule } from '../../src/modules/command.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { shellModule } from '../../src/modules/shell.js';
import { splitArgs } from '../../src/modules/support/split-args.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('splitArgs', () => {
  it('splits like a shell without expanding anything', () => {
    expect(splitArgs(`ls -l "/my dir" 'a b'c \\$HOME $X  `)).toEqual(['ls', '-l', '/my dir', 'a bc', '$HOME', '$X']);
    expect(splitArgs(`echo "" 'x"y' "a\\"b"`)).toEqual(['echo', '', 'x"y', 'a"b']);
  });
  it('rejects an unbalanced quote', () => {
    expect(() => splitArgs(`echo 'oops`)).toThrow("unterminated single quote in: echo 'oops");
  });
});

describe('command', () => {
  it('runs a free-form string without a shell and always reports changed', async () => {
    const ctx = makeContext();
    const out = await runModule(commandModule, { cmd: `printf '%s|' "a b" ; $HOME` }, ctx);
    expect(out).toMatchObject({ changed: true, rc: 0, stdout: 'a b|;|$HOME|' });
  });

  it('runs argv, with chdir and stdin, and streams lines to the log', async () => {
    const ctx = makeContext();
    const out = await runModule(commandModule, { argv: ['sh', '-c', 'pwd; cat'], chdir: dir, stdin: 'in' }, ctx);
    expect(out.stdout).toBe(`${dir}\nin`);
    expect(ctx.logs).toEqual([{ line: dir, stream: 'stdout' }, { line: 'in', stream: 'stdout' }]);
  });

  it('fails on a non-zero rc with stderr in the message', async () => {
    const out = await runModule(commandModule, { argv: ['sh', '-c', 'echo bad thing >&2; exit 4'] }, makeContext());
    expect(out).toMatchObject({ failed: true, rc: 4, msg: 'non-zero return code 4: bad thing', stderr: 'bad thing' });
  });

  it('fails on timeout', async () => {
    const out = await runModule(commandModule, { argv: ['sleep', '5'] }, makeContext({ timeoutMs: 200 }));
    expect(out).toMatchObject({ failed: true, rc: 124, msg: 'command timed out after 200 ms' });
  });

  it('creates and removes make it idempotent', async () => {
    const marker = join(dir, 'done');
    const args = { argv: ['touch', marker], creates: marker };
    expect(await runModule(commandModule, args, makeContext())).toMatchObject({ changed: true });
    expect(await runModule(commandModule, args, makeContext())).toEqual({ changed: false, rc: 0, msg: `skipped, since ${marker} exists` });
    const rm = { argv: ['rm', marker], removes: marker };
    expect(await runModule(commandModule, rm, makeContext())).toMatchObject({ changed: true });
    expect(await runModule(commandModule, rm, makeContext())).toMatchObject({ changed: false, msg: `skipped, since ${marker} does not exist` });
  });

  it('is skipped in check mode and changes nothing', async () => {
    const marker = join(dir, 'm');
    const out = await runModule(commandModule, { argv: ['touch', marker] }, makeContext({ checkMode: true }));
    expect(out).toEqual({
      changed: false,
      skipped: true,
      msg: `skipped in check mode: run touch ${marker}`,
      data: { rc: null, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] },
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('rejects bad arguments with the field path', async () => {
    await expect(runModule(commandModule, {}, makeContext(), { task: 't' })).rejects.toThrow(
      'task "t": args: expected exactly one of cmd or argv',
    );
    await expect(runModule(commandModule, { cmd: `echo "x` }, makeContext())).rejects.toThrow(
      'args.cmd: unterminated double quote in: echo "x',
    );
    await expect(runModule(commandModule, { cmd: ' \t' }, makeContext())).rejects.toThrow('args.cmd: expected a command, got only blanks');
    await expect(runModule(commandModule, { argv: ['ls'], creat: '/x' }, makeContext())).rejects.toThrow(
      'args.creat: unknown key "creat"\n  hint: did you mean "creates"?',
    );
  });
});

describe('shell', () => {
  it('runs a script through /bin/sh with pipes and redirects', async () => {
    const out = join(dir, 'o');
    const r = await runModule(shellModule, { cmd: `echo one two | wc -w > ${out}` }, makeContext());
    expect(r).toMatchObject({ changed: true, rc: 0 });
    expect((await readFile(out, 'utf8')).trim()).toBe('2');
  });

  it('uses another executable', async () => {
    const r = await runModule(shellModule, { cmd: 'echo $BASH_VERSION | cut -c1', executable: '/bin/bash' }, makeContext());
    expect(r.stdout).toMatch(/^\d$/);
  });

  it('honours creates, fails with stderr, skips in check mode', async () => {
    const f = join(dir, 'f');
    await writeFile(f, '');
    expect(await runModule(shellModule, { cmd: 'exit 1', creates: f }, makeContext())).toMatchObject({ changed: false });
    expect(await runModule(shellModule, { cmd: 'echo nope >&2; exit 2' }, makeContext())).toMatchObject({
      failed: true,
      msg: 'non-zero return code 2: nope',
    });
    const r = await runModule(shellModule, { cmd: `rm ${f}` }, makeContext({ checkMode: true }));
    expect(r.skipped).toBe(true);
    expect(existsSync(f)).toBe(true);
  });
});
