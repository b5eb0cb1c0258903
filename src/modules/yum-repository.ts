// One YUM/DNF repository section of /etc/yum.repos.d/<file>.repo present (exactly the options given) or absent.
import { z } from 'zod';
import { applyPath } from '../connection/fs-ops.js';
import { MASK } from '../core/secrets.js';
import { attrFields, failed } from './support/common.js';
import { applyEdit, planEdit, readText, splitLines, type EditPlan, type FileText } from './support/edit-file.js';
import { iniEdit, type IniEditArgs } from './ini-file.js';
import { defineModule, type ModuleOutcome } from './support/module.js';

const urls = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const words = z.union([z.string(), z.array(z.string())]);

// Repository options written as given (booleans as 1/0, as Ansible writes them).
const options = {
  baseurl: urls.optional().describe('URL(s) of the repository; several go on continuation lines.'),
  mirrorlist: z.string().min(1).optional().describe('URL of a mirror list.'),
  metalink: z.string().min(1).optional().describe('URL of a metalink file.'),
  gpgcheck: z.boolean().optional().describe('Check the GPG signature of packages.'),
  gpgkey: urls.optional().describe('URL(s) of the GPG key(s).'),
  repo_gpgcheck: z.boolean().optional().describe('Check the GPG signature of the repository metadata.'),
  enabled: z.boolean().optional().describe('The repository is used.'),
  priority: z.number().int().min(1).max(99).optional().describe('Priority (1-99, lower wins).'),
  cost: z.number().int().optional().describe('Relative cost of the repository.'),
  exclude: words.optional().describe('Packages never taken from this repository (globs); a list is joined with spaces.'),
  includepkgs: words.optional().describe('Only these packages are taken from this repository; a list is joined with spaces.'),
  skip_if_unavailable: z.boolean().optional().describe('A repository that cannot be reached is skipped.'),
  sslverify: z.boolean().optional().describe('Verify the server\'s TLS certificate.'),
  sslcacert: z.string().optional().describe('CA certificate file for TLS.'),
  module_hotfixes: z.boolean().optional().describe('Packages of this repository are not filtered by modularity.'),
  metadata_expire: z.string().optional().describe('How long metadata stays valid (`6h`, `never`, seconds).'),
  timeout: z.number().int().nonnegative().optional().describe('Seconds before a connection attempt gives up.'),
  proxy: z.string().optional().describe('Proxy URL, or `_none_`.'),
  proxy_username: z.string().optional().describe('Proxy user name.'),
  proxy_password: z.string().optional().describe('Proxy password (masked in diffs and messages).'),
  username: z.string().optional().describe('User name for basic authentication.'),
  password: z.string().optional().describe('Password for basic authentication (masked in diffs and messages).'),
  countme: z.boolean().optional().describe('Take part in DNF\'s anonymous counting.'),
  keepalive: z.boolean().optional().describe('HTTP keep-alive.'),
};

const SECRET_OPTIONS = ['password', 'proxy_password'];

const schema = z
  .strictObject({
    name: z.string().min(1).regex(/^[^\][\n]+$/, { error: 'expected a repository id without brackets or newlines' }).describe('Repository id: the section name.'),
    description: z.string().optional().describe('Human-readable name (the `name =` option); required with state present.'),
    file: z.string().min(1).regex(/^[^/]+$/, { error: 'expected a file name without a folder or `.repo`' }).optional().describe('File name without `.repo`. @defaultValue name'),
    reposdir: z.string().min(1).default('/etc/yum.repos.d').describe('Folder of the repository files.'),
    state: z.enum(['present', 'absent']).default('present').describe('present: the section holds exactly the options given; absent: the section is removed (and its file when no section is left).'),
    ...options,
    ...attrFields,
  })
  .superRefine((a, ctx) => {
    if (a.state !== 'present') return;
    if (a.description === undefined) ctx.addIssue({ code: 'custom', path: ['description'], message: 'description is required with state present', input: a });
    if (a.baseurl === undefined && a.mirrorlist === undefined && a.metalink === undefined) {
      ctx.addIssue({ code: 'custom', path: ['baseurl'], message: 'baseurl, mirrorlist or metalink is required with state present', input: a });
    }
  });

type Args = z.infer<typeof schema>;

