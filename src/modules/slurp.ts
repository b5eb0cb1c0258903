// Reads a host's file whole into a registered variable, base64 so binary content survives the trip.
import { z } from 'zod';
import { statPath } from '../connection/fs-ops.js';
import { failed } from './support/common.js';
import { defineModule } from './support/module.js';

const schema = z.strictObject({
  src: z.string().min(1).describe('File on the host to read (a regular file, read whole: meant for small files).'),
});

type Args = z.infer<typeof schema>;

export const slurpModule = defineModule<Args>({
  name: 'slurp',
  description: 'Returns the content of a file on the host as base64 (`content`, `encoding: base64`, `source`); binary-safe, changes nothing.',
  schema,
  argAliases: { path: 'src' },
  readOnly: true,
  check: async (args, ctx) => {
    const st = await statPath(ctx.conn, args.src, ctx.become);
    if (!st.exists) return { changes: false, outcome: failed(`file not found: ${args.src}`) };
    if (st.isDir) return { changes: false, outcome: failed(`source is a directory and must be a file: ${args.src}`) };
    const content = await ctx.conn.get(args.src, { become: ctx.become });
    return { changes: false, outcome: { data: { content: content.toString('base64'), encoding: 'base64', source: args.src } } };
  },
});
