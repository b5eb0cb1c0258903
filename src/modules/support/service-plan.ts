// systemd and service share one plan: read the service, list the steps that differ, run them in order.
import { z } from 'zod';
import { hostExec, outputTail } from './host-exec.js';
import type { ModuleContext, ModuleOutcome, Plan } from './module.js';
import { failed } from './common.js';
import { type Action, type ServiceFacts, type ServiceManager, ServiceError } from './service-managers.js';

/** Arguments systemd and service both take. */
export const serviceFields = {
  name: z.string().min(1).regex(/^[^\s/]+$/, 'expected a unit or service name without blanks or slashes').optional().describe('Unit or service name (e.g. nginx or nginx.service).'),
  state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional().describe('started/stopped change only when needed; restarted and reloaded always act (reloaded starts a stopped service).'),
  enabled: z.boolean().optional().describe('Start the service at boot.'),
  masked: z.boolean().optional().describe('Mask the unit so nothing can start it (systemd only).'),
  daemon_reload: z.boolean().default(false).describe('Reload systemd unit files first: with a name, only when that unit changed on disk (counted as a change); without one, always (not counted).'),
};

export type ServiceArgs = {
  name?: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  masked?: boolean;
  daemon_reload: boolean;
};

/** One step of the plan. */
export interface ServiceStep {
  action: Action;
  /** Counts as a change (a daemon-reload asked for without a name does not). */
  change: boolean;
}

export interface ServicePlan {
  manager: ServiceManager;
  steps: ServiceStep[];
}

// A name, or daemon_reload alone: anything else has nothing to act on.
export function checkServiceArgs(a: ServiceArgs, ctx: z.RefinementCtx): void {
  if (a.name === undefined && !a.daemon_reload) ctx.addIssue({ code: 'custom', path: ['name'], message: 'expected a service name (only daemon_reload: true works without one)', input: a });
  if (a.name === undefined && (a.state ?? a.enabled ?? a.masked) !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['name'], message: 'expected a service name with state, enabled or masked', input: a });
  }
  if (a.masked === true && (a.state === 'started' || a.state === 'restarted' || a.state === 'reloaded' || a.enabled === true)) {
    ctx.addIssue({ code: 'custom', path: ['masked'], message: `a masked unit cannot be ${a.enabled === true ? 'enabled' : a.state}`, input: a.masked });
  }
}

// The steps that bring the service to what the task asks, in systemd's order: reload, unmask, enable, state, mask.
export function serviceSteps(a: ServiceArgs, f: ServiceFacts | undefined): ServiceStep[] {
  const steps: ServiceStep[] = [];
  if (a.daemon_reload && (f === undefined || f.needsReload)) steps.push({ action: 'daemon-reload', change: f !== undefined });
  if (!f) return steps;
  if (a.masked === false && f.masked) steps.push({ action: 'unmask', change: true });
  if (a.masked === true && !f.masked) {
    if (f.active && a.state === 'stopped') steps.push({ action: 'stop', change: true });
    steps.push({ action: 'mask', change: true });
    return steps;
  }
  if (a.enabled !== undefined && f.enabled !== undefined && f.enabled !== a.enabled) steps.push({ action: a.enabled ? 'enable' : 'disable', change: true });
  if (a.state === 'started' && !f.active) steps.push({ action: 'start', change: true });
  if (a.state === 'stopped' && f.active) steps.push({ action: 'stop', change: true });
  if (a.state === 'restarted') steps.push({ action: f.active ? 'restart' : 'start', change: true });
  if (a.state === 'reloaded') steps.push({ action: f.active ? 'reload' : 'start', change: true });
  return steps;
}

// What the task's data says about the service after (or, in check mode, as planned).
function serviceData(a: ServiceArgs, m: ServiceManager, f: ServiceFacts | undefined): Record<string, unknown> {
  if (!a.name || !f) return { manager: m.name };
  return { name: a.name, manager: m.name, state: f.active ? 'started' : 'stopped', enabled: f.enabled ?? null, masked: f.masked, status: f.status };
}

export async function planService(a: ServiceArgs, manager: ServiceManager, ctx: ModuleContext): Promise<Plan<ServicePlan>> {
  if (manager.name !== 'systemd' && (a.masked !== undefined || a.daemon_reload)) {
    throw new ServiceError(`masked and daemon_reload need systemd; ${ctx.host} runs ${manager.name}`);
  }
  const facts = a.name ? await manager.facts(ctx, a.name) : undefined;
  if (facts && !facts.exists && !(a.masked === true)) {
    throw new ServiceError(`${ctx.host} has no service ${a.name} (${manager.name} does not know it); install its package first or check the name`);
  }
  if (facts && a.enabled !== undefined && facts.enabled === undefined && !facts.masked) {
    throw new ServiceError(`${a.name} cannot be ${a.enabled ? 'enabled' : 'disabled'}: its unit file state is ${facts.status['UnitFileState'] || 'unknown'} (no [Install] section)`);
  }
  const steps = serviceSteps(a, facts);
  const data = serviceData(a, manager, facts);
  const changes = steps.filter((s) => s.change);
  if (changes.length === 0) {
    if (steps.length > 0 && !ctx.checkMode) {
      const fail = await runSteps(a, { manager, steps }, ctx);
      return { changes: false, outcome: fail ?? { msg: 'systemd reloaded its unit files', data } };
    }
    return { changes: false, outcome: { data } };
  }
  const summary = `${steps.map((s) => s.action).join(', ')} ${a.name ?? ''}`.trim();
  return { changes: true, summary, data: { manager, steps } };
}

// Runs each step; the first that fails ends the task with the command's output and the service's status.
async function runSteps(a: ServiceArgs, plan: ServicePlan, ctx: ModuleContext): Promise<ModuleOutcome | undefined> {
  for (const step of plan.steps) {
    const argv = plan.manager.command(step.action, a.name ?? '');
    const r = await hostExec(ctx, argv, { live: true });
    if (r.rc === 0 && !r.timedOut) continue;
    const why = r.timedOut ? `timed out after ${ctx.timeoutMs} ms` : `rc ${r.rc}`;
    const status = a.name ? await plan.manager.statusText(ctx, a.name) : '';
    const msg = [`${argv.join(' ')} failed (${why}): ${outputTail(r, 5) || 'no output'}`, status && `status of ${a.name}:\n${status}`].filter(Boolean).join('\n');
    return failed(msg, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  }
  return undefined;
}

export async function applyService(a: ServiceArgs, plan: ServicePlan, ctx: ModuleContext): Promise<ModuleOutcome> {
  const fail = await runSteps(a, plan, ctx);
  if (fail) return fail;
  const after = a.name ? await plan.manager.facts(ctx, a.name) : undefined;
  const done = plan.steps.map((s) => s.action).join(', ');
  if (after && (a.state === 'started' || a.state === 'restarted' || a.state === 'reloaded') && !after.active) {
    return failed(`${a.name} is not running after ${done}:\n${await plan.manager.statusText(ctx, a.name!)}`);
  }
  return { changed: true, msg: `${done} ${a.name ?? ''}`.trim(), data: serviceData(a, plan.manager, after) };
}
