// The one way a module runs: validate, check, then report the plan (--check) or apply it (or both at once: converge).
import { convertArgs } from '../../core/convert-args.js';
import { ConfigError, OmsrunError } from '../../core/errors.js';
import { formatKeyPath } from '../../core/key-path.js';
import { explainIssues, toErrors } from '../../core/zod-issues.js';
import { contextError, type RenderContext } from '../../template/context.js';
import { failed, isFatal } from './common.js';
import type { Module, ModuleContext, ModuleOutcome } from './module.js';

/** What a task skipped in check mode registers besides `skipped: true`. */
const CHECK_MODE_SKIP = { rc: null, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] };

// Arguments as the schema expects them: aliases renamed (unless the name itself is given), values converted as
// Ansible's argument specs convert them. The loader and the runner both start here.
export function moduleInput(module: Module, raw: unknown): unknown {
  const input = raw === undefined || raw === null ? {} : raw;
  if (!module.argAliases || typeof input !== 'object' || Array.isArray(input)) return convertArgs(module.schema, input);
  const renamed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    const to = module.argAliases[k];
    if (to !== undefined && !(to in input)) renamed[to] = v;
    else renamed[k] = v;
  }
  return convertArgs(module.schema, renamed);
}

// Arguments that fail after templating read like the loader's errors: `file:line:col task "t": args.port: expected a number, got "80a"`.
export function parseModuleArgs<A>(module: Module<A>, raw: unknown, where: RenderContext = {}): A {
  const input = moduleInput(module, raw);
  const r = module.schema.safeParse(input);
  if (r.success) return r.data;
  const errors = explainIssues(r.error.issues, input, module.schema).map((t) =>
    contextError({ ...where, field: formatKeyPath(['args', ...t.path]) }, t.detail, t.hint),
  );
  throw toErrors(errors);
}

// An OmsrunError (a command, the host, a file) is the task's failure; interrupts and lost hosts propagate, and so
// does anything else: a bug, which ends the run as an internal error.
export async function runModule<A, P>(
  module: Module<A, P>,
  rawArgs: unknown,
  ctx: ModuleContext,
  where: RenderContext = {},
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
      // As Ansible registers a command skipped in check mode: empty output and no rc, so later conditions on it hold or not, never fail.
      if (plan.skipInCheckMode) return { changed: false, skipped: true, msg: `skipped in check mode: ${plan.summary}`, data: { ...CHECK_MODE_SKIP } };
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
    if (isFatal(err) || err instanceof ConfigError || !(err instanceof OmsrunError)) throw err;
    return failed(err.message);
  }
}
