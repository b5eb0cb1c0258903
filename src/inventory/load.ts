// Finds and loads inventories: YAML, INI, scripts, folders and `host1,host2,` lists; several merge in the order given.
import { readdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, ConfigErrors } from '../core/errors.js';
import { didYouMean, displayPath, parseYamlText, toErrors } from '../core/yaml-source.js';
import { needsVaultPassword, vaultErrorFromYaml, vaultSession } from '../vault/index.js';
import { isInventoryScript, staticFormat } from './detect.js';
import { parseIniInventory } from './ini.js';
import { parseAddress } from './host-pattern.js';
import { addHost, emptyInventory } from './inventory-data.js';
import type { Inventory, InventoryHost } from './model.js';
import { parseInventory } from './parse.js';
import { checkGraph, reconcile } from './reconcile.js';
import { loadInventoryScript } from './script.js';
import { applyVarsDirs } from './vars-dirs.js';

const NAMED_EXT = ['.yml', '.yaml', '.ini'];
const FOLDER_FILES = ['hosts.yml', 'hosts.yaml', 'hosts.ini', 'hosts'];
const STATIC_EXT = ['.yml', '.yaml', '.json', '.ini'];

// `-i NAME`, `-i path`, `-i host1,host2,`, several of them, or nothing (inventories/default.*; localhost only when there are no inventories).
export async function resolveInventory(names: string | readonly string[] | undefined, cwd: string): Promise<Inventory> {
  const list = names === undefined ? [] : typeof names === 'string' ? [names] : [...names];
  if (list.length === 0) {
    const found = await findInventory(undefined, cwd);
    return found === undefined ? implicitInventory() : loadInventory(found);
  }
  const sources: string[] = [];
  for (const name of list) sources.push(isHostList(name, cwd) ? name : ((await findInventory(name, cwd)) as string));
  return loadInventory(sources, cwd);
}

// The path `-i` points at; undefined means the implicit localhost-only inventory.
export async function findInventory(name: string | undefined, cwd: string): Promise<string | undefined> {
  const dir = path.join(cwd, 'inventories');
  const available = await listInventories(dir);
  if (name === undefined) {
    if (!(await exists(dir)) || available.length === 0) return undefined;
    const def = await candidate(dir, 'default');
    if (def) return def;
    const list = available.join(', ');
    throw new ConfigError(`no inventory given and inventories/default.yml does not exist; found: ${list}; pass one with -i NAME`);
  }
  const named = /[\\/]/.test(name) ? undefined : await candidate(dir, name);
  if (named) return named;
  const asPath = path.resolve(cwd, name);
  if (await exists(asPath)) return asPath;
  const list = available.length ? available.join(', ') : '(none)';
  throw new ConfigError(`inventory ${JSON.stringify(name)} not found: no inventories/${name}.yml, .yaml or .ini, no inventories/${name} file or folder, no path ${name}; found: ${list}`, {
    hint: didYouMean(name, available) ?? 'pass one with -i NAME, -i path/to/inventory or -i host1,host2,',
  });
}

// Loads inventory files, folders, scripts or host lists into one inventory; collects every error before throwing.
export async function loadInventory(sources: string | readonly string[], cwd = process.cwd()): Promise<Inventory> {
  const list = typeof sources === 'string' ? [sources] : [...sources];
  const resolved = list.map((s) => (isHostList(s, cwd) ? s : path.resolve(cwd, s)));
  const inv = emptyInventory(resolved[0] ?? '');
  inv.sources = resolved;
  const errors: ConfigError[] = [];
  const bases: string[] = [];
  for (const source of resolved) {
    const base = isHostList(source, cwd) ? addHostList(inv, source) : await addSource(inv, source, errors);
    if (base !== undefined) bases.push(base);
  }
  if (errors.length === 0) checkGraph(inv, errors);
  if (errors.length === 0) for (const base of bases) await applyVarsDirs(inv, base, errors);
  if (errors.length > 0) throw toErrors(errors.slice(0, 50));
  reconcile(inv);
  addImplicitLocalhost(inv, false);
  return inv;
}

