// The one way a module runs: validate, check, then report the plan (--check) or apply it (or both at once: converge).
import type { z } from 'zod';
import { ConfigError, type SourcePos } from '../core/errors.js';
import { errorMessage, failed, isFatal } from './common.js';
import type { Module, ModuleContext, ModuleOutcome } from './module.js';

/** Where the task's arguments came from, for error messages. */
export interface ArgsWhere {
  pos?: SourcePos;
  /** Key path of the task, e.g. `[0].tasks[3]`; the module name and field are appended. */
  keyPath?: string;
}

// Bad arguments are a configuration error naming the exact field.
export function parseModuleArgs<A>(module: Module<A>, raw: unknown, where: ArgsWhere = {}): A {
  const input = raw === undefined || raw === null ? {} : raw;
  const r = module.schema.safeParse(input);
  if (r.success) return r.data;
  const errors = r.error.issues.map((iss: z.core.$ZodIssue) => {
    const field = iss.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const keyPath = `${where.keyPath ? `${where.keyPath}.` : ''}${module.name}${field}`;
    return new ConfigError(iss.message, { pos: where.pos, keyPath });
  });
  throw errors[0] as ConfigError;
}

// Host-side errors become a failed outcome; interrupts and lost hosts propagate.
export async function runModule<A, P>(
  module: Module<A, P>,
  rawArgs: unknown,
  ctx: ModuleContext,
  where: ArgsWhere = {},
): Promise<ModuleOutcome> {
  const args = parseModuleArgs(module, rawArgs, where);
  try {
    if (module.converge && !ctx.checkMode && !ctx.diffMode) {
      const done = await module.converge(args, ctx);
      if (done) return done;
    }
    const plan = await module.check(args, ctx);
    if (!plan.changes) return { changed: false, ...plan.outcome };
    const diff = ctx.diffMode ? plan.diff : undefined;
    if (ctx.checkMode) {
      if (plan.skipInCheckMode) return { changed: false, skipped: true, msg: `skipped in check mode: ${plan.summary}` };
      return { changed: true, msg: plan.summary, ...(diff ? { diff } : {}) };
    }
    if (!module.apply) throw new Error(`module ${module.name} planned a change but has no apply()`);
    const out = await module.apply(args, plan.data, ctx);
    if (!ctx.diffMode) {
      const { diff: _drop, ...rest } = out;
      return rest;
    }
    return out.diff || !diff || out.failed ? out : { ...out, diff };
  } catch (err) {
    if (isFatal(err) || err instanceof ConfigError) throw err;
    return failed(errorMessage(err));
  }
}
