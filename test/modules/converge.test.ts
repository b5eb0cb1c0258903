// converge (one round trip) must leave the same files and report the same outcome as check + apply, in every case.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyModule } from '../../src/modules/copy.js';
import { fileModule } from '../../src/modules/file.js';
import type { Module, ModuleContext, ModuleOutcome } from '../../src/modules/module.js';
import { parseModuleArgs, runModule } from '../../src/modules/run-module.js';
import { templateModule } from '../../src/modules/template.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const isRoot = process.getuid?.() === 0;
type Setup = 'absent' | 'dir' | 'file' | 'file-0600' | 'link' | 'file-nobody';

// The target `t` inside root, prepared in one of the states a host can be in.
function prepare(root: string, setup: Setup): string {
  mkdirSync(root, { recursive: true });
  const t = join(root, 't');
  if (setup === 'dir') mkdirSync(t, { mode: 0o755 });
  if (setup.startsWith('file')) writeFileSync(t, 'old\n', { mode: setup === 'file-0600' ? 0o600 : 0o644 });
  if (setup === 'link') symlinkSync('/nonexistent', t);
  if (setup === 'file-nobody' && isRoot) execFileSync('chown', ['65534:65534', t]);
  return t;
}

// Type, mode, owner and content of everything under root, with root's own path taken out.
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const key = p.slice(root.length);
      const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file';
      out[key] = `${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}${kind === 'file' ? ` ${readFileSync(p, 'utf8')}` : ''}`;
      if (kind === 'dir') walk(p);
    }
  };
  walk(root);
  return out;
}

// check + apply without going through runModule (which would converge).
async function twoStep<A>(m: Module<A>, args: A, ctx: ModuleContext): Promise<ModuleOutcome> {
  try {
    const plan = await m.check(args, ctx);
    if (!plan.changes) return { changed: false, ...plan.outcome };
    return await m.apply!(args, plan.data, ctx);
  } catch (err) {
    return { changed: false, failed: true, msg: (err as Error).message };
  }
}

async function converge<A>(m: Module<A>, args: A, ctx: ModuleContext): Promise<ModuleOutcome | undefined> {
  try {
    return await m.converge!(args, ctx);
  } catch (err) {
    return { changed: false, failed: true, msg: (err as Error).message };
  }
}

// Runs both paths on twin folders and compares outcome and resulting tree.
async function same(m: Module, setup: Setup, rawArgs: (t: string) => Record<string, unknown>, ctx: Partial<ModuleContext> = {}): Promise<ModuleOutcome> {
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const ta = prepare(a, setup);
  const tb = prepare(b, setup);
  const viaSteps = await twoStep(m, parseModuleArgs(m, rawArgs(ta)), makeContext(ctx));
  const viaConverge = await converge(m, parseModuleArgs(m, rawArgs(tb)), makeContext(ctx));
  expect(viaConverge, `converge declined ${setup} ${JSON.stringify(rawArgs('t'))}`).toBeDefined();
  expect(JSON.parse(JSON.stringify(viaConverge).replaceAll(b, a))).toEqual(viaSteps);
  expect(snapshot(b)).toEqual(snapshot(a));
  return viaSteps;
}

const SETUPS: Setup[] = ['absent', 'dir', 'file', 'file-0600', 'link', 'file-nobody'];

// One test per starting state, each trying every argument mix on fresh twin folders.
function everySetup(what: string, m: Module, argsList: Record<string, unknown>[], args: (t: string, extra: Record<string, unknown>) => Record<string, unknown>): void {
  for (const setup of SETUPS) {
    it(`${what} from ${setup}`, async () => {
      for (const extra of argsList) {
        await cleanup();
        mkdirSync(dir, { recursive: true });
        await same(m, setup, (t) => args(t, extra));
      }
    });
  }
}

