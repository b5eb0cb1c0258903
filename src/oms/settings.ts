// Validates and normalises the OMS variables of a group's hosts into one settings object, listing every problem.
import { isSecretName } from '../core/secrets.js';
import { multiNodeCmUrlProblem, normaliseCmUrl } from './cm-url.js';
import { didYouMean } from '../core/did-you-mean.js';
import { describeValue } from '../core/key-path.js';
import { issuesToProblems, parseIp, type Problem } from './fields.js';
import { NODE_KEYS, PLAYBOOK_KEYS, SHARED_KEYS, sharedSchema, type SharedSettings } from './schema.js';

/** One host of the OMS group: its name, the values of the keys read, and every variable name it has. */
export interface NodeInput {
  name: string;
  vars: Record<string, unknown>;
  /** All variable names of the host, to catch misspelt settings. @defaultValue Object.keys(vars) */
  keys?: string[];
}

/** The keys of config.yaml, in the documented order; optional ones null when not set. */
export interface OmsConfig {
  oms_meta_host: string;
  oms_meta_port: number;
  oms_meta_user: string;
  oms_meta_password: string;
  drc_rm_db: string;
  drc_cm_db: string;
  drc_cm_heartbeat_db: string;
  drc_user?: string | null;
  drc_password?: string | null;
  cm_url: string;
  cm_location: number;
  cm_region?: string | null;
  cm_region_cn?: string | null;
  cm_is_default: boolean;
  cm_nodes: string[];
  tsdb_enabled: boolean;
  tsdb_service?: string | null;
  tsdb_url?: string | null;
  tsdb_username?: string | null;
  tsdb_password?: string | null;
}

/** Everything the OMS playbooks need, normalised; returned as the `oms` fact. */
export interface OmsSettings {
  group: string;
  nodes: { name: string; ip: string }[];
  /** Nodes of the group that leave the cluster (scale-in): not in `nodes`, `node_ips` nor `cm_nodes`. */
  leaving: { name: string; ip: string }[];
  /** Host name → OMS_HOST_IP. */
  node_ips: Record<string, string>;
  config: OmsConfig;
  /** oms_config_extra: more config.yaml lines, after the documented keys; null when none. */
  config_extra: Record<string, string | number | boolean> | null;
  databases: string[];
  image: string;
  image_archive?: string | null;
  mount_root: string;
  config_path: string;
  container_name: string;
  https: boolean;
  https_crt?: string | null;
  https_key?: string | null;
  vip?: string | null;
  cm_host: string;
  /** The VIP, else cm_url's host: where the console and CM answer for the whole cluster. */
  front_host: string;
  console_url: string;
  warn_memory_gb: number;
  warn_disk_gb: number;
  strict_prechecks: boolean;
  init_timeout: number;
  /** Host folders to create, mount root first. */
  dirs: string[];
  /** `HOST:CONTAINER` bind mounts, in the documented order. */
  volumes: string[];
  /** Where the certificate and key go on each node (HTTPS only). */
  https_dest: { crt: string; key: string } | null;
  /** Path inside the container that marks a finished docker_init.sh. */
  init_marker: string;
  /** Path inside the container that marks a docker_init.sh omsrun began (finished or not). */
  init_begun_marker: string;
}

/** Marker omsrun writes inside the container after docker_init.sh succeeded; a new container starts without it. */
export const INIT_MARKER = '/root/.omsrun_initialized';

/** Marker omsrun writes before it starts docker_init.sh: the MetaDB databases may then be this container's own. */
export const INIT_BEGUN_MARKER = '/root/.omsrun_init_begun';

