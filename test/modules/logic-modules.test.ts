import { describe, expect, it } from 'vitest';
import { assertModule } from '../../src/modules/assert.js';
import { debugModule, NOT_DEFINED } from '../../src/modules/debug.js';
import { failModule } from '../../src/modules/fail.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { setFactModule } from '../../src/modules/set-fact.js';
import { makeContext } from '../helpers/module-context.js';

const vars = { port: 8080, app: { name: 'web', tags: ['a', 'b'] } };

describe('assert', () => {
  it('passes when every expression holds', async () => {
    const out = await runModule(assertModule, { that: ['port > 1024', "app.name == 'web'"] }, makeContext({ vars }));
    expect(out).toEqual({ changed: false, msg: 'All assertions passed' });
  });

  it('fails on the first false expression, with fail_msg or a default', async () => {
    const ctx = makeContext({ vars, checkMode: true });
    expect(await runModule(assertModule, { that: ['port > 1024', 'port < 100'] }, ctx)).toEqual({
      changed: false,
      failed: true,
      msg: 'Assertion failed: port < 100',
      data: { assertion: 'port < 100', evaluated_to: false },
    });
    expect((await runModule(assertModule, { that: 'port == 1', fail_msg: 'wrong port' }, ctx)).msg).toBe('wrong port');
    expect((await runModule(assertModule, { that: true, success_msg: 'fine' }, ctx)).msg).toBe('fine');
  });

  it('stops the run when no expression engine is wired in (a bug, not a failed assertion)', async () => {
    await expect(runModule(assertModule, { that: 'x' }, makeContext({ evaluate: undefined }))).rejects.toThrow(
      'assert needs an expression engine (ModuleContext.evaluate)',
    );
  });
});

describe('debug', () => {
  it('prints msg, a default, or a variable', async () => {
    expect(await runModule(debugModule, { msg: 'hi' }, makeContext())).toEqual({ changed: false, msg: 'hi', data: { msg: 'hi' } });
    expect((await runModule(debugModule, {}, makeContext())).msg).toBe('Hello world!');
    expect(await runModule(debugModule, { var: 'app.name' }, makeContext({ vars }))).toEqual({
      changed: false,
      msg: 'app.name: web',
      data: { 'app.name': 'web' },
    });
    expect((await runModule(debugModule, { msg: { a: 1 } }, makeContext())).msg).toBe('{\n  "a": 1\n}');
  });

  it('shows VARIABLE IS NOT DEFINED! for an undefined var', async () => {
    const out = await runModule(debugModule, { var: 'nope' }, makeContext({ vars }));
    expect(out).toEqual({ changed: false, msg: `nope: ${NOT_DEFINED}`, data: { nope: 'VARIABLE IS NOT DEFINED!' } });
  });

  it('evaluates an expression var', async () => {
    expect((await runModule(debugModule, { var: 'port + 1' }, makeContext({ vars }))).msg).toBe('port + 1: 8081');
  });
});

describe('fail', () => {
  it('fails with the message or a default', async () => {
    expect(await runModule(failModule, { msg: 'stop here' }, makeContext())).toEqual({ changed: false, failed: true, msg: 'stop here' });
    expect((await runModule(failModule, {}, makeContext())).msg).toBe('Failed as requested from task');
  });
});

describe('set_fact', () => {
  it('returns the facts under data.facts without changing anything', async () => {
    const facts = { release: 'v2', ports: [80, 443], nested: { a: 1 } };
    expect(await runModule(setFactModule, facts, makeContext({ checkMode: true }))).toEqual({ changed: false, data: { facts } });
  });

  it('rejects bad names and empty input', async () => {
    await expect(runModule(setFactModule, { 'bad-name': 1 }, makeContext())).rejects.toThrow(
      "args.bad-name: 'bad-name' is not a valid variable name (letters, digits, _; not starting with a digit)",
    );
    await expect(runModule(setFactModule, {}, makeContext())).rejects.toThrow('args: expected at least one name: value');
  });
});
