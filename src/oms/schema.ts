// The shared OMS variables (one config.yaml for every node) as a zod schema with `expected X, got Y` issues.
import { z } from 'zod';
import { parseBool } from '../core/bool.js';
import {
  field, parseAbsPath, parseConfigExtra, parseDbName, parseEnum, parseHost, parseIntIn, parseIpList, parseText, parseWord,
} from './fields.js';

/** Time-series databases OMS can report to. */
export const TSDB_SERVICES = ['INFLUXDB', 'CERESDB'] as const;

const text = (expected: string, o: { required?: boolean; secret?: boolean } = {}) => field(expected, parseText, o);
const word = (expected: string, required = false) => field(expected, parseWord, { required });
const port = (required: boolean, dflt?: number) =>
  field('a port number from 1 to 65535', parseIntIn(1, 65535), { required, default: dflt });
const dbName = field('a database name (letters, digits, _ and $; at most 64)', parseDbName);
const gb = (dflt: number) => field('a number of GB', (v) => (typeof v === 'number' && v >= 0 ? v : parseIntIn(0, 1e9)(v)), { default: dflt });

// Every shared key with its rule; the module reads exactly these from each node.
export const sharedSchema = z.object({
  oms_meta_host: field('the MetaDB host name or IP address', parseHost, { required: true }),
  oms_meta_port: port(true),
  oms_meta_user: word('the MetaDB user name', true),
  oms_meta_password: text('the MetaDB password as a string', { required: true, secret: true }),
  drc_rm_db: dbName,
  drc_cm_db: dbName,
  drc_cm_heartbeat_db: dbName,
  oms_db_prefix: field('a database name prefix (letters, digits and _; at most 58)', (v) => {
    const s = parseWord(v);
    return s && /^[A-Za-z0-9_]{1,58}$/.test(s) ? s : undefined;
  }),
  drc_user: word('the user name in the sys tenant that reads OceanBase incremental logs'),
  drc_password: text('the drc_user password as a string', { secret: true }),
  cm_url: z.unknown(),
  cm_url_host: z.unknown(),
  cm_url_port: z.unknown(),
  oms_vip: field('the VIP (or domain) in front of every node', parseHost),
  cm_location: field('an integer from 0 to 127 (one per region)', parseIntIn(0, 127), { required: true }),
  cm_region: word('a region name such as cn-jiangsu'),
  cm_region_cn: text('the region name shown in the console'),
  cm_is_default: field('true or false', parseBool, { default: true }),
  cm_nodes: field('a list of node IP addresses', parseIpList),
  tsdb_enabled: field('true or false', parseBool, { default: false }),
  tsdb_service: field(`one of ${TSDB_SERVICES.join(', ')}`, parseEnum(TSDB_SERVICES), { default: 'CERESDB' as const }),
  tsdb_url: word('the time-series database address such as 10.0.0.5:8086'),
  tsdb_username: word('the time-series database user'),
  tsdb_password: text('the time-series database password as a string', { secret: true }),
  oms_image: word('the image to run, REPOSITORY:TAG or an image ID', true),
  oms_image_archive: text('the path on the controller of the OMS package (.tar or .tar.gz)'),
  oms_mount_root: field('an absolute path on the nodes', parseAbsPath, { default: '/data/oms' }),
  oms_https_crt: field('the path on the controller of the HTTPS certificate', parseAbsPathOrRelative),
  oms_https_key: field('the path on the controller of the HTTPS private key', parseAbsPathOrRelative),
  oms_container_name: field('a container name (letters, digits, _ . -)', (v) => {
    const s = parseWord(v);
    return s && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s) ? s : undefined;
  }, { default: 'oms' }),
  oms_warn_memory_gb: gb(16),
  oms_warn_disk_gb: gb(50),
  oms_strict_prechecks: field('true or false', parseBool, { default: false }),
  oms_init_timeout: field('a number of seconds', parseIntIn(1, 86400), { default: 900 }),
  oms_config_file: field('the path on the controller of an existing config.yaml (the source of its keys)', parseAbsPathOrRelative),
  oms_config_extra: field('a mapping of config.yaml keys (letters, digits and _) to strings, numbers or booleans', parseConfigExtra),
});

function parseAbsPathOrRelative(v: unknown): string | undefined {
  const s = parseText(v);
  return s && !s.includes('\0') ? s : undefined;
}

// The parsed shared keys.
export type SharedSettings = z.infer<typeof sharedSchema>;

/** Keys every node must agree on (all of the schema). */
export const SHARED_KEYS = Object.keys(sharedSchema.shape) as (keyof SharedSettings)[];

/** Per-node keys: the address OMS registers for the node. */
export const NODE_KEYS = ['OMS_HOST_IP', 'oms_host_ip', 'ansible_host'] as const;

/** Variables the OMS playbooks themselves read; not settings, but not typos either. */
export const PLAYBOOK_KEYS = [
  'oms', 'oms_confirm_existing_db', 'oms_remove_data', 'oms_confirm_destroy', 'oms_group', 'oms_config_changed',
  'oms_upgrade_image', 'oms_upgrade_image_archive', 'oms_upgrade_version', 'oms_current_version', 'oms_upgrade_record',
  'oms_upgrade_paths', 'oms_upgrade_minimum', 'oms_restore_metadb', 'oms_backup_dir', 'oms_backup_keep', 'oms_backup_note',
  'oms_run_image',
] as const;
