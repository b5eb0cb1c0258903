// A mount point in /etc/fstab and mounted (or not), with the rules of Ansible's ansible.posix.mount.
import { z } from 'zod';
import { failed } from './support/common.js';
import { applyEdit, editFields, planEdit, readText, splitLines, type EditPlan, type FileText } from './support/edit-file.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';
import { sha256 } from './support/write-file.js';

const STATES = ['mounted', 'unmounted', 'present', 'absent', 'remounted'] as const;
const field = z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]);

const schema = z
  .strictObject({
    path: z.string().regex(/^\//, { error: 'expected an absolute path such as /mnt/data' }).describe('The mount point (absolute path).'),
    src: z.string().min(1).optional().describe('Device, label (`LABEL=...`), UUID (`UUID=...`), remote share or folder (bind) to mount; required with present and mounted.'),
    fstype: z.string().min(1).optional().describe('File system type (`ext4`, `nfs`, `tmpfs`, `none` for a bind mount); required with present and mounted.'),
    opts: z.string().min(1).default('defaults').describe('Mount options, comma-separated.'),
    dump: field.default('0').describe('fstab dump field.'),
    passno: field.default('0').describe('fstab pass number (fsck order).'),
    state: z.enum(STATES).describe('present: only the fstab line; mounted: the fstab line and mounted (the mount point made if missing, remounted when the line changed); unmounted: not mounted, fstab untouched; absent: the line removed, unmounted, the mount point folder removed; remounted: mount -o remount (always a change).'),
    fstab: z.string().regex(/^\//).default('/etc/fstab').describe('The fstab file to edit.'),
    boot: z.boolean().default(true).describe('false adds `noauto` to opts, so the line is not mounted at boot.'),
    backup: editFields.backup,
  })
  .superRefine((a, ctx) => {
    if (a.state !== 'present' && a.state !== 'mounted') return;
    for (const key of ['src', 'fstype'] as const) {
      if (a[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is required with state ${a.state}`, input: a });
    }
  });

type Args = z.infer<typeof schema>;

// Ansible's _escape_fstab: the characters fstab cannot hold as they are.
export const escapeFstab = (v: string): string => v.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/\t/g, '\\011').replace(/&/g, '\\046');

function options(a: Args): string {
  const opts = a.opts.split(',');
  if (!a.boot && !opts.includes('noauto')) opts.push('noauto');
  return opts.join(',');
}

interface Entry {
  src: string;
  name: string;
  fstype: string;
  opts: string;
  dump: string;
  passno: string;
}

const lineOf = (e: Entry): string => `${e.src} ${e.name} ${e.fstype} ${e.opts} ${e.dump} ${e.passno}\n`;

// Ansible's set_mount (present) and unset_mount (absent): lines found by their mount point; the text after.
export function editFstab(a: Args, text: string | undefined): string {
  const want: Entry = {
    src: escapeFstab(a.src ?? ''), name: escapeFstab(a.path), fstype: escapeFstab(a.fstype ?? ''), opts: escapeFstab(options(a)), dump: a.dump, passno: a.passno,
  };
  const out: string[] = [];
  let exists = false;
  for (const line of splitLines(text)) {
    const fields = line.trim().split(/\s+/);
    if (!line.trim() || line.trim().startsWith('#') || fields.length < 4) {
      out.push(line);
      continue;
    }
    const [src = '', name = '', fstype = '', opts = '', dump = '0', passno = '0'] = fields;
    const swapOther = name === 'none' && fstype === 'swap' && a.src !== undefined && src !== a.src;
    if (name !== want.name || swapOther) {
      out.push(line);
      continue;
    }
    exists = true;
    if (a.state === 'absent') continue;
    const old: Entry = { src, name, fstype, opts, dump, passno };
    const differs = (['src', 'fstype', 'opts', 'dump', 'passno'] as const).some((k) => old[k] !== want[k]);
    out.push(differs ? lineOf(want) : line);
  }
  if (!exists && a.state !== 'absent') {
    if (out.length > 0 && !out[out.length - 1]!.endsWith('\n')) out.push('\n');
    out.push(lineOf(want));
  }
  return out.join('');
}

// Prints `mounted` or `unmounted` (the mount point in the mount table, as /proc/self/mountinfo escapes it), then `dir`
// when the mount point is a folder.
const STATUS_SCRIPT = [
  'awk -v p="$1" \'$5 == p { found = 1 } END { print found ? "mounted" : "unmounted" }\' /proc/self/mountinfo || exit 3',
  '[ ! -d "$2" ] || echo dir',
].join('\n');

const mountinfoEscape = (p: string): string => p.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/\t/g, '\\011').replace(/\n/g, '\\012');

export function statusArgv(path: string): string[] {
  return ['/bin/sh', '-c', STATUS_SCRIPT, 'sh', mountinfoEscape(path).replace(/\\/g, '\\\\'), path];
}

const fstabArgs = (a: Args): string[] => (a.fstab === '/etc/fstab' ? [] : ['-T', a.fstab]);

interface MountPlan {
  fstab?: EditPlan;
  /** The fstab text before, to put back when the mount fails. */
  fstabBefore?: FileText;
  steps: ('mkdir' | 'mount' | 'remount' | 'umount' | 'rmdir')[];
}

function argvOf(a: Args, step: MountPlan['steps'][number]): string[] {
  switch (step) {
    case 'mkdir': return ['mkdir', '-p', '--', a.path];
    case 'mount': return ['mount', ...fstabArgs(a), a.path];
    case 'remount': return ['mount', '-o', a.state === 'remounted' && a.opts !== 'defaults' ? `remount,${a.opts}` : 'remount', ...fstabArgs(a), a.path];
    case 'umount': return ['umount', a.path];
    case 'rmdir': return ['rmdir', '--', a.path];
  }
}

const WHAT: Record<MountPlan['steps'][number], string> = { mkdir: 'make the mount point', mount: 'mount', remount: 'remount', umount: 'unmount', rmdir: 'remove the mount point' };

async function plan(a: Args, ctx: ModuleContext): Promise<{ plan: MountPlan; diff?: EditPlan; summary: string[] } | ModuleOutcome> {
  const status = await hostExec(ctx, statusArgv(a.path), { noBecome: true });
  if (status.rc !== 0) return failed(`cannot read the mount table of ${ctx.host} (rc ${status.rc}): ${outputTail(status, 3)}`);
  const mounted = status.stdout.startsWith('mounted');
  const isDir = status.stdout.includes('\ndir');
  const p: MountPlan = { steps: [] };
  const summary: string[] = [];
  let fstabChanged = false;
  if (a.state === 'present' || a.state === 'mounted' || a.state === 'absent') {
    const file = await readText(ctx, a.fstab);
    if (!('st' in file)) return file;
    if (file.st.exists && !file.st.isFile) return failed(`${a.fstab} is not a regular file`);
    const edit = planEdit({ path: a.fstab, backup: a.backup }, file, { after: editFstab(a, file.text), msg: `${a.fstab} ${a.state === 'absent' ? 'line removed' : 'line set'}` });
    if (edit.changes) {
      p.fstab = edit.data;
      p.fstabBefore = file;
      fstabChanged = true;
      summary.push(edit.data!.msg);
    }
  }
  if (a.state === 'mounted') {
    if (!isDir && !mounted) p.steps.push('mkdir');
    if (!mounted) p.steps.push('mount');
    else if (fstabChanged) p.steps.push('remount');
  } else if (a.state === 'unmounted' && mounted) p.steps.push('umount');
  else if (a.state === 'absent' && fstabChanged) {
    if (mounted) p.steps.push('umount');
    if (isDir) p.steps.push('rmdir');
  } else if (a.state === 'remounted') p.steps.push('remount');
  summary.push(...p.steps.map((s) => `${WHAT[s]} ${a.path}`));
  return { plan: p, summary };
}

function result(a: Args): Record<string, unknown> {
  return { name: a.path, src: a.src, fstype: a.fstype, opts: options(a), dump: a.dump, passno: a.passno, fstab: a.fstab, boot: a.boot };
}

export const mountModule = defineModule<Args, MountPlan>({
  name: 'mount',
  description: "Controls a mount point: its /etc/fstab line and whether it is mounted, as Ansible's ansible.posix.mount does.",
  schema,
  argAliases: { name: 'path' },
  check: async (args, ctx) => {
    const p = await plan(args, ctx);
    if (!('plan' in p)) return { changes: false, outcome: p };
    if (!p.plan.fstab && p.plan.steps.length === 0) return { changes: false, outcome: { data: result(args) } };
    const diff = p.plan.fstab ? [{ path: args.fstab, before: p.plan.fstabBefore?.text ?? '', after: p.plan.fstab.content ?? '' }] : undefined;
    return { changes: true, summary: p.summary.join(', '), diff, data: p.plan };
  },
  apply: async (args, p, ctx) => {
    if (!p) throw new Error('apply of mount without a plan');
    if (p.fstab) await applyEdit({ path: args.fstab, backup: args.backup }, p.fstab, ctx);
    const done: string[] = p.fstab ? [p.fstab.msg] : [];
    for (const step of p.steps) {
      const r = await hostExec(ctx, argvOf(args, step));
      if (r.rc === 0) {
        done.push(`${WHAT[step]} ${args.path}`.replace(/^(\w+)/, (w) => PAST[w] ?? w));
        continue;
      }
      const undo = (step === 'mount' || step === 'remount') && p.fstab && p.fstabBefore ? await restoreFstab(args, p, ctx) : '';
      return failed(`${WHAT[step]} ${args.path} failed (rc ${r.rc}): ${outputTail(r, 3)}${undo}`, { rc: r.rc, data: result(args) });
    }
    return { changed: true, msg: done.join(', '), data: result(args) };
  },
});

const PAST: Record<string, string> = { make: 'made', mount: 'mounted', remount: 'remounted', unmount: 'unmounted', remove: 'removed' };

// A line that cannot be mounted would break the next boot: fstab goes back to what it held (as ansible.posix does).
async function restoreFstab(a: Args, p: MountPlan, ctx: ModuleContext): Promise<string> {
  const before = p.fstabBefore!;
  const plan: EditPlan = {
    target: p.fstab!.target, content: before.text ?? '', existed: true, was: sha256(Buffer.from(p.fstab!.content ?? '', 'utf8')), noFolder: false, attrs: {}, msg: '', data: {},
  };
  try {
    await applyEdit({ path: a.fstab, backup: false }, plan, ctx);
    return `; ${a.fstab} was put back as it was`;
  } catch (err) {
    return `; ${a.fstab} could not be put back (${(err as Error).message}): remove the line for ${a.path} by hand`;
  }
}
