// Guards a play with conditions, evaluated by the same engine as `when:`.
import { z } from 'zod';
import { defineModule } from './support/module.js';

const schema = z.strictObject({
  that: z
    .union([z.string().min(1), z.boolean(), z.array(z.union([z.string().min(1), z.boolean()])).min(1)])
    .describe('Expression or list of expressions that must all be true.'),
  fail_msg: z.string().optional().describe('Message when an expression is false.'),
  msg: z.string().optional().describe('Same as fail_msg.'),
  success_msg: z.string().default('All assertions passed').describe('Message when all expressions are true.'),
});

type Args = z.infer<typeof schema>;

export const assertModule = defineModule<Args>({
  name: 'assert',
  description: 'Fails unless every expression in `that` is true.',
  schema,
  readOnly: true,
  check: async (args, ctx) => {
    const list = Array.isArray(args.that) ? args.that : [args.that];
    for (const expr of list) {
      let ok: boolean;
      if (typeof expr === 'boolean') ok = expr;
      else if (!ctx.evaluate) throw new Error('assert needs an expression engine (ModuleContext.evaluate)');
      else ok = Boolean(ctx.evaluate(expr));
      if (!ok) {
        const msg = args.fail_msg ?? args.msg ?? `Assertion failed: ${String(expr)}`;
        return { changes: false, outcome: { failed: true, msg, data: { assertion: expr, evaluated_to: false } } };
      }
    }
    return { changes: false, outcome: { msg: args.success_msg } };
  },
});
