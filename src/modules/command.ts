// Runs a program directly (no shell): the safe default for anything with user data in it.
import { z } from 'zod';
import { commandFields, planCommand, runCommand } from './support/command-shared.js';
import { defineModule } from './support/module.js';
import { splitArgs } from './support/split-args.js';

const schema = z
  .strictObject({
    cmd: z.string().min(1).optional().describe('Command line, split on spaces respecting quotes; no shell features.'),
    argv: z.array(z.union([z.string(), z.number().transform(String), z.boolean().transform(String)])).min(1).optional().describe('Program and arguments as a list; passed as they are.'),
    ...commandFields,
  })
  .superRefine((a, ctx) => {
    if ((a.cmd === undefined) === (a.argv === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected exactly one of cmd or argv', input: a });
    } else if (a.cmd !== undefined) {
      try {
        if (splitArgs(a.cmd).length === 0) ctx.addIssue({ code: 'custom', path: ['cmd'], message: 'expected a command, got only blanks', input: a.cmd });
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['cmd'], message: (err as Error).message, input: a.cmd });
      }
    }
  });

type Args = z.infer<typeof schema>;

function argvOf(a: Args): string[] {
  return a.argv ?? splitArgs(a.cmd ?? '');
}

export const commandModule = defineModule<Args, string[]>({
  name: 'command',
  description: 'Runs a program with arguments, without a shell.',
  schema,
  freeForm: 'cmd',
  check: async (args, ctx) => planCommand(argvOf(args), args, ctx),
  apply: async (args, argv, ctx) => runCommand(argv ?? argvOf(args), args, ctx),
});
