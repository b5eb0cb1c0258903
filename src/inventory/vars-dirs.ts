// group_vars/ and host_vars/ next to the inventory, as Ansible lays them out.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ConfigErrors } from '../core/errors.js';
import { loadVarsFile } from '../vault/index.js';
import type { Inventory, Vars } from './model.js';

const YAML_EXT = ['.yml', '.yaml', '.json', ''];

// Reads `group_vars/<group>` into the group's dirVars and merges `host_vars/<host>` over the host's own vars (file or folder of files).
export async function applyVarsDirs(inv: Inventory, base: string, errors: ConfigError[]): Promise<void> {
  for (const g of inv.groups.values()) {
    const found = await varsFor(path.join(base, 'group_vars'), g.name, errors);
    if (Object.keys(found).length) g.dirVars = Object.assign(g.dirVars ?? {}, found);
  }
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
      const entries = (await readdir(p)).filter((f) => ['.yml', '.yaml', '.json'].includes(path.extname(f))).sort();
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
