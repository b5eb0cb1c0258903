// What systemd, sysvinit and OpenRC each answer about a service, and the command lines that change it.
import { OmsrunError } from '../../core/errors.js';
import { hostExec, outputTail } from './host-exec.js';
import type { ModuleContext } from './module.js';

/** A service as its manager reports it. */
export interface ServiceFacts {
  /** The manager knows the service (a unit file, an init script). */
  exists: boolean;
  active: boolean;
  /** Started at boot; undefined where the manager cannot tell or the unit cannot be enabled (static). */
  enabled: boolean | undefined;
  masked: boolean;
  /** The unit file changed on disk since systemd last read it. */
  needsReload: boolean;
  /** What `systemctl show` printed (systemd only), for the task's data. */
  status: Record<string, string>;
}

export type ManagerName = 'systemd' | 'sysvinit' | 'openrc';
export type Action = 'start' | 'stop' | 'restart' | 'reload' | 'enable' | 'disable' | 'mask' | 'unmask' | 'daemon-reload';

export interface ServiceManager {
  name: ManagerName;
  facts(ctx: ModuleContext, service: string): Promise<ServiceFacts>;
  command(action: Action, service: string): string[];
  /** Status text for a failure message. */
  statusText(ctx: ModuleContext, service: string): Promise<string>;
}

const SHOW_PROPS = ['LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'NeedDaemonReload'];
const ENABLED_STATES = ['enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'alias'];

// `systemctl show -p A -p B NAME` → { A: ..., B: ... }.
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export const systemdManager: ServiceManager = {
  name: 'systemd',
  async facts(ctx, service) {
    const r = await hostExec(ctx, ['systemctl', 'show', '--no-pager', ...SHOW_PROPS.flatMap((p) => ['-p', p]), '--', service]);
    if (r.rc !== 0) throw new ServiceError(`systemctl show ${service} failed (rc ${r.rc}): ${outputTail(r)}`);
    const status = parseShow(r.stdout);
    const fileState = status['UnitFileState'] ?? '';
    const canEnable = ENABLED_STATES.includes(fileState) || fileState === 'disabled';
    return {
      exists: status['LoadState'] !== 'not-found' || fileState === 'masked',
      active: ['active', 'activating', 'reloading', 'deactivating'].includes(status['ActiveState'] ?? ''),
      enabled: canEnable ? ENABLED_STATES.includes(fileState) : undefined,
      masked: fileState === 'masked' || fileState === 'masked-runtime' || status['LoadState'] === 'masked',
      needsReload: status['NeedDaemonReload'] === 'yes',
      status,
    };
  },
  command(action, service) {
    return action === 'daemon-reload' ? ['systemctl', 'daemon-reload'] : ['systemctl', action, '--', service];
  },
  async statusText(ctx, service) {
    const r = await hostExec(ctx, ['systemctl', 'status', '--no-pager', '--full', '--lines=10', '--', service]);
    return outputTail(r, 20);
  },
};

// sysvinit: `service NAME status` (LSB: 0 running, 3 stopped); enabled means an S link in runlevels 2-5.
const SYSV_ENABLED = 'ls /etc/rc2.d/S??"$1" /etc/rc3.d/S??"$1" /etc/rc5.d/S??"$1" >/dev/null 2>&1';
const SYSV_ENABLE = 'if command -v update-rc.d >/dev/null 2>&1; then exec update-rc.d "$1" "$2"; fi; if [ "$2" = enable ]; then exec chkconfig "$1" on; fi; exec chkconfig "$1" off';

export const sysvinitManager: ServiceManager = {
  name: 'sysvinit',
  async facts(ctx, service) {
    const script = await hostExec(ctx, ['test', '-x', `/etc/init.d/${service}`]);
    if (script.rc !== 0) return { exists: false, active: false, enabled: undefined, masked: false, needsReload: false, status: {} };
    const run = await hostExec(ctx, ['service', service, 'status']);
    const enabled = await hostExec(ctx, ['/bin/sh', '-c', SYSV_ENABLED, 'sh', service]);
    return { exists: true, active: run.rc === 0, enabled: enabled.rc === 0, masked: false, needsReload: false, status: {} };
  },
  command(action, service) {
    if (action === 'enable' || action === 'disable') return ['/bin/sh', '-c', SYSV_ENABLE, 'sh', service, action];
    return ['service', service, action];
  },
  async statusText(ctx, service) {
    return outputTail(await hostExec(ctx, ['service', service, 'status']));
  },
};

// OpenRC: `rc-service NAME status` (0 started, 3 stopped); enabled means in the default runlevel.
export const openrcManager: ServiceManager = {
  name: 'openrc',
  async facts(ctx, service) {
    const script = await hostExec(ctx, ['test', '-x', `/etc/init.d/${service}`]);
    if (script.rc !== 0) return { exists: false, active: false, enabled: undefined, masked: false, needsReload: false, status: {} };
    const run = await hostExec(ctx, ['rc-service', service, 'status']);
    const levels = await hostExec(ctx, ['rc-update', 'show', 'default']);
    const enabled = levels.stdout.split('\n').some((l) => l.split('|')[0]?.trim() === service);
    return { exists: true, active: run.rc === 0, enabled, masked: false, needsReload: false, status: {} };
  },
  command(action, service) {
    if (action === 'enable') return ['rc-update', 'add', service, 'default'];
    if (action === 'disable') return ['rc-update', 'del', service, 'default'];
    return ['rc-service', service, action];
  },
  async statusText(ctx, service) {
    return outputTail(await hostExec(ctx, ['rc-service', service, 'status']));
  },
};

export const MANAGERS: Record<ManagerName, ServiceManager> = { systemd: systemdManager, sysvinit: sysvinitManager, openrc: openrcManager };

// Booted by systemd when /run/systemd/system exists (sd_booted); else OpenRC when rc-service exists; else init scripts.
export const DETECT_MANAGER =
  'if [ -d /run/systemd/system ]; then echo systemd; elif command -v rc-service >/dev/null 2>&1; then echo openrc; elif [ -d /etc/init.d ]; then echo sysvinit; else echo none; fi';

export async function detectManager(ctx: ModuleContext): Promise<ServiceManager> {
  const r = await hostExec(ctx, ['/bin/sh', '-c', DETECT_MANAGER], { noBecome: true });
  const name = r.stdout.trim();
  if (r.rc === 0 && name in MANAGERS) return MANAGERS[name as ManagerName];
  throw new ServiceError(`found no service manager on ${ctx.host} (no systemd, OpenRC or /etc/init.d); set use: systemd, sysvinit or openrc`);
}


/** A service step the host refused; the task fails with this text. */
export class ServiceError extends OmsrunError {
  override readonly name = 'ServiceError';
}
