// Installs, upgrades and removes RPM packages with yum, never prompting; a path ending in .rpm installs that file.
import { z } from 'zod';
import { defineModule } from './support/module.js';
import { applyPackages, packageFiles, packageState, planPackages, type PackageArgs, type PackagePlan } from './support/package-plan.js';
import { rpmBackend } from './support/rpm-backend.js';

const schema = z.strictObject({
  name: packageFiles.optional().describe('Package name, or absolute path of a .rpm file on the host; or a list of them.'),
  state: packageState,
  update_cache: z.boolean().default(false).describe('Refresh the metadata first (`yum makecache`).'),
}).refine((a) => a.name !== undefined || a.update_cache, { path: ['name'], message: 'expected name or update_cache: true' });

type Args = z.infer<typeof schema>;

const toPlanArgs = (a: Args): PackageArgs => ({
  name: a.name?.filter((n) => !n.endsWith('.rpm')), files: a.name?.filter((n) => n.endsWith('.rpm')), state: a.state, update_cache: a.update_cache,
});

export const yumModule = defineModule<Args, PackagePlan>({
  name: 'yum',
  description: 'Installs (present, latest) or removes RPM packages with yum, non-interactively.',
  schema,
  check: (args, ctx) => planPackages(rpmBackend('yum'), toPlanArgs(args), ctx),
  apply: (args, plan, ctx) => applyPackages(rpmBackend('yum'), toPlanArgs(args), plan!, ctx),
});
