// Reads a path's facts for later `when:` conditions; never changes anything.
import { z } from 'zod';
import { statPath } from '../connection/fs-ops.js';
import { defineModule } from './support/module.js';

const schema = z.strictObject({
  path: z.string().min(1).describe('Path on the host.'),
  checksum: z.boolean().default(true).describe('Compute the sha256 of a regular file.'),
});

type Args = z.infer<typeof schema>;

export const statModule = defineModule<Args>({
  name: 'stat',
  description: 'Returns facts about a path: exists, isdir, isreg, mode, size, checksum, owner, group.',
  schema,
  readOnly: true,
  check: async (args, ctx) => {
    const st = await statPath(ctx.conn, args.path, ctx.become, { checksum: args.checksum });
    const stat = st.exists
      ? {
          exists: true,
          path: args.path,
          isdir: st.isDir,
          isreg: st.isFile,
          islnk: st.isLink,
          mode: st.mode,
          size: st.size,
          owner: st.owner,
          group: st.group,
          uid: st.uid,
          gid: st.gid,
          ...(st.sha256 ? { checksum: st.sha256 } : {}),
        }
      : { exists: false, path: args.path };
    return { changes: false, outcome: { data: { stat } } };
  },
});
