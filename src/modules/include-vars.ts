// Variables from controller files (one file, or a folder of them) set on the host for the rest of the run, as Ansible's include_vars.
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { loadVarsFile } from '../vault/index.js';
import { failed, resolveControllerPath } from './support/common.js';
import { defineModule, type ModuleOutcome } from './support/module.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const schema = z
  .strictObject({
    file: z.string().min(1).optional().describe('A YAML or JSON file of variables (vault-encrypted files open with the run\'s vault password): relative to the role\'s vars/ folder, the role, or the playbook folder.'),
    dir: z.string().min(1).optional().describe('A folder whose files are all read, in name order (found like file).'),
    name: z.string().regex(NAME, 'expected a variable name').optional().describe('Put the variables under this one name instead of at the top level.'),
    depth: z.number().int().min(0).default(0).describe('With dir: how many folder levels down to read; 0 reads them all.'),
    files_matching: z.string().optional().describe('With dir: only file names this regular expression finds something in.'),
    ignore_files: z.array(z.string()).default([]).describe('With dir: file names to skip (regular expressions matched at the end of the name).'),
    extensions: z.array(z.string()).default(['json', 'yaml', 'yml']).describe('With dir: the file extensions read.'),
    ignore_unknown_extensions: z.boolean().default(false).describe('With dir: skip files of other extensions instead of failing.'),
    hash_behaviour: z.enum(['replace', 'merge']).default('replace').describe('replace: a later file\'s value replaces an earlier one; merge: mappings are merged recursively.'),
  })
  .refine((a) => (a.file === undefined) !== (a.dir === undefined), { error: 'expected exactly one of file (or a free-form path) or dir' })
  .superRefine((a, ctx) => {
    for (const [key, value] of [['files_matching', a.files_matching], ...a.ignore_files.map((v, i) => [`ignore_files.${i}`, v])] as const) {
      if (value === undefined) continue;
      try {
        new RegExp(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: key.split('.'), message: `expected a regular expression: ${(err as Error).message}`, input: value });
      }
    }
  });

type Args = z.infer<typeof schema>;
type Vars = Record<string, unknown>;

const isMap = (v: unknown): v is Vars => v !== null && typeof v === 'object' && !Array.isArray(v);

function merge(into: Vars, from: Vars, deep: boolean): Vars {
  for (const [k, v] of Object.entries(from)) {
    const old = into[k];
    into[k] = deep && isMap(old) && isMap(v) ? merge({ ...old }, v, true) : v;
  }
  return into;
}

// The folder's files in Ansible's order: each folder's files sorted by name, then its subfolders, up to depth.
async function folderFiles(root: string, args: Args): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, level: number): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries.filter((x) => !x.isDirectory())) {
      if (args.files_matching !== undefined && !new RegExp(args.files_matching).test(e.name)) continue;
      if (args.ignore_files.some((re) => new RegExp(`${re}$`).test(e.name))) continue;
      const ext = extname(e.name).slice(1);
      if (!args.extensions.includes(ext)) {
        if (args.ignore_unknown_extensions) continue;
        throw new ConfigError(`${join(dir, e.name)} does not have a valid extension: ${args.extensions.join(', ')}`, {
          hint: 'set ignore_unknown_extensions: true, or list it in ignore_files',
        });
      }
      out.push(join(dir, e.name));
    }
    if (args.depth !== 0 && level >= args.depth) return;
    for (const e of entries.filter((x) => x.isDirectory())) await walk(join(dir, e.name), level + 1);
  };
  await walk(root, 1);
  return out;
}

async function include(args: Args, baseDir: string): Promise<ModuleOutcome> {
  const wanted = (args.file ?? args.dir)!;
  const found = resolveControllerPath(baseDir, wanted, ['vars']);
  const looked = `looked in ${join(baseDir, 'vars')} and ${baseDir}`;
  if (!found) return failed(`${args.file !== undefined ? 'file' : 'dir'} ${wanted} not found (${looked})`);
  const isDir = (await stat(found)).isDirectory();
  if (args.file !== undefined && isDir) return failed(`${found} is a folder: use dir: ${wanted}`);
  if (args.dir !== undefined && !isDir) return failed(`${found} is not a folder: use file: ${wanted}`);
  const files = isDir ? await folderFiles(found, args) : [found];
  const vars: Vars = {};
  for (const f of files) merge(vars, await loadVarsFile(f), args.hash_behaviour === 'merge');
  const facts = args.name !== undefined ? { [args.name]: vars } : vars;
  const names = Object.keys(vars);
  const shown = names.length ? names.slice(0, 10).join(', ') + (names.length > 10 ? ', ...' : '') : 'none';
  const from = files.length === 1 ? relative(baseDir, files[0]!) || files[0]! : `${files.length} files`;
  return { changed: false, msg: `${from}: ${shown}`, data: { facts, ansible_facts: facts, ansible_included_var_files: files } };
}

export const includeVarsModule = defineModule<Args>({
  name: 'include_vars',
  description: 'Sets the variables of a YAML or JSON file (or of every file in a folder) on the host for the rest of the run, as Ansible\'s include_vars.',
  schema,
  freeForm: 'file',
  readOnly: true,
  check: async (args, ctx) => ({ changes: false, outcome: await include(args, ctx.baseDir) }),
});
