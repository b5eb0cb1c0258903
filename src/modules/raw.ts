// A command line run as written, without omsrun's own scripts or module checks: for hosts with little more than a shell.
import { z } from 'zod';
import { runCommand } from './support/command-shared.js';
import { defineModule } from './support/module.js';

const schema = z.strictObject({
  cmd: z.string().min(1).describe('Command line, run as written by the shell (`EXECUTABLE -c CMD`).'),
  executable: z.string().min(1).default('/bin/sh').describe('Shell that runs the command line, e.g. /bin/bash.'),
});

type Args = z.infer<typeof schema>;

const argvOf = (a: Args): string[] => [a.executable, '-c', a.cmd];

export const rawModule = defineModule<Args, string[]>({
  name: 'raw',
  description: 'Runs a command line through a shell as written, with no creates/removes and no other checks; always reported as changed (use changed_when).',
  schema,
  freeForm: 'cmd',
  check: async (args) => ({ changes: true, summary: `run ${args.cmd}`, data: argvOf(args), skipInCheckMode: true }),
  apply: async (args, argv, ctx) => runCommand(argv ?? argvOf(args), {}, ctx),
});