// Host folders and mounts exactly as the documents show them.
function layout(root: string, https: boolean): Pick<OmsSettings, 'dirs' | 'volumes' | 'https_dest' | 'config_path'> {
  const config = `${root}/config.yaml`;
  const dest = https ? { crt: `${root}/https/oms_server.crt`, key: `${root}/https/oms_server.key` } : null;
  const volumes = [
    `${config}:/home/admin/conf/config.yaml`,
    `${root}/oms_logs:/home/admin/logs`,
    `${root}/oms_store:/home/ds/store`,
    `${root}/oms_run:/home/ds/run`,
    ...(dest ? [`${dest.crt}:/etc/pki/nginx/oms_server.crt`, `${dest.key}:/etc/pki/nginx/oms_server.key`] : []),
  ];
  const dirs = [root, `${root}/oms_logs`, `${root}/oms_store`, `${root}/oms_run`, ...(dest ? [`${root}/https`] : [])];
  return { dirs, volumes, https_dest: dest, config_path: config };
}

export type SettingsResult = { ok: true; settings: OmsSettings } | { ok: false; problems: Problem[] };

const PREFIXES = /^(oms_|cm_|drc_|tsdb_)/;
const KNOWN = new Set<string>([...SHARED_KEYS, ...NODE_KEYS, ...PLAYBOOK_KEYS]);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function consistency(group: string, nodes: NodeInput[]): Problem[] {
  const [first, ...rest] = nodes;
  if (!first) return [];
  const out: Problem[] = [];
  for (const key of SHARED_KEYS) {
    for (const n of rest) {
      if (same(first.vars[key], n.vars[key])) continue;
      const got = isSecretName(key) ? 'a different value' : describeValue(n.vars[key]);
      out.push({ path: `${group}.${n.name}.${key}`, message: `expected the same value as on ${first.name} (every node shares one config.yaml), got ${got}` });
    }
  }
  return out;
}

function typos(group: string, nodes: NodeInput[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const n of nodes) {
    for (const key of n.keys ?? Object.keys(n.vars)) {
      if (seen.has(key) || KNOWN.has(key) || !PREFIXES.test(key)) continue;
      seen.add(key);
      const hint = didYouMean(key, KNOWN);
      if (hint) out.push({ path: `${group}.${n.name}.${key}`, message: `unknown setting; ${hint}` });
    }
  }
  return out;
}

/** Where a node's input carries its default IPv4 address (ansible_default_ipv4.address), read only when needed. */
export const DEFAULT_IPV4_KEY = 'ansible_default_ipv4.address';

/** Each node's OMS_HOST_IP (else its ansible_host, else its default IPv4 address), with a problem for each one that is no IP or not distinct. */
export function nodeIps(group: string, nodes: NodeInput[], problems: Problem[]): { name: string; ip: string; addrs: string[] }[] {
  const out: { name: string; ip: string; addrs: string[] }[] = [];
  const owner = new Map<string, string>();
  for (const n of nodes) {
    const explicit = n.vars.OMS_HOST_IP ?? n.vars.oms_host_ip;
    const key = n.vars.OMS_HOST_IP !== undefined ? 'OMS_HOST_IP' : explicit !== undefined ? 'oms_host_ip' : 'ansible_host';
    const raw = explicit ?? n.vars.ansible_host ?? n.name;
    const ip = parseIp(raw) ?? (explicit === undefined ? parseIp(n.vars[DEFAULT_IPV4_KEY]) : undefined);
    if (!ip) {
      const hint = key === 'ansible_host' ? " (OMS_HOST_IP defaults to it, else to the node's ansible_default_ipv4.address; set OMS_HOST_IP to the node IP)" : '';
      problems.push({ path: `${group}.${n.name}.${key}`, message: `expected the node's IP address${hint}, got ${describeValue(raw)}` });
      continue;
    }
    const dup = owner.get(ip);
    if (dup) problems.push({ path: `${group}.${n.name}.${key}`, message: `expected a distinct IP for every node, got ${ip}, the IP of ${dup}` });
    owner.set(ip, n.name);
    const addrs = [ip, parseIp(n.vars.ansible_host)].filter((a): a is string => !!a);
    out.push({ name: n.name, ip, addrs });
  }
  return out;
}

