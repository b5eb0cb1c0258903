// dnf and yum are one module over two tools: the same arguments, plan and checks.
import { z } from 'zod';
import { defineModule, type Module } from './module.js';
import { applyPackages, packageFiles, packageState, planPackages, type PackageArgs, type PackagePlan } from './package-plan.js';
import { rpmBackend } from './rpm-backend.js';

function schemaFor(tool: 'dnf' | 'yum') {
  return z.strictObject({
    name: packageFiles.optional().describe('Package name, or absolute path of a .rpm file on the host; or a list of them.'),
    state: packageState,
    update_cache: z.boolean().default(false).describe(`Refresh the metadata first (\`${tool} makecache\`).`),
  }).refine((a) => a.name !== undefined || a.update_cache, { path: ['name'], message: 'expected name or update_cache: true' });
}

type Args = z.infer<ReturnType<typeof schemaFor>>;

const toPlanArgs = (a: Args): PackageArgs => ({
  name: a.name?.filter((n) => !n.endsWith('.rpm')), files: a.name?.filter((n) => n.endsWith('.rpm')), state: a.state, update_cache: a.update_cache,
});

export function rpmPackageModule(tool: 'dnf' | 'yum'): Module<Args, PackagePlan> {
  return defineModule<Args, PackagePlan>({
    name: tool,
    description: `Installs (present, latest) or removes RPM packages with ${tool}, non-interactively.`,
    schema: schemaFor(tool),
    check: (args, ctx) => planPackages(rpmBackend(tool), toPlanArgs(args), ctx),
    apply: (args, plan, ctx) => applyPackages(rpmBackend(tool), toPlanArgs(args), plan!, ctx),
  });
}
