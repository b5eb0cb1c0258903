// A kernel parameter in a sysctl file (ansible.posix.sysctl): the line edited with the file-edit primitive, the live
// value set first (so a value the kernel refuses never reaches the file), then the file reloaded.
import { z } from 'zod';
import { failed } from './support/common.js';
import { applyEdit, bare, checkEdit, splitLines, type Edit, type EditPlan, type FileText } from './support/edit-file.js';
import { runSteps, type Step } from './support/account-steps.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule, type ModuleContext } from './support/module.js';

const schema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_][\w.\-/*]*$/, 'expected a sysctl key such as net.core.somaxconn').describe('The key, e.g. `vm.max_map_count`.'),
    value: z.union([z.string(), z.number().transform(String), z.boolean().transform((b) => (b ? '1' : '0'))]).optional().describe('The value wanted (a boolean is 1 or 0); required with state present.'),
    state: z.enum(['present', 'absent']).default('present').describe('present: the key is in the file with this value; absent: its line is removed from the file.'),
    sysctl_file: z.string().min(1).default('/etc/sysctl.conf').describe('The file holding the key; created when missing.'),
    reload: z.boolean().default(true).describe('When the file changed: set the value now (`sysctl -w`), then load the file (`sysctl -p FILE`).'),
    sysctl_set: z.boolean().default(false).describe('Also set the live value when only it differs from the value wanted (`sysctl -w`).'),
    ignoreerrors: z.boolean().default(false).describe('Ignore keys the kernel does not know (`sysctl -e`).'),
  })
  .superRefine((a, ctx) => {
    if (a.state === 'present' && a.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'value is required with state present', input: a });
  });

type Args = z.infer<typeof schema>;

interface SysctlPlan {
  edit?: EditPlan;
  /** `sysctl -w` before the file is written. */
  set: boolean;
}

// Values compare as Ansible's do: words separated by any whitespace (`4096 87380 6291456`).
const words = (v: string) => v.trim().split(/\s+/).join(' ');

/** The key of a `key = value` line, or undefined for comments and blank lines. */
function keyOf(line: string): string | undefined {
  const t = line.trim();
  if (t === '' || t.startsWith('#') || t.startsWith(';') || !t.includes('=')) return undefined;
  return t.slice(0, t.indexOf('=')).trim();
}

// The first line of the key becomes `key=value` (or goes, with state absent); later lines of the key go; a missing key
// is appended. Other lines stay as they are.
function editLines(a: Args, file: FileText): Edit {
  const lines = splitLines(file.text);
  const mine = lines.map((l, i) => (keyOf(l) === a.name ? i : -1)).filter((i) => i >= 0);
  const first = mine[0];
  const current = first === undefined ? undefined : bare(lines[first]!).slice(bare(lines[first]!).indexOf('=') + 1);
  if (a.state === 'absent') {
    if (first === undefined) return { msg: '' };
    return { after: lines.filter((_l, i) => !mine.includes(i)).join(''), msg: `${a.name} removed` };
  }
  const value = a.value ?? '';
  if (current !== undefined && words(current) === words(value)) return { msg: '' };
  const line = `${a.name}=${value}\n`;
  const kept = lines.filter((_l, i) => i === first || !mine.includes(i));
  if (first === undefined) {
    if (kept.length > 0 && !kept[kept.length - 1]!.endsWith('\n')) kept.push('\n');
    kept.push(line);
  } else kept[kept.indexOf(lines[first]!)] = line;
  return { after: kept.join(''), msg: `${a.name}=${value}` };
}

// The running value; undefined for a key the kernel lacks with ignoreerrors, an error message without it.
async function liveValue(a: Args, ctx: ModuleContext): Promise<{ value?: string; error?: string }> {
  const r = await hostExec(ctx, ['sysctl', '-n', a.name]);
  if (r.rc === 0) return { value: r.stdout.replace(/\n$/, '') };
  if (a.ignoreerrors) return {};
  return { error: `cannot read ${a.name} on ${ctx.host}: ${outputTail(r)}; check the key, or set ignoreerrors: true` };
}

const reloadStep = (a: Args): Step => ({ argv: ['sysctl', ...(a.ignoreerrors ? ['-e'] : []), '-p', a.sysctl_file] });
const setStep = (a: Args): Step => ({ argv: ['sysctl', ...(a.ignoreerrors ? ['-e'] : []), '-w', `${a.name}=${a.value}`] });

export const sysctlModule = defineModule<Args, SysctlPlan>({
  name: 'sysctl',
  description: 'Sets a kernel parameter in a sysctl file and, on a change, in the running kernel; changed only when the file or the live value changes.',
  schema,
  argAliases: { key: 'name', val: 'value' },
  check: async (a, ctx) => {
    const edit = await checkEdit({ path: a.sysctl_file, backup: false }, ctx, (file) => editLines(a, file));
    if (!edit.changes && edit.outcome?.failed) return edit;
    const { value: live, error } = a.state === 'present' ? await liveValue(a, ctx) : {};
    if (error) return { changes: false, outcome: failed(error) };
    const differs = live !== undefined && words(live) !== words(a.value ?? '');
    const set = a.state === 'present' && differs && (a.sysctl_set || (a.reload && edit.changes));
    const data = { name: a.name, ...(a.value !== undefined ? { value: a.value } : {}), state: a.state, sysctl_file: a.sysctl_file };
    if (!edit.changes && !set) return { changes: false, outcome: { data } };
    const what = [edit.changes ? `${a.sysctl_file}: ${edit.data!.msg}` : '', set ? `${a.name} ${live} -> ${a.value}` : ''].filter(Boolean);
    return { changes: true, summary: what.join(', '), diff: edit.changes ? edit.diff : undefined, data: { edit: edit.changes ? edit.data : undefined, set } };
  },
  apply: async (a, plan, ctx) => {
    const { edit, set } = plan!;
    const data = { name: a.name, ...(a.value !== undefined ? { value: a.value } : {}), state: a.state, sysctl_file: a.sysctl_file };
    if (set) {
      const bad = await runSteps(ctx, [setStep(a)]);
      if (bad) return { ...bad, msg: `${bad.msg}${edit ? `; ${a.sysctl_file} was left unchanged` : ''}` };
    }
    if (!edit) return { changed: true, msg: `${a.name} set to ${a.value}`, data };
    const written = await applyEdit({ path: a.sysctl_file, backup: false }, edit, ctx);
    if (written.failed) return written;
    if (a.reload) {
      const bad = await runSteps(ctx, [reloadStep(a)]);
      if (bad) return { ...bad, msg: `${a.sysctl_file} was written, but loading it failed: ${bad.msg}` };
    }
    return { changed: true, msg: edit.msg, data };
  },
});