function databases(s: SharedSettings, problems: Problem[]): string[] {
  const explicit = { drc_rm_db: s.drc_rm_db, drc_cm_db: s.drc_cm_db, drc_cm_heartbeat_db: s.drc_cm_heartbeat_db };
  const given = Object.entries(explicit).filter(([, v]) => v !== undefined);
  if (s.oms_db_prefix !== undefined && given.length > 0) {
    problems.push({ path: 'oms_db_prefix', message: `expected either oms_db_prefix or the database names, got both (${given.map(([k]) => k).join(', ')})` });
  }
  if (given.length > 0 && given.length < 3) {
    const missing = Object.keys(explicit).filter((k) => explicit[k as keyof typeof explicit] === undefined);
    problems.push({ path: missing[0] as string, message: `missing; expected all three database names when one is given (missing: ${missing.join(', ')})` });
  }
  const p = s.oms_db_prefix;
  const names = p !== undefined
    ? [`${p}_rm`, `${p}_cm`, `${p}_cm_hb`]
    : [s.drc_rm_db ?? 'drc_rm_db', s.drc_cm_db ?? 'drc_cm_db', s.drc_cm_heartbeat_db ?? 'drc_cm_heartbeat_db'];
  if (new Set(names).size !== 3) problems.push({ path: 'drc_rm_db', message: `expected three different database names, got ${names.join(', ')}` });
  return names;
}

function cmNodes(s: SharedSettings, ips: string[], problems: Problem[]): string[] {
  if (!s.cm_nodes) return ips;
  const missing = ips.filter((ip) => !s.cm_nodes?.includes(ip));
  const extra = s.cm_nodes.filter((ip) => !ips.includes(ip));
  if (missing.length || extra.length || s.cm_nodes.length !== ips.length) {
    const why = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `not a node: ${extra.join(', ')}` : '']
      .filter(Boolean).join('; ') || 'duplicates';
    problems.push({ path: 'cm_nodes', message: `expected the IPs of every node (${ips.join(', ')}), got ${s.cm_nodes.join(', ')}; ${why}` });
  }
  return s.cm_nodes;
}

function tsdb(s: SharedSettings, problems: Problem[]): Partial<OmsConfig> {
  if (!s.tsdb_enabled) return { tsdb_enabled: false };
  for (const k of ['tsdb_url', 'tsdb_username', 'tsdb_password'] as const) {
    if (s[k] === undefined) problems.push({ path: k, message: 'missing; expected a value when tsdb_enabled is true' });
  }
  return { tsdb_enabled: true, tsdb_service: s.tsdb_service, tsdb_url: s.tsdb_url, tsdb_username: s.tsdb_username, tsdb_password: s.tsdb_password };
}

// Absent optional values become null: templates test them with {{#if}}, which refuses undefined.
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === undefined ? null : v])) as T;
}

// Each key on its own, so one bad value does not hide the checks that depend on the others.
function parseShared(vars: Record<string, unknown>, problems: Problem[]): SharedSettings {
  const out: Record<string, unknown> = {};
  for (const key of SHARED_KEYS) {
    const r = sharedSchema.shape[key].safeParse(vars[key]);
    if (r.success) out[key] = r.data;
    else problems.push(...issuesToProblems(r.error.issues, key));
  }
  return out as SharedSettings;
}