// The section's options as Ansible writes them: sorted, `name` from description, lists of URLs on continuation lines.
export function wantedOptions(a: Args): [string, string][] {
  const out: [string, string][] = [['name', a.description ?? '']];
  for (const key of Object.keys(options) as (keyof typeof options)[]) {
    const v = a[key];
    if (v === undefined) continue;
    const text = Array.isArray(v) ? v.join(key === 'baseurl' || key === 'gpgkey' ? '\n\t' : ' ') : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    out.push([key, text]);
  }
  return out.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

// Sections of a .repo file → their options (continuation lines joined with `\n\t`), as configparser reads them.
export function parseRepoFile(text: string | undefined): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  let section: [string, string][] | undefined;
  for (const raw of splitLines(text)) {
    const line = raw.replace(/\r?\n$/, '');
    const head = /^\[([^\]]+)\]/.exec(line);
    if (head) {
      section = [];
      out.set(head[1]!, section);
      continue;
    }
    if (!section || /^\s*([#;].*)?$/.test(line)) continue;
    const last = section[section.length - 1];
    if (/^\s/.test(line) && last) {
      last[1] += `\n\t${line.trim()}`;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv) section.push([kv[1]!.trim().toLowerCase(), kv[2]!.trim()]);
  }
  return out;
}

const same = (x: [string, string][] | undefined, y: [string, string][]): boolean =>
  x !== undefined && JSON.stringify([...x].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) === JSON.stringify(y);

function iniArgs(path: string, section: string, state: 'present' | 'absent', option?: string, value?: string): IniEditArgs {
  return { path, section, option, value, state, exclusive: true, no_extra_spaces: false, ignore_spaces: false, allow_no_value: false, create: true, backup: false };
}

// The new text: the section removed, then (present) added again option by option with ini_file's rules (without the
// blank first line ini_file gives an empty file).
function newText(a: Args, path: string, file: FileText): string | ModuleOutcome {
  let current: FileText = file;
  const steps: IniEditArgs[] = [iniArgs(path, a.name, 'absent')];
  if (a.state === 'present') for (const [k, v] of wantedOptions(a)) steps.push(iniArgs(path, a.name, 'present', k, v));
  for (const step of steps) {
    const e = iniEdit(step, current);
    if ('changed' in e) return e;
    if (e.after !== undefined) current = { ...current, text: e.after };
  }
  return (current.text ?? '').replace(/^\n+/, '');
}

const maskSecrets = (text: string): string =>
  text.replace(new RegExp(`^((?:${SECRET_OPTIONS.join('|')})\\s*=\\s*).+$`, 'gm'), `$1${MASK}`);

interface RepoPlan {
  path: string;
  remove: boolean;
  edit?: EditPlan;
}

export const yumRepositoryModule = defineModule<Args, RepoPlan>({
  name: 'yum_repository',
  description: "Adds, replaces or removes a repository section in /etc/yum.repos.d/<file>.repo, as Ansible's yum_repository does.",
  schema,
  check: async (args, ctx) => {
    const path = `${args.reposdir.replace(/\/+$/, '')}/${args.file ?? args.name}.repo`;
    const data = { repo: args.name, state: args.state };
    const file = await readText(ctx, path);
    if (!('st' in file)) return { changes: false, outcome: file };
    if (file.st.exists && !file.st.isFile) return { changes: false, outcome: failed(`${path} is not a regular file`) };
    const sections = parseRepoFile(file.text);
    const wanted = wantedOptions(args);
    const attrs = { mode: args.mode, owner: args.owner, group: args.group };
    if (args.state === 'absent' && !sections.has(args.name)) return { changes: false, outcome: { data } };
    if (args.state === 'present' && same(sections.get(args.name), wanted)) {
      const p = planEdit({ path, backup: false, ...attrs }, file, { msg: '', data });
      return p.changes ? { ...p, data: { path, remove: false, edit: p.data } } : p;
    }
    const text = newText(args, path, file);
    if (typeof text !== 'string') return { changes: false, outcome: text };
    const msg = args.state === 'present' ? `repository ${args.name} ${sections.has(args.name) ? 'changed' : 'added'}` : `repository ${args.name} removed`;
    const before = maskSecrets(file.text ?? '');
    if (parseRepoFile(text).size === 0) {
      return { changes: true, summary: `${path}: ${msg}, file removed`, diff: [{ path, before, after: '' }], data: { path, remove: true } };
    }
    const p = planEdit({ path, backup: false, ...attrs }, file, { after: text, msg, data });
    if (!p.changes) return p;
    return { ...p, diff: p.diff?.map((d) => ({ ...d, before: maskSecrets(d.before), after: maskSecrets(d.after) })), data: { path, remove: false, edit: p.data } };
  },
  apply: async (args, plan, ctx): Promise<ModuleOutcome> => {
    if (!plan) throw new Error('apply of yum_repository without a plan');
    const data = { repo: args.name, state: args.state };
    if (plan.remove) {
      await applyPath(ctx.conn, plan.path, 'rm', {}, ctx.become);
      return { changed: true, msg: `repository ${args.name} removed, and ${plan.path} with it`, data };
    }
    return applyEdit({ path: plan.path, backup: false }, plan.edit!, ctx);
  },
});
