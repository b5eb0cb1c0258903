// Puts a controller file or literal content on the host, only when it differs.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { statPath } from '../connection/fs-ops.js';
import { failed, resolveControllerPath } from './common.js';
import { defineModule } from './module.js';
import { applyWrite, planWrite, validateField, writeFields, type WritePlan } from './write-file.js';

const schema = z
  .strictObject({
    src: z.string().min(1).optional().describe('File on the controller, relative to the playbook folder.'),
    content: z.string().optional().describe('Literal content to write instead of src.'),
    ...writeFields,
    validate: validateField,
  })
  .refine((a) => (a.src === undefined) !== (a.content === undefined), { error: 'expected exactly one of src or content' });

type Args = z.infer<typeof schema>;

interface CopyPlan extends WritePlan {
  dest: string;
  body: Buffer;
}

// dest may name a folder (ending in / or existing): the file keeps its own name there.
async function resolveDest(args: Args, srcPath: string | undefined, ctx: Parameters<typeof planWrite>[0]): Promise<string> {
  if (!srcPath) return args.dest;
  if (args.dest.endsWith('/')) return `${args.dest}${basename(srcPath)}`;
  const st = await statPath(ctx.conn, args.dest, ctx.become);
  return st.isDir ? `${args.dest.replace(/\/+$/, '')}/${basename(srcPath)}` : args.dest;
}

export const copyModule = defineModule<Args, CopyPlan>({
  name: 'copy',
  description: 'Copies a file or literal content to the host, atomically, only when it differs.',
  schema,
  check: async (args, ctx) => {
    let body: Buffer;
    let srcPath: string | undefined;
    if (args.src !== undefined) {
      srcPath = resolveControllerPath(ctx.baseDir, args.src);
      if (!srcPath) return { changes: false, outcome: failed(`src ${args.src} not found (looked in ${ctx.baseDir})`) };
      body = await readFile(srcPath);
    } else body = Buffer.from(args.content ?? '');
    const dest = await resolveDest(args, srcPath, ctx);
    const plan = await planWrite(ctx, body, { ...args, dest });
    if (!plan.changes) return plan;
    return { ...plan, data: { ...(plan.data as WritePlan), dest, body } };
  },
  apply: async (args, plan, ctx) => {
    if (!plan) throw new Error('copy: apply without a plan');
    return applyWrite(ctx, plan.body, { ...args, dest: plan.dest }, plan);
  },
});
