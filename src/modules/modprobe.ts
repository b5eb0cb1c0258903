// A kernel module loaded or unloaded, and loaded at boot or not, as community.general.modprobe does.
import { z } from 'zod';
import type { FileDiff } from '../core/result.js';
import { failed } from './support/common.js';
import { applyEdit, planEdit, readText, splitLines, type EditPlan, type FileText } from './support/edit-file.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';
import { splitArgs } from './support/split-args.js';

const LOAD_DIR = '/etc/modules-load.d';
const OPTIONS_DIR = '/etc/modprobe.d';

const schema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a kernel module name such as br_netfilter' }).describe('Kernel module name.'),
  state: z.enum(['present', 'absent']).default('present').describe('present: loaded (modprobe); absent: unloaded (modprobe -r).'),
  params: z.string().default('').describe('Module parameters, `key=value` separated by spaces, used when loading and in the persistent options line.'),
  persistent: z.enum(['disabled', 'present', 'absent']).default('disabled')
    .describe(`present: loaded at boot (${LOAD_DIR}/NAME.conf) with its params (${OPTIONS_DIR}/NAME.conf, other options lines for it commented out); absent: lines loading it or setting its options are commented out; disabled: boot files untouched.`),
});

type Args = z.infer<typeof schema>;

// Prints loaded, builtin or unloaded, then the modules-load.d and modprobe.d files that name the module.
const STATUS_SCRIPT = [
  'name=$1; alt=$2; builtin=/lib/modules/$(uname -r)/modules.builtin',
  'if [ -r /proc/modules ] && grep -q "^$alt " /proc/modules; then echo loaded',
  'elif [ -r "$builtin" ] && grep -Eq "/($name|$alt)\\.ko(\\.[a-z]+)?\\$" "$builtin"; then echo builtin',
  'else echo unloaded; fi',
  `echo '@@ load'; grep -lE "^ *$name *([#;].*)?\\$" ${LOAD_DIR}/*.conf 2>/dev/null`,
  `echo '@@ options'; grep -lE "^options +$name( |\\$)" ${OPTIONS_DIR}/*.conf 2>/dev/null`,
  'exit 0',
].join('\n');

export function statusArgv(name: string): string[] {
  return ['/bin/sh', '-c', STATUS_SCRIPT, 'sh', name, name.replace(/-/g, '_')];
}

interface Status {
  loaded: boolean;
  loadFiles: string[];
  optionFiles: string[];
}

