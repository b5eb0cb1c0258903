// Checks the OMS variables of every node before any node is touched, and hands the playbooks one normalised fact.
import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, OmsrunError } from '../core/errors.js';
import { applyConfigFile, locateProblems, readConfigFile, type ConfigFileSettings } from '../oms/config-file.js';
import { formatProblems, parseIp, parseText, type Problem } from '../oms/fields.js';
import { NODE_KEYS, SHARED_KEYS } from '../oms/schema.js';
import { DEFAULT_IPV4_KEY, nodeIps, validateOmsSettings, type NodeInput, type OmsSettings } from '../oms/settings.js';
import { isFact } from '../template/vars.js';
import { loadYamlFile } from '../vault/index.js';
import { failed, resolveControllerPath } from './support/common.js';
import { defineModule, type ModuleContext } from './support/module.js';

const schema = z.strictObject({
  group: z.string().min(1).default('oms_nodes').describe('Inventory group of the OMS nodes.'),
  fact: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('oms')
    .describe('Name of the fact that receives the normalised settings.'),
  leaving: z
    .union([z.string(), z.array(z.string().min(1))])
    .default([])
    .describe('Hosts of the group that leave the cluster (scale-in), as a list or a comma-separated string: the settings, cm_nodes included, are those of the nodes that stay.'),
});

type Args = z.infer<typeof schema>;

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

// Reads only the keys OMS cares about, so a broken unrelated variable never blocks the check.
function readNode(name: string, hostvars: Record<string, unknown>, problems: Problem[], group: string): NodeInput {
  const all = record(hostvars[name]);
  const vars: Record<string, unknown> = {};
  for (const key of [...SHARED_KEYS, ...NODE_KEYS]) {
    if (!(key in all)) continue;
    try {
      vars[key] = all[key];
    } catch (err) {
      if (!(err instanceof OmsrunError)) throw err;
      problems.push({ path: `${group}.${name}.${key}`, message: err.message });
    }
  }
  if (vars.OMS_HOST_IP === undefined && vars.oms_host_ip === undefined && !parseIp(vars.ansible_host ?? name)) {
    const address = defaultAddress(all);
    if (address !== undefined) vars[DEFAULT_IPV4_KEY] = address;
  }
  // Facts (registered results, set_fact) are the playbooks' own names, not settings to check for typos.
  return { name, vars, keys: Object.keys(all).filter((k) => !isFact(all, k)) };
}

