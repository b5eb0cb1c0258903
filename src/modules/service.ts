// Manages a service with whatever the host boots with: systemd, OpenRC or sysvinit init scripts.
import { z } from 'zod';
import { defineModule } from './support/module.js';
import { detectManager, MANAGERS } from './support/service-managers.js';
import { applyService, checkServiceArgs, planService, serviceFields, type ServiceArgs, type ServicePlan } from './support/service-plan.js';

const schema = z
  .strictObject({
    ...serviceFields,
    use: z.enum(['auto', 'systemd', 'sysvinit', 'openrc']).default('auto').describe('Service manager; auto: systemd when the host booted with it, else OpenRC, else /etc/init.d scripts.'),
  })
  .superRefine(checkServiceArgs);

type Args = ServiceArgs & { use: 'auto' | 'systemd' | 'sysvinit' | 'openrc' };

export const serviceModule = defineModule<Args, ServicePlan>({
  name: 'service',
  description: 'Starts, stops, restarts, reloads or enables a service with the host\'s service manager (systemd, OpenRC, sysvinit).',
  schema,
  check: async (args, ctx) => planService(args, args.use === 'auto' ? await detectManager(ctx) : MANAGERS[args.use], ctx),
  apply: (args, plan, ctx) => applyService(args, plan!, ctx),
});
