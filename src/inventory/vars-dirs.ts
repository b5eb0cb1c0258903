// group_vars/ and host_vars/ next to the inventory, as Ansible lays them out.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ConfigErrors } from '../core/errors.js';
import { loadVarsFile } from '../core/yaml-source.js';
import type { Inventory, Vars } from './model.js';

const YAML_EXT = ['.yml', '.yaml', ''];

// Merges `group_vars/<group>` and `host_vars/<host>` (file or folder of files) over inline vars.
export async function applyVarsDirs(inv: Inventory, base: string, errors: ConfigError[]): Promise<void> {
  for (const g of inv.groups.values()) Object.assign(g.vars, await varsFor(path.join(base, 'group_vars'), g.name, errors));
  for (const h of inv.hosts.values()) Object.assign(h.vars, await varsFor(path.join(base, 'host_vars'), h.name, errors));
}

async function varsFor(dir: string, name: string, errors: ConfigError[]): Promise<Vars> {
  const out: Vars = {};
  const files: string[] = [];
  for (const ext of YAML_EXT) {
    const p = path.join(dir, name + ext);
    const info = await stat(p).catch(() => undefined);
    if (info?.isFile()) files.push(p);
    else if (info?.isDirectory() && ext === '') {
      const entries = (await readdir(p)).filter((f) => ['.yml', '.yaml'].includes(path.extname(f))).sort();
      files.push(...entries.map((f) => path.join(p, f)));
    }
  }
  for (const f of files) {
    try {
      Object.assign(out, await loadVarsFile(f));
    } catch (err) {
      if (err instanceof ConfigErrors) errors.push(...err.errors);
      else if (err instanceof ConfigError) errors.push(err);
      else throw err;
    }
  }
  return out;
}
