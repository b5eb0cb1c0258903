// Manages a systemd unit: started/stopped, enabled at boot, masked, unit files reloaded; acts only where it differs.
import { z } from 'zod';
import { defineModule } from './support/module.js';
import { systemdManager } from './support/service-managers.js';
import { applyService, checkServiceArgs, planService, serviceFields, type ServiceArgs, type ServicePlan } from './support/service-plan.js';

const schema = z.strictObject(serviceFields).superRefine(checkServiceArgs);

export const systemdModule = defineModule<ServiceArgs, ServicePlan>({
  name: 'systemd',
  aliases: ['systemd_service'],
  description: 'Starts, stops, restarts or reloads a systemd unit, enables, masks it, reloads unit files; changed only when something changed.',
  schema,
  check: (args, ctx) => planService(args, systemdManager, ctx),
  apply: (args, plan, ctx) => applyService(args, plan!, ctx),
});
