// Deploying from an existing config.yaml (the documents' second path): its keys become the nodes' settings, checked
// by the same rules, and every problem in it points at the file's line and column.
import type { SourcePos } from '../core/errors.js';
import { didYouMean } from '../core/did-you-mean.js';
import { describeValue } from '../core/key-path.js';
import type { YamlSource } from '../core/yaml-source.js';
import { isSecretName } from '../core/secrets.js';
import type { Problem } from './fields.js';
import type { NodeInput } from './settings.js';

/** The keys a config.yaml may hold, in the documented order (what the deploy writes back). */
export const CONFIG_FILE_KEYS = [
  'oms_meta_host', 'oms_meta_port', 'oms_meta_user', 'oms_meta_password', 'drc_rm_db', 'drc_cm_db', 'drc_cm_heartbeat_db',
  'drc_user', 'drc_password', 'cm_url', 'cm_location', 'cm_region', 'cm_region_cn', 'cm_is_default', 'cm_nodes',
  'tsdb_enabled', 'tsdb_service', 'tsdb_url', 'tsdb_username', 'tsdb_password',
] as const;

const KEYS = new Set<string>(CONFIG_FILE_KEYS);

/** What a config.yaml gave: the settings by key, and where each one is written. */
export interface ConfigFileSettings {
  display: string;
  values: Record<string, unknown>;
  /** Keys OMS reads that omsrun does not write itself: they join oms_config_extra. */
  extra: Record<string, unknown>;
  positions: Map<string, SourcePos>;
  problems: Problem[];
}

function where(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/**
 * The settings of a parsed config.yaml; keys outside the documented ones are problems (with the nearest key). A file
 * that is no mapping is the one problem: nothing else can be checked.
 */
export function readConfigFile(src: YamlSource): ConfigFileSettings | Problem[] {
  const data = src.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return [{ path: `${where(src.posOf([]))} oms_config_file`, message: `expected the mapping of a config.yaml (oms_meta_host: ..., cm_url: ...), got ${describeValue(data)}` }];
  }
  const out: ConfigFileSettings = { display: src.display, values: {}, extra: {}, positions: new Map(), problems: [] };
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const pos = src.posOf([key]);
    if (!KEYS.has(key)) {
      // A key close to a documented one is a typo; any other is OMS's own, kept as an extra line of config.yaml.
      const hint = didYouMean(key, KEYS);
      if (hint) out.problems.push({ path: `${where(src.posOfKey([key]))} ${key}`, message: `not a config.yaml key; ${hint}` });
      else {
        out.extra[key] = value;
        out.positions.set(`oms_config_extra.${key}`, pos);
      }
      continue;
    }
    // An empty value (`drc_user:`) is the key left unset, as the documents' template leaves optional keys.
    if (value === null || value === '') continue;
    out.values[key] = value;
    out.positions.set(key, pos);
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Puts the file's settings into every node's variables. A node variable that sets a key of the file to another value
 * is a problem: the file is the one source of config.yaml, and two sources that disagree would lose one silently.
 */
export function applyConfigFile(group: string, nodes: NodeInput[], file: ConfigFileSettings): NodeInput[] {
  return nodes.map((n) => {
    const vars = { ...n.vars };
    for (const [key, value] of Object.entries(file.values)) {
      const own = vars[key];
      if (own !== undefined && own !== null && !same(own, value)) {
        const got = isSecretName(key) ? 'a different value' : describeValue(own);
        file.problems.push({
          path: `${group}.${n.name}.${key}`,
          message: `expected no value or the one in ${file.display} (oms_config_file is the source of config.yaml), got ${got}; remove the variable or the key in the file`,
        });
      }
      vars[key] = value;
    }
    if (Object.keys(file.extra).length > 0) {
      const own = vars.oms_config_extra;
      const mine = own !== null && typeof own === 'object' && !Array.isArray(own) ? (own as Record<string, unknown>) : {};
      for (const key of Object.keys(file.extra).filter((k) => k in mine && !same(mine[k], file.extra[k]))) {
        file.problems.push({ path: `${group}.${n.name}.oms_config_extra.${key}`, message: `expected no value or the one in ${file.display}, got ${describeValue(mine[key])}; remove one of them` });
      }
      vars.oms_config_extra = own === undefined || own === null ? { ...file.extra } : typeof own === 'object' && !Array.isArray(own) ? { ...file.extra, ...mine } : own;
    }
    return { ...n, vars };
  });
}

/** A problem about a key the file set names the file's line and column. */
export function locateProblems(problems: Problem[], file: ConfigFileSettings): Problem[] {
  return problems.map((p) => {
    const pos = file.positions.get(p.path) ?? file.positions.get(p.path.split('.')[0] ?? '');
    return pos ? { ...p, path: `${where(pos)} ${p.path}` } : p;
  });
}