// The node's default IPv4 address from its facts (gathered now if the run connects to it); none where facts are off.
function defaultAddress(all: Record<string, unknown>): unknown {
  try {
    return record(all.ansible_default_ipv4).address;
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

// Files the deploy reads on the controller are looked for now, before any node is touched, the way the tasks that
// read them will look (relative to the playbook folder).
function controllerFileProblems(s: OmsSettings, group: string, baseDir: string): Problem[] {
  const files: [string, string | null | undefined][] = [['oms_image_archive', s.image_archive], ['oms_https_crt', s.https_crt], ['oms_https_key', s.https_key]];
  return files.flatMap(([key, file]) => {
    if (!file) return [];
    const found = resolveControllerPath(baseDir, file);
    if (!found) return [{ path: `${group}.${key}`, message: `${file} is not on the controller (looked in ${baseDir}); fix the path, or copy the file there` }];
    try {
      accessSync(found, constants.R_OK);
      return statSync(found).isFile() ? [] : [{ path: `${group}.${key}`, message: `${found} is not a file` }];
    } catch (err) {
      return [{ path: `${group}.${key}`, message: `${found} cannot be read on the controller (${(err as NodeJS.ErrnoException).code ?? 'error'})` }];
    }
  });
}

function leavingNames(leaving: string | string[]): string[] {
  const names = typeof leaving === 'string' ? leaving.split(/[\s,]+/) : leaving;
  return [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
}

// Scale-in: every leaving host must be a node of the group, and one node at least must stay.
function leavingProblems(group: string, members: string[], leaving: string[]): Problem[] {
  const unknown = leaving.filter((n) => !members.includes(n));
  if (unknown.length > 0) return [{ path: 'oms_leaving', message: `expected hosts of ${group} (${members.join(', ')}), got ${unknown.join(', ')}` }];
  if (leaving.length > 0 && leaving.length === members.length) {
    return [{ path: 'oms_leaving', message: `expected at least one node of ${group} to stay, got every node (${members.join(', ')}); scale-in never removes the last node (destroy.yml removes OMS from every node)` }];
  }
  return [];
}

// oms_config_file: read where the other controller files are looked for (relative to the playbook folder).
async function configFileOf(nodes: NodeInput[], group: string, baseDir: string): Promise<ConfigFileSettings | Problem[] | undefined> {
  const raw = nodes[0]?.vars.oms_config_file;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const file = parseText(raw);
  if (file === undefined) return undefined; // the schema names the bad type
  const found = resolveControllerPath(baseDir, file);
  if (!found) return [{ path: `${group}.oms_config_file`, message: `${file} is not on the controller (looked in ${baseDir}); fix the path, or copy the file there` }];
  try {
    return readConfigFile(await loadYamlFile(found));
  } catch (err) {
    if (!(err instanceof OmsrunError)) throw err;
    return [{ path: `${group}.oms_config_file`, message: err.message }];
  }
}

async function validate(args: Args, ctx: ModuleContext) {
  const groups = record(ctx.vars.groups);
  const members = groups[args.group];
  if (!Array.isArray(members)) {
    const known = Object.keys(groups).filter((g) => g !== 'all' && g !== 'ungrouped');
    return failed(`OMS settings: 1 problem\n  ${args.group}: expected an inventory group of OMS nodes, got no such group (groups: ${known.join(', ') || 'none'})`);
  }
  const names = members.map(String);
  const leaving = leavingNames(args.leaving);
  const refused = leavingProblems(args.group, names, leaving);
  if (refused.length > 0) return failed(formatProblems(refused));
  const problems: Problem[] = [];
  const read = (h: string) => readNode(h, record(ctx.vars.hostvars), problems, args.group);
  let nodes = names.filter((h) => !leaving.includes(h)).map(read);
  const leavingIps = nodeIps(args.group, leaving.map(read), problems).map(({ name, ip }) => ({ name, ip }));
  const file = await configFileOf(nodes, args.group, ctx.baseDir);
  if (Array.isArray(file)) return failed(formatProblems([...problems, ...file]));
  if (file) nodes = applyConfigFile(args.group, nodes, file);
  const r = validateOmsSettings(args.group, nodes);
  const found = [...problems, ...(file?.problems ?? []), ...(r.ok ? [] : r.problems), ...(r.ok ? controllerFileProblems(r.settings, args.group, ctx.baseDir) : [])];
  const all = file ? locateProblems(found, file) : found;
  if (!r.ok || all.length > 0) return failed(formatProblems(all));
  const s = { ...r.settings, leaving: leavingIps };
  const gone = s.leaving.length > 0 ? `; leaving ${s.leaving.map((n) => `${n.name}=${n.ip}`).join(', ')}` : '';
  const from = file ? `; config.yaml keys from ${file.display}` : '';
  const msg = `${s.nodes.length} node(s) ${s.nodes.map((n) => `${n.name}=${n.ip}`).join(', ')}${gone}; cm_url ${s.config.cm_url}; databases ${s.databases.join(', ')}${from}`;
  return { changed: false, msg, data: { facts: { [args.fact]: s } } };
}

export const omsSettingsModule = defineModule<Args>({
  name: 'oms_settings',
  description: 'Validates the OMS variables of every host in a group and sets the normalised settings as a fact (run on the controller, once).',
  schema,
  readOnly: true,
  check: async (args, ctx) => ({ changes: false, outcome: await validate(args, ctx) }),
});
