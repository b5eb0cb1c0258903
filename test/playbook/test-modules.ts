// Throwaway modules so loader tests do not depend on the real registry.
import { z } from 'zod';
import { defineModule } from '../../src/modules/support/module.js';
import type { Module } from '../../src/modules/support/module.js';
import type { ModuleLookup } from '../../src/playbook/tasks.js';

const nothing = async () => ({ changes: false as const });

const mods: Module[] = [
  defineModule({ name: 'command', description: 'run', freeForm: 'cmd', schema: z.strictObject({ cmd: z.string(), chdir: z.string().optional() }), check: nothing }),
  defineModule({ name: 'shell', description: 'sh', freeForm: 'script', schema: z.strictObject({ script: z.string() }), check: nothing }),
  defineModule({
    name: 'wait_for',
    description: 'wait',
    schema: z.strictObject({ port: z.number().int(), host: z.string().default('localhost'), state: z.enum(['started', 'stopped']).optional() }),
    check: nothing,
  }),
  defineModule({ name: 'copy', description: 'copy', schema: z.strictObject({ src: z.string(), dest: z.string(), mode: z.string().optional() }), check: nothing }),
  defineModule({ name: 'debug', description: 'print', aliases: ['print'], schema: z.strictObject({ msg: z.unknown() }), check: nothing }),
];

export const testModules: ModuleLookup = {
  get: (n) => mods.find((m) => m.name === n || m.aliases?.includes(n)),
  names: () => mods.flatMap((m) => [m.name, ...(m.aliases ?? [])]),
};