describe('converge matches check + apply', () => {
  const fileArgs: Record<string, unknown>[] = [
    { state: 'directory' },
    { state: 'directory', mode: '0750' },
    { state: 'directory', mode: '755' },
    { state: 'file' },
    { state: 'file', mode: '0600' },
    { state: 'touch' },
    { state: 'touch', mode: '0640' },
    { state: 'absent' },
    { mode: '0600' },
    {},
    ...(isRoot ? [{ state: 'directory', owner: 'nobody' }, { state: 'touch', owner: '65534', group: '0' }, { mode: '4755', owner: 'root', group: 'root' }] : []),
  ];
  everySetup('file module', fileModule, fileArgs, (t, extra) => ({ path: t, ...extra }));

  const writeArgs: Record<string, unknown>[] = [
    { content: 'new\n' },
    { content: 'old\n' },
    { content: 'old\n', mode: '0600' },
    { content: 'new\n', mode: '0640' },
    { content: '' },
    ...(isRoot ? [{ content: 'old\n', owner: 'nobody' }, { content: 'new\n', group: '65534' }, { content: 'new\n', owner: 'root', group: 'root', mode: '0644' }] : []),
  ];
  everySetup('copy content', copyModule, writeArgs, (t, extra) => ({ dest: t, ...extra }));

  it('template from every state', async () => {
    writeFileSync(join(dir, '..', `${dir.split('/').pop()}.hbs`), 'port = {{ port }}\n');
    const src = join(dir, '..', `${dir.split('/').pop()}.hbs`);
    try {
      for (const setup of SETUPS) {
        await cleanup();
        mkdirSync(dir, { recursive: true });
        await same(templateModule, setup, (t) => ({ src, dest: t, mode: '0644' }), { vars: { port: 8080 } });
      }
    } finally {
      execFileSync('rm', ['-f', src]);
    }
  });

  it('a missing parent folder fails the same way', async () => {
    const out = await same(copyModule, 'absent', (t) => ({ content: 'x', dest: join(t, 'sub', 'f') }));
    expect(out.failed).toBe(true);
    expect(out.msg).toMatch(/cannot write .*sub\/f/);
  });
});

describe('converge', () => {
  it('copies a controller file into a folder dest through the two steps', async () => {
    const src = join(dir, 'app.conf');
    writeFileSync(src, 'a = 1\n');
    mkdirSync(join(dir, 'etc'));
    const ctx = makeContext();
    expect(await copyModule.converge!(parseModuleArgs(copyModule, { src, dest: join(dir, 'etc') }), ctx)).toBeUndefined();
    expect(readdirSync(join(dir, 'etc'))).toEqual([]);
    const out = await runModule(copyModule, { src, dest: join(dir, 'etc') }, ctx);
    expect(out).toMatchObject({ changed: true, data: { dest: join(dir, 'etc', 'app.conf') } });
    expect(readFileSync(join(dir, 'etc', 'app.conf'), 'utf8')).toBe('a = 1\n');
  });

  it('declines backup, validate and large content, changing nothing', async () => {
    const dest = join(dir, 'f');
    const ctx = makeContext();
    for (const extra of [{ backup: true }, { validate: 'test -f %s' }]) {
      expect(await copyModule.converge!(parseModuleArgs(copyModule, { content: 'x', dest, ...extra }), ctx)).toBeUndefined();
    }
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(65 * 1024, 'a'));
    expect(await copyModule.converge!(parseModuleArgs(copyModule, { src: big, dest }), ctx)).toBeUndefined();
    expect(readdirSync(dir).sort()).toEqual(['big']);
  });

  it('never puts incomplete content in place: a wrong checksum leaves dest and no temp file', async () => {
    const dest = join(dir, 'f');
    writeFileSync(dest, 'old\n');
    const { convergeWrite } = await import('../../src/connection/replace-file.js');
    const ctx = makeContext();
    const r = await convergeWrite(ctx.conn, { dest, sha256: '0'.repeat(64), want: {} }, Buffer.from('new\n'));
    expect(r.result.rc).toBe(5);
    expect(r.result.stderr).toContain('the content arrived incomplete');
    expect(readFileSync(dest, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['f']);
  });

  it('removes its temp file when the command is killed (Ctrl-C, task timeout) before its own cleanup ran', async () => {
    const { convergeWrite } = await import('../../src/connection/replace-file.js');
    const { InterruptedError } = await import('../../src/core/errors.js');
    const local = makeContext().conn;
    let first = true;
    const killed: typeof local = {
      ...local,
      host: local.host,
      transport: local.transport,
      exec: async (argv, o) => {
        if (!first) return local.exec(argv, o);
        first = false;
        writeFileSync(argv[argv.length - 1]!, 'half');
        throw new InterruptedError();
      },
    };
    await expect(convergeWrite(killed, { dest: join(dir, 'f'), sha256: '0'.repeat(64), want: {} }, Buffer.from('x'))).rejects.toBeInstanceOf(InterruptedError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
