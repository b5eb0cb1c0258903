// New host facts from the task's own values; the executor merges data.facts into the host.
import { z } from 'zod';
import { defineModule } from './support/module.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const schema = z
  .record(z.string(), z.unknown())
  .superRefine((facts, ctx) => {
    if (Object.keys(facts).length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one name: value', input: facts });
    for (const k of Object.keys(facts)) {
      if (!NAME.test(k)) {
        ctx.addIssue({ code: 'custom', path: [k], message: `'${k}' is not a valid variable name (letters, digits, _; not starting with a digit)`, input: k });
      }
    }
  })
  .describe('Variable names and their values, set as facts of the host.');

export const setFactModule = defineModule<Record<string, unknown>>({
  name: 'set_fact',
  description: 'Sets host facts (variables) for the rest of the play.',
  schema,
  readOnly: true,
  check: async (facts) => ({ changes: false, outcome: { data: { facts: { ...facts } } } }),
});
