// Gathers the host's facts again (one command) and returns them as ansible_facts; later tasks read the fresh set.
import { z } from 'zod';
import { gatherFacts } from '../facts/gather.js';
import { FACT_NAMES, filterFacts } from '../facts/names.js';
import type { Facts } from '../facts/parse.js';
import { defineModule } from './support/module.js';

const SUBSETS = ['all', 'min', 'hardware', 'network'] as const;
type Subset = (typeof SUBSETS)[number];

const HARDWARE = /^(mem|swap|processor|mounts)/;
const NETWORK = /^(default_ipv4|all_ipv4_addresses|interfaces)$/;

const subset = z.string().refine((s) => (SUBSETS as readonly string[]).includes(s.replace(/^!/, '')), {
  error: `expected one of ${SUBSETS.join(', ')}, each optionally negated with "!"`,
});

const schema = z.strictObject({
  gather_subset: z
    .union([subset, z.array(subset)])
    .default(['all'])
    .describe('Subsets returned: all, min, hardware (memory, processors, mounts), network; "!name" leaves one out. omsrun always gathers everything in one command; this narrows what the task returns.'),
  filter: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .describe('Only facts whose name matches one of these globs (`ansible_mem*`, `*ipv4*`).'),
});

type Args = z.infer<typeof schema>;

function subsetOf(name: string): Subset {
  if (HARDWARE.test(name)) return 'hardware';
  if (NETWORK.test(name)) return 'network';
  return 'min';
}

// As Ansible: `min` is always kept unless negated; with no positive subset, everything not negated is kept.
export function selectSubsets(facts: Facts, wanted: string[]): Facts {
  const neg = new Set(wanted.filter((s) => s.startsWith('!')).map((s) => s.slice(1)));
  const pos = new Set(wanted.filter((s) => !s.startsWith('!')));
  if (pos.size === 0) pos.add('all');
  const keep = (s: Subset) => (s === 'min' ? !neg.has('min') : (pos.has('all') && !neg.has('all')) || pos.has(s)) && !neg.has(s);
  return Object.fromEntries(Object.entries(facts).filter(([k]) => keep(subsetOf(k))));
}

export const setupModule = defineModule<Args>({
  name: 'setup',
  aliases: ['gather_facts'],
  description: `Gathers host facts (${FACT_NAMES.length} of Ansible's names: os_family, default_ipv4, mounts, ...) with one command and returns them as ansible_facts.`,
  schema,
  readOnly: true,
  check: async (args, ctx) => {
    const facts = ctx.gatherFacts ? await ctx.gatherFacts() : await gatherFacts(ctx.conn, ctx.signal);
    const subsets = Array.isArray(args.gather_subset) ? args.gather_subset : [args.gather_subset];
    const filters = Array.isArray(args.filter) ? args.filter : [args.filter];
    return { changes: false, outcome: { data: { ansible_facts: filterFacts(selectSubsets(facts, subsets), filters) } } };
  },
});
