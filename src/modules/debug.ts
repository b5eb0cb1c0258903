// Prints a message or a variable, as a task result the views already know how to show.
import { z } from 'zod';
import { defineModule, type ModuleContext } from './support/module.js';

/** Ansible's words for an undefined `var`, kept so existing habits still read right. */
export const NOT_DEFINED = 'VARIABLE IS NOT DEFINED!';

const schema = z
  .strictObject({
    msg: z.unknown().optional().describe('Message (or any value) to print. Default: Hello world!'),
    var: z.string().min(1).optional().describe('Name (or expression) of a variable to print.'),
  })
  .refine((a) => a.msg === undefined || a.var === undefined, { error: 'expected msg or var, not both' });

type Args = z.infer<typeof schema>;

function lookup(ctx: ModuleContext, name: string): unknown {
  let cur: unknown = ctx.vars;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function resolveVar(ctx: ModuleContext, name: string): unknown {
  if (/^[A-Za-z_][\w.]*$/.test(name)) return lookup(ctx, name);
  try {
    return ctx.evaluate ? ctx.evaluate(name) : undefined;
  } catch {
    return undefined;
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

export const debugModule = defineModule<Args>({
  name: 'debug',
  description: 'Prints a message or the value of a variable.',
  schema,
  freeForm: 'msg',
  readOnly: true,
  check: async (args, ctx) => {
    if (args.var !== undefined) {
      const value = resolveVar(ctx, args.var);
      const shown = value === undefined ? NOT_DEFINED : value;
      return { changes: false, outcome: { msg: `${args.var}: ${show(shown)}`, data: { [args.var]: shown } } };
    }
    const msg = args.msg === undefined ? 'Hello world!' : args.msg;
    return { changes: false, outcome: { msg: show(msg), data: { msg } } };
  },
});