function parseStatus(stdout: string): Status {
  const [head = '', ...rest] = stdout.split('\n');
  const s: Status = { loaded: head === 'loaded' || head === 'builtin', loadFiles: [], optionFiles: [] };
  let list: string[] | undefined;
  for (const line of rest) {
    if (line === '@@ load') list = s.loadFiles;
    else if (line === '@@ options') list = s.optionFiles;
    else if (line && list) list.push(line);
  }
  return s;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface ModprobePlan {
  writes: { path: string; plan: EditPlan; before: string }[];
  command?: string[];
}

// The boot files' new texts: Ansible's create_module_file / create_module_options_file, and commenting out.
async function planFiles(a: Args, ctx: ModuleContext, st: Status): Promise<ModprobePlan['writes'] | ModuleOutcome> {
  if (a.persistent === 'disabled') return [];
  const moduleLine = new RegExp(`^ *${escapeRe(a.name)} *([#;].*)?\\n?$`);
  const optionsLine = new RegExp(`^options +${escapeRe(a.name)}( +(.*))?\\n?$`);
  const want = new Set(splitArgs(a.params));
  const texts = new Map<string, string>();
  const files = new Map<string, FileText>();
  const read = async (path: string): Promise<FileText | ModuleOutcome> => {
    const f = files.get(path) ?? (await readText(ctx, path));
    if ('st' in f) files.set(path, f);
    return f;
  };
  const comment = async (paths: string[], re: RegExp) => {
    for (const path of paths) {
      const f = await read(path);
      if (!('st' in f)) return f;
      texts.set(path, splitLines(texts.get(path) ?? f.text).map((l) => (re.test(l) ? `#${l}` : l)).join(''));
    }
    return undefined;
  };
  const optionsSet = async (): Promise<boolean | ModuleOutcome> => {
    for (const path of st.optionFiles) {
      const f = await read(path);
      if (!('st' in f)) return f;
      for (const line of splitLines(f.text)) {
        const m = optionsLine.exec(line);
        const have = new Set(splitArgs(m?.[2] ?? ''));
        if (m && have.size === want.size && [...want].every((p) => have.has(p))) return true;
      }
    }
    return false;
  };
  if (a.persistent === 'present') {
    if (st.loadFiles.length === 0) texts.set(`${LOAD_DIR}/${a.name}.conf`, `${a.name}\n`);
    if (want.size > 0) {
      const set = await optionsSet();
      if (typeof set !== 'boolean') return set;
      if (!set) {
        const bad = await comment(st.optionFiles, optionsLine);
        if (bad) return bad;
        texts.set(`${OPTIONS_DIR}/${a.name}.conf`, `options ${a.name} ${a.params.trim()}\n`);
      }
    }
  } else {
    const bad = (await comment(st.loadFiles, moduleLine)) ?? (await comment(st.optionFiles, optionsLine));
    if (bad) return bad;
  }
  const writes: ModprobePlan['writes'] = [];
  for (const [path, after] of texts) {
    const f = await read(path);
    if (!('st' in f)) return f;
    const p = planEdit({ path, backup: false, mode: f.st.exists ? undefined : '0644' }, f, { after, msg: `${path} written` });
    if (p.changes && p.data) writes.push({ path, plan: p.data, before: f.text ?? '' });
  }
  return writes;
}

function hint(stderr: string): string {
  if (/not found in directory|Module .* not found/i.test(stderr)) return '; the module is not installed for the running kernel (uname -r): check the name, or install the package that ships it';
  if (/Operation not permitted|Permission denied/i.test(stderr)) return '; loading kernel modules needs root (become: true) on the machine itself: a container cannot load them';
  if (/in use/i.test(stderr)) return '; stop what uses the module first';
  return '';
}

export const modprobeModule = defineModule<Args, ModprobePlan>({
  name: 'modprobe',
  description: 'Loads or unloads a kernel module (modprobe), and makes it load at boot or not (modules-load.d, modprobe.d), as community.general.modprobe does.',
  schema,
  check: async (args, ctx) => {
    const r = await hostExec(ctx, statusArgv(args.name), { noBecome: true });
    if (r.rc !== 0) return { changes: false, outcome: failed(`cannot read the kernel modules of ${ctx.host} (rc ${r.rc}): ${outputTail(r, 3)}`) };
    const st = parseStatus(r.stdout);
    const writes = await planFiles(args, ctx, st);
    if (!Array.isArray(writes)) return { changes: false, outcome: writes };
    const command = args.state === 'present' && !st.loaded ? ['modprobe', args.name, ...splitArgs(args.params)] : args.state === 'absent' && st.loaded ? ['modprobe', '-r', args.name] : undefined;
    const data = { name: args.name, params: args.params, state: args.state };
    if (!command && writes.length === 0) return { changes: false, outcome: { data } };
    const summary = [command ? command.join(' ') : '', ...writes.map((w) => w.plan.msg)].filter(Boolean).join(', ');
    const diff: FileDiff[] = writes.map((w) => ({ path: w.path, before: w.before, after: w.plan.content ?? '' }));
    return { changes: true, summary, diff, data: { writes, command } };
  },
  apply: async (args, plan, ctx): Promise<ModuleOutcome> => {
    if (!plan) throw new Error('apply of modprobe without a plan');
    const data = { name: args.name, params: args.params, state: args.state };
    const done: string[] = [];
    if (plan.command) {
      const r = await hostExec(ctx, plan.command);
      if (r.rc !== 0) return failed(`${plan.command.join(' ')} failed (rc ${r.rc}): ${outputTail(r, 3)}${hint(r.stderr)}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr, data });
      done.push(plan.command.join(' '));
    }
    for (const w of plan.writes) {
      await applyEdit({ path: w.path, backup: false }, w.plan, ctx);
      done.push(w.plan.msg);
    }
    return { changed: true, msg: done.join(', '), data };
  },
});
