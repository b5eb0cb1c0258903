// Renders a Handlebars file from the controller and writes it like copy does.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { controllerRead, failed, resolveControllerPath } from './support/common.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';
import { applyWrite, convergeWriteFile, planWrite, validateField, writeFields, type WritePlan } from './support/write-file.js';

const schema = z.strictObject({
  src: z.string().min(1).describe('Template file on the controller: playbook folder, then templates/, then ../templates/.'),
  ...writeFields,
  validate: validateField,
});

type Args = z.infer<typeof schema>;

interface TemplatePlan extends WritePlan {
  body: Buffer;
}

// The rendered file, or the failure to report when the template is missing.
async function rendered(args: Args, ctx: ModuleContext): Promise<Buffer | ModuleOutcome> {
  const srcPath = resolveControllerPath(ctx.baseDir, args.src, ['templates', '../templates']);
  if (!srcPath) return failed(`template ${args.src} not found (looked in ${ctx.baseDir}, templates/, ../templates/)`);
  return Buffer.from(ctx.render(await controllerRead(srcPath, readFile(srcPath, 'utf8')), srcPath));
}

export const templateModule = defineModule<Args, TemplatePlan>({
  name: 'template',
  description: 'Renders a Handlebars template with the task variables and writes it to the host.',
  schema,
  check: async (args, ctx) => {
    const body = await rendered(args, ctx);
    if (!Buffer.isBuffer(body)) return { changes: false, outcome: body };
    const plan = await planWrite(ctx, body, args);
    if (!plan.changes) return plan;
    return { ...plan, data: { ...(plan.data as WritePlan), body } };
  },
  apply: async (args, plan, ctx) => {
    if (!plan) throw new Error('template: apply without a plan');
    return applyWrite(ctx, plan.body, args, plan);
  },
  converge: async (args, ctx) => {
    const body = await rendered(args, ctx);
    return Buffer.isBuffer(body) ? convergeWriteFile(ctx, body, args) : body;
  },
});
