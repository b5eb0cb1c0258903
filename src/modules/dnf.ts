// Installs, upgrades and removes RPM packages with dnf, never prompting; a path ending in .rpm installs that file.
import { z } from 'zod';
import { defineModule } from './support/module.js';
import { applyPackages, packageFiles, packageState, planPackages, type PackageArgs, type PackagePlan } from './support/package-plan.js';
import { rpmBackend } from './support/rpm-backend.js';

const schema = z.strictObject({
  name: packageFiles.optional().describe('Package name, or absolute path of a .rpm file on the host; or a list of them.'),
  state: packageState,
  update_cache: z.boolean().default(false).describe('Refresh the metadata first (`dnf makecache`).'),
}).refine((a) => a.name !== undefined || a.update_cache, { path: ['name'], message: 'expected name or update_cache: true' });

type Args = z.infer<typeof schema>;

const toPlanArgs = (a: Args): PackageArgs => ({
  name: a.name?.filter((n) => !n.endsWith('.rpm')), files: a.name?.filter((n) => n.endsWith('.rpm')), state: a.state, update_cache: a.update_cache,
});

export const dnfModule = defineModule<Args, PackagePlan>({
  name: 'dnf',
  description: 'Installs (present, latest) or removes RPM packages with dnf, non-interactively.',
  schema,
  check: (args, ctx) => planPackages(rpmBackend('dnf'), toPlanArgs(args), ctx),
  apply: (args, plan, ctx) => applyPackages(rpmBackend('dnf'), toPlanArgs(args), plan!, ctx),
});
