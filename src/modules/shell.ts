// For pipes, redirects and globs: the script runs through a real shell on the host.
import { z } from 'zod';
import { commandFields, planCommand, runCommand } from './support/command-shared.js';
import { defineModule } from './support/module.js';

const schema = z.strictObject({
  cmd: z.string().min(1).describe('Shell script, run with `<executable> -c`.'),
  executable: z.string().min(1).default('/bin/sh').describe('Shell to run the script with, e.g. /bin/bash.'),
  ...commandFields,
});

type Args = z.infer<typeof schema>;

export const shellModule = defineModule<Args, string[]>({
  name: 'shell',
  description: 'Runs a script through /bin/sh -c (or another shell).',
  schema,
  freeForm: 'cmd',
  check: async (args, ctx) => planCommand([args.executable, '-c', args.cmd], args, ctx),
  apply: async (args, argv, ctx) => runCommand(argv ?? [args.executable, '-c', args.cmd], args, ctx),
});
