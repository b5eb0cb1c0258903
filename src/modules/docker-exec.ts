// Runs a command inside a running container, streaming its output; success is rc 0 plus the expected line.
import { z } from 'zod';
import { quoteArgv } from '../connection/quote.js';
import { execOutcome } from './command-shared.js';
import { failed } from './common.js';
import { docker } from './docker-cli.js';
import { defineModule, type ModuleContext } from './module.js';

const scalar = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

const regex = z.string().min(1).superRefine((s, ctx) => {
  try {
    new RegExp(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `expected a regular expression: ${(err as Error).message}`, input: s });
  }
});

const schema = z
  .strictObject({
    container: z.string().min(1).describe('Name or ID of a running container.'),
    argv: z.array(scalar).min(1).optional().describe('Program and arguments run in the container, as they are.'),
    cmd: z.string().min(1).optional().describe('Command line run by `bash -c` in the container.'),
    expect_line: z.string().min(1).optional().describe('Text a line of the output must contain for the task to succeed.'),
    ignore_patterns: z.array(regex).default([]).describe('Regexes of lines that are not errors (e.g. `ERROR 1235`); they are not highlighted. The return code still decides.'),
    creates: z.string().min(1).optional().describe('Path inside the container: skip the task when it exists.'),
    timeout: z.number().positive().default(600).describe('Seconds before the docker exec client is killed (the process in the container may keep running).'),
    failure_log_glob: z.string().min(1).optional().describe('Glob inside the container, e.g. `/home/admin/logs/docker_init*.log`: on failure the last 40 lines of the newest match join the message.'),
  })
  .refine((a) => (a.argv === undefined) !== (a.cmd === undefined), { error: 'expected exactly one of argv or cmd' });

type Args = z.infer<typeof schema>;

/** Lines that look like errors, unless an ignore pattern matches them. */
const ERROR_LINE = /\b(error|fatal|exception|traceback|failed)\b/i;
const LOG_TAIL = 40;

// `docker exec CONTAINER argv...` or `docker exec CONTAINER bash -c CMD`.
export function execArgv(a: Pick<Args, 'container' | 'argv' | 'cmd'>): string[] {
  const inner = a.argv ?? ['bash', '-c', a.cmd as string];
  return ['docker', 'exec', a.container, ...inner];
}

// Newest file matching the glob and its last lines; the glob is an argument ($1), never pasted into the script.
export function logTailArgv(container: string, glob: string, lines = LOG_TAIL): string[] {
  const script = 'f=$(ls -td -- $1 2>/dev/null | head -n 1); [ -n "$f" ] && [ -f "$f" ] || exit 3; echo "$f"; tail -n "$2" -- "$f"';
  return ['docker', 'exec', container, 'sh', '-c', script, 'sh', glob, String(lines)];
}

// Error-looking lines of the output, minus the ones the task says are harmless.
export function errorLines(text: string, ignore: string[]): string[] {
  const ignored = ignore.map((p) => new RegExp(p));
  return text.split('\n').filter((l) => ERROR_LINE.test(l) && !ignored.some((r) => r.test(l)));
}

async function logTail(ctx: ModuleContext, container: string, glob: string): Promise<string> {
  const r = await docker(ctx, logTailArgv(container, glob).slice(1), { timeoutMs: 30_000 });
  if (r.rc !== 0) return `\nno log file matches ${glob} in ${container}`;
  const [file, ...rest] = r.stdout.replace(/\n$/, '').split('\n');
  return `\nlast ${LOG_TAIL} lines of ${file}:\n${rest.join('\n')}`;
}

// Always runs unless `creates` exists; the return code (and expect_line) decide, error lines only inform.
export const dockerExecModule = defineModule<Args, string[]>({
  name: 'docker_exec',
  description: 'Runs a command in a running container (argv, or a bash -c line), streaming its output; optional expected line, creates guard and log tail on failure.',
  schema,
  check: async (a, ctx) => {
    if (a.creates) {
      const r = await docker(ctx, ['exec', a.container, 'test', '-e', a.creates], { timeoutMs: 30_000 });
      if (r.rc === 0) return { changes: false, outcome: { msg: `skipped, since ${a.creates} exists in ${a.container}`, rc: 0 } };
    }
    const argv = execArgv(a);
    return { changes: true, summary: `run ${quoteArgv(argv)}`, data: argv, skipInCheckMode: true };
  },
  apply: async (a, planned, ctx) => {
    const argv = planned ?? execArgv(a);
    const timeoutMs = Math.min(a.timeout * 1000, ctx.timeoutMs ?? Infinity);
    const r = await docker(ctx, argv.slice(1), { timeoutMs, onLine: (s, l) => ctx.log(l, s) });
    const out = execOutcome(argv, r);
    let why: string | undefined;
    if (r.timedOut) why = `timed out after ${timeoutMs / 1000} s (the command may still be running in ${a.container})`;
    else if (r.rc !== 0) why = `non-zero return code ${r.rc}`;
    else if (a.expect_line && !`${r.stdout}\n${r.stderr}`.split('\n').some((l) => l.includes(a.expect_line as string))) {
      why = `the output has no line containing ${JSON.stringify(a.expect_line)}`;
    }
    if (!why) return out;
    const errs = errorLines(`${r.stdout}\n${r.stderr}`, a.ignore_patterns).slice(-10);
    const shown = errs.length ? `\nerror lines:\n${errs.join('\n')}` : '';
    const tail = a.failure_log_glob ? await logTail(ctx, a.container, a.failure_log_glob) : '';
    return failed(`${why}${shown}${tail}`, { ...out, changed: true });
  },
});