// No inventories folder and no -i: only localhost, over the local connection.
export function implicitInventory(): Inventory {
  const inv = emptyInventory();
  addImplicitLocalhost(inv, true);
  return inv;
}

function addImplicitLocalhost(inv: Inventory, member: boolean): void {
  if (inv.hosts.has('localhost')) return;
  const h: InventoryHost = { name: 'localhost', vars: { ansible_connection: 'local' }, groups: ['all'], implicit: true };
  inv.hosts.set('localhost', h);
  if (member) inv.groups.get('all')!.hosts.push('localhost');
}

// A file, a folder (its hosts.yml, hosts.yaml, hosts.ini or hosts) or a script; returns the folder whose group_vars/ and host_vars/ apply.
async function addSource(inv: Inventory, abs: string, errors: ConfigError[]): Promise<string | undefined> {
  const info = await stat(abs).catch(() => undefined);
  if (!info) {
    errors.push(new ConfigError(`inventory not found: ${displayPath(abs)}`));
    return undefined;
  }
  const file = info.isDirectory() ? await firstFile(FOLDER_FILES.map((f) => path.join(abs, f))) : abs;
  if (!file) {
    errors.push(new ConfigError(`inventory folder ${displayPath(abs)} has no hosts.yml, hosts.yaml, hosts.ini or hosts file`));
    return undefined;
  }
  const base = info.isDirectory() ? abs : path.dirname(abs);
  const display = displayPath(file);
  try {
    if (await isInventoryScript(file, (await stat(file)).mode)) {
      await loadInventoryScript(file, display, inv, errors);
      return base;
    }
    let text = await readFile(file, 'utf8');
    if (text.startsWith('#!') && !STATIC_EXT.includes(path.extname(file).toLowerCase())) {
      const pos = { file: display, line: 1, col: 1 };
      errors.push(new ConfigError('this inventory starts with #! like a dynamic inventory script, but it is not executable', { pos, hint: `chmod +x ${display}, or remove the #! line` }));
      return base;
    }
    let customTags;
    if (needsVaultPassword(text)) ({ text, customTags } = await vaultSession().prepare(text, display));
    if (staticFormat(file, text) === 'ini') parseIniInventory(text, display, inv, errors);
    else parseInventory(parseYamlText(text, file, customTags, vaultErrorFromYaml), errors, inv);
  } catch (err) {
    if (err instanceof ConfigErrors) errors.push(...err.errors);
    else if (err instanceof ConfigError) errors.push(err);
    else if ((err as NodeJS.ErrnoException).code) errors.push(new ConfigError(`cannot read inventory ${display} (${(err as NodeJS.ErrnoException).code})`, {}, { cause: err }));
    else throw err;
  }
  return base;
}

// `-i host1,host2:2222,`: hosts in `ungrouped`, as Ansible's host list reads them.
function addHostList(inv: Inventory, text: string): undefined {
  for (const part of text.split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const parsed = parseAddress(entry);
    const { host, port } = parsed && !parsed.host.includes('[') ? parsed : { host: entry, port: undefined };
    if (!inv.hosts.has(host)) addHost(inv, host, 'ungrouped', port);
  }
  return undefined;
}

function isHostList(source: string, cwd: string): boolean {
  return source.includes(',') && !existsSync(path.resolve(cwd, source));
}

async function listInventories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries.flatMap((e) => {
    if (e.name.startsWith('.')) return [];
    if (e.isDirectory()) return e.name === 'group_vars' || e.name === 'host_vars' ? [] : [e.name];
    const ext = path.extname(e.name);
    return NAMED_EXT.includes(ext) ? [e.name.slice(0, -ext.length)] : ext === '' ? [e.name] : [];
  });
  return [...new Set(names)].sort();
}

async function candidate(dir: string, name: string): Promise<string | undefined> {
  for (const p of [...NAMED_EXT.map((e) => path.join(dir, name + e)), path.join(dir, name)]) if (await exists(p)) return p;
  return undefined;
}

async function firstFile(paths: string[]): Promise<string | undefined> {
  for (const p of paths) if ((await stat(p).catch(() => undefined))?.isFile()) return p;
  return undefined;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