// Checks every node's OMS variables; the settings come back only when there is no problem at all.
export function validateOmsSettings(group: string, nodes: NodeInput[]): SettingsResult {
  const problems: Problem[] = [];
  if (nodes.length === 0) return { ok: false, problems: [{ path: group, message: 'expected at least one host in the group, got none' }] };
  problems.push(...typos(group, nodes), ...consistency(group, nodes));
  const first = nodes[0] as NodeInput;
  const s = parseShared(first.vars, problems);
  const ips = nodeIps(group, nodes, problems);
  const dbs = databases(s, problems);
  const nodeList = ips.map(({ name, ip }) => ({ name, ip }));
  const cm = normaliseCmUrl(s) ?? (s.oms_vip ? normaliseCmUrl({ cm_url: s.oms_vip }) : undefined);
  if (!cm) problems.push({ path: 'cm_url', message: 'missing; expected http://VIP:8088 (or set oms_vip)' });
  else if ('path' in cm) problems.push(cm);
  else {
    const p = multiNodeCmUrlProblem(cm, ips.map((n) => ({ name: n.name, ips: n.addrs })), s.cm_url !== undefined ? 'cm_url' : s.cm_url_host !== undefined ? 'cm_url_host' : 'oms_vip', nodes.length);
    if (p) problems.push(p);
  }
  if ((s.oms_https_crt === undefined) !== (s.oms_https_key === undefined)) {
    const missing = s.oms_https_crt === undefined ? 'oms_https_crt' : 'oms_https_key';
    problems.push({ path: missing, message: 'missing; expected both oms_https_crt and oms_https_key, or neither' });
  }
  if (s.drc_password !== undefined && s.drc_user === undefined) {
    problems.push({ path: 'drc_user', message: 'missing; expected drc_user with drc_password' });
  }
  const cmList = cmNodes(s, ips.map((n) => n.ip), problems);
  for (const key of Object.keys(s.oms_config_extra ?? {}).filter((k) => (SHARED_KEYS as string[]).includes(k))) {
    problems.push({ path: `oms_config_extra.${key}`, message: `expected a key omsrun does not write itself; set the variable ${key} instead` });
  }
  const ts = tsdb(s, problems);
  if (problems.length > 0 || !cm || 'path' in cm) return { ok: false, problems };
  const https = s.oms_https_crt !== undefined;
  const config: OmsConfig = defined({
    oms_meta_host: s.oms_meta_host as string,
    oms_meta_port: s.oms_meta_port as number,
    oms_meta_user: s.oms_meta_user as string,
    oms_meta_password: s.oms_meta_password as string,
    drc_rm_db: dbs[0] as string,
    drc_cm_db: dbs[1] as string,
    drc_cm_heartbeat_db: dbs[2] as string,
    drc_user: s.drc_user,
    drc_password: s.drc_password,
    cm_url: cm.url,
    cm_location: s.cm_location as number,
    cm_region: s.cm_region,
    cm_region_cn: s.cm_region_cn,
    cm_is_default: s.cm_is_default as boolean,
    cm_nodes: cmList,
    ...ts,
  } as OmsConfig);
  const mountRoot = s.oms_mount_root as string;
  const consoleHost = s.oms_vip ?? cm.host;
  return {
    ok: true,
    settings: defined({
      group,
      nodes: nodeList,
      leaving: [],
      node_ips: Object.fromEntries(nodeList.map((n) => [n.name, n.ip])),
      config,
      config_extra: Object.keys(s.oms_config_extra ?? {}).length ? (s.oms_config_extra ?? null) : null,
      databases: dbs,
      image: s.oms_image as string,
      image_archive: s.oms_image_archive,
      mount_root: mountRoot,
      ...layout(mountRoot, https),
      container_name: s.oms_container_name as string,
      https,
      https_crt: s.oms_https_crt,
      https_key: s.oms_https_key,
      vip: s.oms_vip,
      cm_host: cm.host,
      front_host: consoleHost,
      console_url: `${https ? 'https' : 'http'}://${consoleHost.includes(':') ? `[${consoleHost}]` : consoleHost}:8089`,
      warn_memory_gb: s.oms_warn_memory_gb as number,
      warn_disk_gb: s.oms_warn_disk_gb as number,
      strict_prechecks: s.oms_strict_prechecks as boolean,
      init_timeout: s.oms_init_timeout as number,
      init_marker: INIT_MARKER,
      init_begun_marker: INIT_BEGUN_MARKER,
    }),
  };
}
