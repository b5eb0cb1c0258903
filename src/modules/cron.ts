// A cron job (or variable) in a user's crontab or a file in /etc/cron.d, found by Ansible's `#Ansible: NAME` marker so
// crontabs Ansible wrote converge unchanged.
import { z } from 'zod';
import { failed } from './support/common.js';
import { applyEdit, checkEdit, type Edit, type EditPlan } from './support/edit-file.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule, type ModuleContext, type Plan } from './support/module.js';

const MARKER = '#Ansible: ';
const timeField = (what: string) => z.union([z.string().min(1), z.number().int().transform(String)]).default('*').describe(`${what} of the job ('*', '5', '*/10', '1-5').`);

const schema = z
  .strictObject({
    name: z.string().min(1).regex(/^[^\n]*$/, 'expected one line').describe('Description of the job, kept in the `#Ansible: NAME` line above it; with env, the variable\'s name.'),
    job: z.string().regex(/^[^\n]*$/, 'expected one line').optional().describe('The command to run; with env, the variable\'s value. Required with state present.'),
    state: z.enum(['present', 'absent']).default('present').describe('present: the job is there as given; absent: it is removed.'),
    user: z.string().min(1).optional().describe('Whose crontab (`crontab -u USER`); in a cron_file, the user the job runs as. Default: the (become) user.'),
    cron_file: z.string().min(1).optional().describe('A file in /etc/cron.d (a bare name) or a path, instead of the user\'s crontab; user is required with it.'),
    minute: timeField('Minute'),
    hour: timeField('Hour'),
    day: timeField('Day of the month'),
    month: timeField('Month'),
    weekday: timeField('Day of the week'),
    special_time: z.enum(['annually', 'daily', 'hourly', 'monthly', 'reboot', 'weekly', 'yearly']).optional().describe('`@daily`, `@reboot`, ... instead of the five time fields.'),
    disabled: z.boolean().default(false).describe('Keep the job commented out (`#` before it).'),
    env: z.boolean().default(false).describe('Manage a variable `NAME="job"` instead of a job.'),
    insertafter: z.string().optional().describe('With env: a new variable goes after this variable (default: at the top).'),
    insertbefore: z.string().optional().describe('With env: a new variable goes before this variable.'),
    backup: z.boolean().default(false).describe('With cron_file: keep the old file as `<path>.<timestamp>~`.'),
  })
  .superRefine((a, ctx) => {
    if (a.state === 'present' && a.job === undefined) ctx.addIssue({ code: 'custom', path: ['job'], message: 'job is required with state present', input: a });
    if (a.special_time && [a.minute, a.hour, a.day, a.month, a.weekday].some((f) => f !== '*')) {
      ctx.addIssue({ code: 'custom', path: ['special_time'], message: 'expected special_time or the time fields, not both', input: a.special_time });
    }
    if (a.cron_file && !a.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'user is required with cron_file (the user the job runs as)', input: a });
    if (a.env && /[\s=]/.test(a.name)) ctx.addIssue({ code: 'custom', path: ['name'], message: 'expected a variable name without spaces or "=" (env: true)', input: a.name });
    if (a.insertafter !== undefined && a.insertbefore !== undefined) ctx.addIssue({ code: 'custom', path: ['insertbefore'], message: 'expected insertafter or insertbefore, not both', input: a.insertbefore });
    if (!a.env && (a.insertafter ?? a.insertbefore) !== undefined) ctx.addIssue({ code: 'custom', path: [a.insertafter !== undefined ? 'insertafter' : 'insertbefore'], message: 'insertafter and insertbefore need env: true', input: a });
  });

type Args = z.infer<typeof schema>;

/** The job line exactly as Ansible writes it. */
export function jobLine(a: Args): string {
  const when = a.special_time ? `@${a.special_time}` : [a.minute, a.hour, a.day, a.month, a.weekday].join(' ');
  return `${a.disabled ? '#' : ''}${[when, ...(a.cron_file ? [a.user] : []), (a.job ?? '').replace(/^[\r\n]+|[\r\n]+$/g, '')].join(' ')}`;
}

const lineIndex = (lines: string[], name: string): number => lines.findIndex((l, i) => l === `${MARKER}${name}` && i + 1 < lines.length);

