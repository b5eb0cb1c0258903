// The keywords a task, block or play may carry, as zod schemas: they are the documentation.
import { z } from 'zod';
import { parseBool } from '../core/bool.js';

/** true/false, also Ansible's yes/no, on/off, 1/0 (see parseBool). */
export const flag = z.preprocess((v) => parseBool(v) ?? v, z.boolean());

/** A template (`"{{ x }}"`), rendered per host when the task runs. */
const templateText = z.string().regex(/\{\{[^]*\}\}/, { error: 'true or false, or a template such as "{{ var }}"' });

/** A flag or a template yielding one, rendered per host when the task runs (`no_log: "{{ hide }}"`). */
export const templatedFlag = z.union([flag, templateText]);

/** One condition or a list of them (expressions or literal booleans). */
export const condition = z.union([z.string(), z.boolean(), z.array(z.union([z.string(), z.boolean()]))]);

/** A name or a list of names (`tags`, `notify`, `listen`). */
export const names = z.union([z.string(), z.array(z.union([z.string(), z.number()]))]);

const PERCENT = /^\d+%$/;

const varsMap = z.record(z.string(), z.unknown());

/** `environment:` variables for the commands a task runs; values are templated. */
export const environmentMap = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'an environment variable name' }), z.union([z.string(), z.number(), z.boolean()]))
  .describe('Environment variables for the commands the task runs (command, shell, docker modules); templated; inner levels win.');

/** `environment:` as a mapping, or a template yielding one (`environment: "{{ proxy_env }}"`). */
export const templatedEnvironment = z.union([environmentMap, templateText]);

const varName = z.string().regex(/^[A-Za-z_]\w*$/, { error: 'a variable name' });
const loopSource = z.union([z.array(z.unknown()), z.string()]);

/** Ansible's `with_*` lookups omsrun runs, each a way to build the loop's items (see loop-items.ts). */
export const WITH_LOOKUPS = ['items', 'list', 'dict', 'fileglob', 'together', 'nested', 'cartesian', 'sequence', 'subelements', 'indexed_items', 'flattened'] as const;
export type WithLookup = (typeof WITH_LOOKUPS)[number];

const withKeywords = Object.fromEntries(
  WITH_LOOKUPS.map((w) => [`with_${w}`, z.union([loopSource, z.record(z.string(), z.unknown())]).describe(`Ansible's with_${w}.`)]),
) as Record<`with_${WithLookup}`, z.ZodUnion<[typeof loopSource, z.ZodRecord<z.ZodString, z.ZodUnknown>]>>;

/** Keywords shared by tasks, blocks and includes. */
export const commonKeywords = {
  name: z.string().describe('Shown in the progress view and the recap.'),
  when: condition.describe('Run only when every condition holds.'),
  tags: names.describe('Select or skip with --tags / --skip-tags.'),
  become: templatedFlag.describe('Run through sudo.'),
  become_user: z.string().describe('User to become (default root); may be a template.'),
  ignore_errors: templatedFlag.describe('A failure does not stop the host.'),
  no_log: templatedFlag.describe('Hide arguments and output.'),
  run_once: templatedFlag.describe('Run on the first host of the batch only.'),
  delegate_to: z.string().min(1).describe('Run on this inventory host (or localhost) instead, with the task host\'s variables; may be a template.'),
  delegate_facts: flag.describe('With delegate_to: facts the task sets go to the delegated host.'),
  connection: z.enum(['local', 'ssh']).describe('local: run on the controller with the host\'s variables (as delegate_to: localhost); ssh: the host\'s own connection.'),
  check_mode: templatedFlag.describe('true: always run in check mode; false: run for real even under --check (read-only probes).'),
  diff: templatedFlag.describe('Show (true) or hide (false) diffs of this task, whatever --diff says.'),
  vars: varsMap.describe('Variables for this task or block.'),
  environment: templatedEnvironment,
  throttle: z.number().int().min(1).describe('At most this many hosts run the task (each task of the block) at once.'),
};

