// The inventory a guided start writes: the answers as OMS settings, checked by the deploy's own rules first.
import { stringify } from 'yaml';
import { normaliseCmUrl } from './cm-url.js';
import type { Problem } from './fields.js';
import { validateOmsSettings, type NodeInput } from './settings.js';

/** What the guided start asks, as the documents' interactive tool asks it. */
export interface InitAnswers {
  metaHost: string;
  metaPort: number;
  metaUser: string;
  metaPassword: string;
  /** Database names are PREFIX_rm, PREFIX_cm, PREFIX_cm_hb. */
  dbPrefix: string;
  /** cm_url as given: VIP or domain, `host:8088` or `http://host:8088`. */
  cmUrl: string;
  nodes: string[];
  sshUser: string;
  sshKey?: string;
  cmLocation: number;
  cmRegion?: string;
  tsdb?: { service: string; url: string; user: string; password: string };
  https?: { crt: string; key: string };
  mountRoot: string;
  image: string;
  imageArchive?: string;
}

/** The three database names a prefix gives. */
export function databasesOf(prefix: string): string[] {
  return [`${prefix}_rm`, `${prefix}_cm`, `${prefix}_cm_hb`];
}

// Inventory host names: oms1, oms2, ... in the order the IPs were given.
function hostNames(nodes: string[]): string[] {
  return nodes.map((_, i) => `oms${i + 1}`);
}

/** The group variables the answers give (secrets in plain text: the caller encrypts them when writing). */
export function settingsOf(a: InitAnswers): Record<string, unknown> {
  const cm = normaliseCmUrl({ cm_url: a.cmUrl });
  const vars: Record<string, unknown> = {
    ansible_user: a.sshUser,
    ...(a.sshKey ? { ansible_ssh_private_key_file: a.sshKey } : {}),
    oms_meta_host: a.metaHost,
    oms_meta_port: a.metaPort,
    oms_meta_user: a.metaUser,
    oms_meta_password: a.metaPassword,
    oms_db_prefix: a.dbPrefix,
    cm_url: cm && !('path' in cm) ? cm.url : a.cmUrl,
    oms_vip: cm && !('path' in cm) ? cm.host : undefined,
    cm_location: a.cmLocation,
    ...(a.cmRegion ? { cm_region: a.cmRegion } : {}),
    tsdb_enabled: a.tsdb !== undefined,
    ...(a.tsdb ? { tsdb_service: a.tsdb.service, tsdb_url: a.tsdb.url, tsdb_username: a.tsdb.user, tsdb_password: a.tsdb.password } : {}),
    ...(a.https ? { oms_https_crt: a.https.crt, oms_https_key: a.https.key } : {}),
    oms_mount_root: a.mountRoot,
    oms_image: a.image,
    ...(a.imageArchive ? { oms_image_archive: a.imageArchive } : {}),
  };
  return Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined));
}

/** Every problem the deploy would find in these answers (none: the inventory is good to deploy). */
export function answerProblems(a: InitAnswers): Problem[] {
  const vars = settingsOf(a);
  const nodes: NodeInput[] = hostNames(a.nodes).map((name, i) => ({ name, vars: { ...vars, ansible_host: a.nodes[i] } }));
  const r = validateOmsSettings('oms_nodes', nodes);
  return r.ok ? [] : r.problems;
}

/** Keys whose values are written vault-encrypted. */
export const SECRET_KEYS = ['oms_meta_password', 'tsdb_password'] as const;

/**
 * The inventory file's text: Ansible's YAML layout, the group `oms_nodes`, secrets as `!vault |` blocks made by
 * `encrypt` (a value in the vault's text form).
 */
export function renderInventory(a: InitAnswers, encrypt: (plain: string) => string, header: string): string {
  const vars = settingsOf(a);
  const secrets = new Map<string, string>();
  for (const key of SECRET_KEYS) {
    if (typeof vars[key] !== 'string') continue;
    const mark = `__omsrun_secret_${key}__`;
    secrets.set(mark, encrypt(vars[key] as string));
    vars[key] = mark;
  }
  const hosts = Object.fromEntries(hostNames(a.nodes).map((name, i) => [name, { ansible_host: a.nodes[i] }]));
  let text = stringify({ all: { children: { oms_nodes: { hosts, vars } } } }, { lineWidth: 0 });
  for (const [mark, vault] of secrets) {
    text = text.replace(new RegExp(`^( *)([A-Za-z_]+): ${mark}$`, 'm'), (_, indent: string, key: string) => {
      const body = vault.trimEnd().split('\n').map((l) => `${indent}  ${l}`).join('\n');
      return `${indent}${key}: !vault |\n${body}`;
    });
  }
  return `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n${text}`;
}
