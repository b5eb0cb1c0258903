// Wanted docker_container settings against `docker inspect`: which fields differ, and their before/after text.
import { bindText, normalPidsLimit, normalUlimit, parseBind, type ContainerArgs } from './docker-args.js';
import type { ContainerInspect } from './docker-cli.js';

/** One field that differs. */
export interface FieldDiff {
  /** Field name as the user wrote it (`env.OMS_HOST_IP`, `volumes`, `image`...). */
  field: string;
  before: string;
  after: string;
}

/** Result of comparing a container with the wanted settings. */
export interface Comparison {
  diffs: FieldDiff[];
  /** Set when an existing bind mount would go away or change: sorted `HOST:CONTAINER[:ro]` lists. */
  mounts?: { before: string[]; after: string[] };
}

const show = (v: unknown): string => (v === undefined ? '(unset)' : JSON.stringify(v));

// The container's bind mounts as sorted `HOST:CONTAINER[:ro]`, from HostConfig.Binds (or Mounts when absent).
export function currentBinds(c: ContainerInspect): string[] {
  const binds = c.HostConfig.Binds;
  if (binds && binds.length > 0) {
    return binds.map((b) => {
      const parts = b.split(':');
      const mode = (parts[2] ?? '').split(',').includes('ro') ? 'ro' : undefined;
      return bindText(parseBind([parts[0], parts[1], mode].filter(Boolean).join(':')));
    }).sort();
  }
  return (c.Mounts ?? [])
    .filter((m) => m.Type === 'bind' && m.Source && m.Destination)
    .map((m) => bindText({ source: m.Source as string, target: m.Destination as string, readOnly: m.RW === false }))
    .sort();
}

function envOf(c: ContainerInspect, key: string): string | undefined {
  const hit = (c.Config.Env ?? []).find((e) => e.startsWith(`${key}=`));
  return hit === undefined ? undefined : hit.slice(key.length + 1);
}

function restartOf(c: ContainerInspect): string {
  const p = c.HostConfig.RestartPolicy;
  const name = p?.Name || 'no';
  return name === 'on-failure' && (p?.MaximumRetryCount ?? 0) > 0 ? `on-failure:${p?.MaximumRetryCount}` : name;
}

// Only the settings the task gives are compared (env: only the keys it names); image always.
export function compareContainer(a: ContainerArgs, wantedImageId: string, c: ContainerInspect): Comparison {
  const diffs: FieldDiff[] = [];
  const check = (field: string, before: unknown, after: unknown): void => {
    if (JSON.stringify(before) !== JSON.stringify(after)) diffs.push({ field, before: show(before), after: show(after) });
  };
  check('image', c.Image, wantedImageId);
  if (a.command !== undefined) check('command', c.Config.Cmd ?? [], a.command);
  if (a.network_mode !== undefined) check('network_mode', c.HostConfig.NetworkMode, a.network_mode);
  let mounts: Comparison['mounts'];
  if (a.volumes !== undefined) {
    const before = currentBinds(c);
    const after = a.volumes.map((v) => bindText(parseBind(v))).sort();
    // Only a mount that goes away or changes puts state at risk; new mounts (e.g. HTTPS certificates) do not.
    if (before.some((b) => !after.includes(b))) mounts = { before, after };
    check('volumes', before, after);
  }
  for (const [k, v] of Object.entries(a.env ?? {})) check(`env.${k}`, envOf(c, k), v);
  if (a.privileged !== undefined) check('privileged', c.HostConfig.Privileged ?? false, a.privileged);
  if (a.pids_limit !== undefined) check('pids_limit', normalPidsLimit(c.HostConfig.PidsLimit), normalPidsLimit(a.pids_limit));
  if (a.ulimits !== undefined) {
    const before = (c.HostConfig.Ulimits ?? []).map((u) => `${u.Name}=${u.Soft}:${u.Hard}`).sort();
    check('ulimits', before, a.ulimits.map(normalUlimit).sort());
  }
  if (a.tty !== undefined) check('tty', c.Config.Tty ?? false, a.tty);
  if (a.interactive !== undefined) check('interactive', c.Config.OpenStdin ?? false, a.interactive);
  if (a.restart_policy !== undefined) {
    const want = a.restart_policy === 'on-failure:0' ? 'on-failure' : a.restart_policy;
    check('restart_policy', restartOf(c), want);
  }
  return { diffs, ...(mounts ? { mounts } : {}) };
}

// `field: value` lines for the --diff view.
export function diffText(diffs: FieldDiff[], side: 'before' | 'after'): string {
  return diffs.map((d) => `${d.field}: ${d[side]}\n`).join('');
}