// The crontab's lines with the job (or variable) as asked, as Ansible's find_job/add_job/update_job/remove_job do.
function editJob(a: Args, lines: string[]): Edit | string {
  if (a.env) {
    const at = lines.findIndex((l) => l.startsWith(`${a.name}=`));
    const decl = `${a.name}="${a.job ?? ''}"`;
    if (a.state === 'absent') return at < 0 ? { msg: '' } : { after: render(lines.filter((_l, i) => i !== at)), msg: `variable ${a.name} removed` };
    if (at >= 0) return lines[at] === decl ? { msg: '' } : { after: render(lines.map((l, i) => (i === at ? decl : l))), msg: `variable ${a.name} updated` };
    const anchor = a.insertafter ?? a.insertbefore;
    let pos = 0;
    if (anchor !== undefined) {
      const found = lines.findIndex((l) => l.startsWith(`${anchor}=`));
      if (found < 0) return `variable ${anchor} not found in the crontab; add it first or drop ${a.insertafter !== undefined ? 'insertafter' : 'insertbefore'}`;
      pos = a.insertafter !== undefined ? found + 1 : found;
    }
    return { after: render([...lines.slice(0, pos), decl, ...lines.slice(pos)]), msg: `variable ${a.name} added` };
  }
  let at = lineIndex(lines, a.name);
  if (a.state === 'absent') return at < 0 ? { msg: '' } : { after: render(lines.filter((_l, i) => i !== at && i !== at + 1)), msg: `job ${a.name} removed` };
  const job = jobLine(a);
  if (at < 0) {
    // A job written by hand with the same line: adopt it under the marker, as Ansible does.
    const same = lines.indexOf(job);
    if (same >= 0) return { after: render([...lines.slice(0, same), `${MARKER}${a.name}`, ...lines.slice(same)]), msg: `job ${a.name} marked` };
    return { after: render([...lines, `${MARKER}${a.name}`, job]), msg: `job ${a.name} added` };
  }
  at += 1;
  return lines[at] === job ? { msg: '' } : { after: render(lines.map((l, i) => (i === at ? job : l))), msg: `job ${a.name} updated` };
}

const toLines = (text: string | undefined): string[] => (text ? text.replace(/[\r\n]+$/, '').split('\n') : []);
const render = (lines: string[]): string => (lines.length ? `${lines.join('\n').replace(/[\r\n]+$/, '')}\n` : '');

// What Ansible registers: the names of the jobs and variables after the change.
function summary(text: string): { jobs: string[]; envs: string[] } {
  const lines = toLines(text);
  const jobs = lines.filter((l) => l.startsWith(MARKER)).map((l) => l.slice(MARKER.length));
  const envs = lines.filter((l) => /^[A-Za-z_][\w]*=/.test(l)).map((l) => l.slice(0, l.indexOf('=')));
  return { jobs, envs };
}

const cronPath = (f: string) => (f.includes('/') ? f : `/etc/cron.d/${f}`);

// A user's crontab: `crontab -l`; "no crontab" is an empty one.
async function readCrontab(a: Args, ctx: ModuleContext): Promise<string | { error: string }> {
  const r = await hostExec(ctx, ['crontab', ...(a.user ? ['-u', a.user] : []), '-l']);
  if (r.rc === 0) return r.stdout;
  if (/no crontab for/.test(r.stderr)) return '';
  return { error: `cannot read the crontab${a.user ? ` of ${a.user}` : ''}: ${outputTail(r)}` };
}

// The new crontab goes to a private temp file, then crontab installs it whole; the temp file is removed either way.
const INSTALL = 'umask 077; t=$(mktemp) || exit 1; if cat > "$t"; then crontab "$@" "$t"; rc=$?; else rc=1; fi; rm -f "$t"; exit $rc';

interface CronPlan {
  file?: EditPlan;
  crontab?: { text: string; msg: string };
}

export const cronModule = defineModule<Args, CronPlan>({
  name: 'cron',
  description: 'Manages a cron job or variable in a user\'s crontab or in /etc/cron.d, found by Ansible\'s `#Ansible: NAME` marker; changed only when the crontab changes.',
  schema,
  argAliases: { value: 'job' },
  check: async (a, ctx): Promise<Plan<CronPlan>> => {
    let problem: string | undefined;
    const decide = (text: string | undefined): Edit => {
      const e = editJob(a, toLines(text));
      if (typeof e === 'string') {
        problem = e;
        return { msg: '' };
      }
      return { ...e, data: summary(e.after ?? text ?? '') };
    };
    if (a.cron_file) {
      const path = cronPath(a.cron_file);
      const plan = await checkEdit({ path, backup: a.backup }, ctx, (file) => decide(file.text));
      if (problem) return { changes: false, outcome: failed(problem) };
      if (!plan.changes) return plan;
      return { ...plan, data: { file: plan.data } };
    }
    const text = await readCrontab(a, ctx);
    if (typeof text !== 'string') return { changes: false, outcome: failed(text.error) };
    const e = decide(text);
    if (problem) return { changes: false, outcome: failed(problem) };
    if (e.after === undefined || e.after === text) return { changes: false, outcome: { data: e.data } };
    const label = `crontab of ${a.user ?? ctx.become?.user ?? 'the login user'}`;
    return { changes: true, summary: `${label}: ${e.msg}`, diff: [{ path: label, before: text, after: e.after }], data: { crontab: { text: e.after, msg: e.msg } } };
  },
  apply: async (a, plan, ctx) => {
    if (plan!.file) return applyEdit({ path: cronPath(a.cron_file!), backup: a.backup }, plan!.file, ctx);
    const { text: content, msg } = plan!.crontab!;
    const r = await ctx.conn.exec(['/bin/sh', '-c', INSTALL, 'sh', ...(a.user ? ['-u', a.user] : [])], { become: ctx.become, stdin: content, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    if (r.rc !== 0) return failed(`crontab refused the new crontab (rc ${r.rc}), which was not installed: ${outputTail(r)}`, { rc: r.rc });
    return { changed: true, msg, data: summary(content) };
  },
});
