import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { convertArgs } from '../../src/core/convert-args.js';
import { explainIssues } from '../../src/core/zod-issues.js';
import { modeSchema } from '../../src/modules/support/common.js';

const schema = z
  .strictObject({
    port: z.number().int().optional(),
    ratio: z.number().optional(),
    force: z.boolean().default(false),
    names: z.array(z.string()).optional(),
    owner: z.string().optional(),
    mode: modeSchema.optional(),
    nested: z.strictObject({ retries: z.number() }).optional(),
    env: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    either: z.union([z.number(), z.array(z.number())]).optional(),
  })
  .refine(() => true);

const parse = (v: unknown) => schema.safeParse(convertArgs(schema, v));

describe('convertArgs: Ansible argument spec conversions', () => {
  it.each([
    [{ port: '3' }, { port: 3 }],
    [{ ratio: '1.5' }, { ratio: 1.5 }],
    [{ ratio: ' -2e3 ' }, { ratio: -2000 }],
    [{ force: 'yes' }, { force: true }],
    [{ force: 'no' }, { force: false }],
    [{ force: 'true' }, { force: true }],
    [{ force: 'on' }, { force: true }],
    [{ force: 1 }, { force: true }],
    [{ force: 'OFF' }, { force: false }],
    [{ names: 'a,b, c' }, { names: ['a', 'b', 'c'] }],
    [{ names: 'one' }, { names: ['one'] }],
    [{ names: 7 }, { names: ['7'] }],
    [{ owner: 1000 }, { owner: '1000' }],
    [{ nested: { retries: '4' } }, { nested: { retries: 4 } }],
    [{ env: { A: 'x', B: 2 } }, { env: { A: 'x', B: 2 } }],
    [{ either: '5' }, { either: 5 }],
    [{ mode: 644 }, { mode: '0644' }],
    [{ mode: 755 }, { mode: '0755' }],
    [{ mode: 493 }, { mode: '0755' }],
    [{ mode: 2755 }, { mode: '2755' }],
    [{ mode: '0600' }, { mode: '0600' }],
  ])('%j becomes %j', (input, want) => {
    const r = parse(input);
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject(want);
  });

  it('leaves templates for after rendering and keeps the schema errors of what it cannot convert', () => {
    expect(convertArgs(schema, { port: '{{ p }}', force: '{{ f }}' })).toEqual({ port: '{{ p }}', force: '{{ f }}' });
    const input = { port: '80a', force: 'maybe', names: { a: 1 }, mode: 'rwx', nested: { retries: 'x' } };
    const converted = convertArgs(schema, input);
    const r = schema.safeParse(converted);
    expect(r.success).toBe(false);
    const texts = explainIssues(r.error!.issues, converted, schema).map((t) => `${t.path.join('.')}: ${t.detail}`);
    expect(texts).toEqual([
      'port: expected a number, got "80a"',
      'force: expected true or false, got "maybe"',
      'names: expected a list, got a mapping',
      "mode: expected an octal mode such as '0644', got \"rwx\"",
      'nested.retries: expected a number, got "x"',
    ]);
  });

  it('rejects a number too large to be a mode instead of guessing', () => {
    const r = parse({ mode: 99999 });
    expect(r.success).toBe(false);
  });
});