/** Keywords only a task (one module call) may carry. */
export const taskKeywords = {
  args: varsMap.describe('Module arguments, merged over the inline ones.'),
  loop: loopSource.describe('A list, or a template yielding a list.'),
  ...withKeywords,
  loop_control: z
    .strictObject({
      loop_var: varName.optional(),
      index_var: varName.optional(),
      label: z.unknown().optional(),
      pause: z.number().min(0).optional(),
      extended: flag.optional(),
      extended_allitems: flag.optional(),
    })
    .describe('loop_var names the item (default item), index_var its index, label what the output shows, pause seconds between items, extended adds ansible_loop.'),
  register: z.string().regex(/^[A-Za-z_]\w*$/, { error: 'a variable name' }).describe('Store the result in this variable.'),
  changed_when: condition.describe('Overrides "changed".'),
  failed_when: condition.describe('Overrides "failed".'),
  until: condition.describe('Retry until this holds.'),
  retries: z.number().int().min(0).describe('Attempts for until (default 3).'),
  delay: z.number().min(0).describe('Seconds between attempts (default 5).'),
  notify: names.describe('Handlers to run when the task changed something.'),
  timeout: z.number().positive().describe('Seconds before the task is failed.'),
  check_mode: templatedFlag.describe('false: the task runs for real even under --check (read-only probes the plan needs).'),
  listen: names.describe('Handlers only: extra names to answer to.'),
};

export const taskSchema = z.strictObject({ ...commonKeywords, ...taskKeywords }).partial();

export const blockSchema = z.strictObject({
  ...commonKeywords,
  block: z.array(z.unknown()),
  rescue: z.array(z.unknown()).nullable(),
  always: z.array(z.unknown()).nullable(),
}).partial().required({ block: true });

export const playSchema = z.strictObject({
  name: z.string(),
  hosts: z.union([z.string().min(1), z.array(z.string()).min(1)]).describe('Host pattern.'),
  vars: varsMap.nullable(),
  vars_files: z.union([z.string(), z.array(z.string())]),
  become: flag,
  become_user: z.string(),
  remote_user: z.string().min(1).describe('User to log in as on hosts whose inventory sets no ansible_user.'),
  environment: environmentMap,
  serial: z.union([
    z.number().int().positive(),
    z.string().regex(PERCENT, { error: 'a number, a percentage such as "30%" or a list of them' }),
    z.array(z.union([z.number().int().positive(), z.string().regex(PERCENT, { error: 'a number or a percentage such as "30%"' })])).min(1),
  ]),
  strategy: z.enum(['linear', 'free']),
  any_errors_fatal: flag,
  max_fail_percentage: z.number().min(0).max(100),
  gather_facts: flag.describe(
    'true: gather facts on every host when the play starts; false: facts are not gathered and reading one is an error; ' +
      'unset: a host\'s facts are gathered (one command) the first time a task reads one.',
  ),
  connection: z.enum(['ssh', 'local']).describe('How to reach hosts whose inventory sets no ansible_connection.'),
  tags: names,
  tasks: z.array(z.unknown()).nullable(),
  pre_tasks: z.array(z.unknown()).nullable(),
  post_tasks: z.array(z.unknown()).nullable(),
  handlers: z.array(z.unknown()).nullable(),
  roles: z.array(z.unknown()).nullable().describe('Roles (roles/NAME/tasks/main.yml...) run after pre_tasks, before tasks.'),
}).partial().required({ hosts: true });

export type TaskKeywords = z.infer<typeof taskSchema>;
export type BlockKeywords = z.infer<typeof blockSchema>;
export type PlayKeywords = z.infer<typeof playSchema>;

export const TASK_KEYS = Object.keys(taskSchema.shape);
export const BLOCK_ONLY_KEYS = ['block', 'rescue', 'always'];
export const INCLUDE_KEYS = ['include_tasks', 'import_tasks'];
export const ROLE_INCLUDE_KEYS = ['include_role', 'import_role'];

// Names from `tags: a,b` / `notify: [x]` as a list.
export function toNames(v: string | (string | number)[] | undefined, split = false): string[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v.map(String) : split ? v.split(',') : [v];
  return list.map((s) => s.trim()).filter(Boolean);
}

// `when: x` / `when: [x, y]` as a list.
export function toConditions(v: string | boolean | (string | boolean)[] | undefined): (string | boolean)[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}
