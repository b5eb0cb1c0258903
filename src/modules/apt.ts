// Installs, upgrades and removes Debian packages with apt-get, never prompting; waits for apt's lock.
import { z } from 'zod';
import { aptBackend, DEFAULT_LOCK_TIMEOUT } from './support/apt-backend.js';
import { defineModule } from './support/module.js';
import { applyPackages, packageNames, packageState, planPackages, type PackageArgs, type PackagePlan } from './support/package-plan.js';

const schema = z
  .strictObject({
    name: packageNames.optional().describe('Package name or list of names; `name=version` pins a version.'),
    state: packageState,
    deb: z.string().min(1).optional().describe('Path of a .deb file on the host to install (state present or latest).'),
    update_cache: z.boolean().default(false).describe('Run apt-get update first.'),
    cache_valid_time: z.number().int().nonnegative().optional().describe('With update_cache: skip the update when the lists are younger than this many seconds.'),
    lock_timeout: z.number().int().nonnegative().default(DEFAULT_LOCK_TIMEOUT).describe("Seconds to wait for another apt or dpkg holding apt's lock before failing."),
  })
  .superRefine((a, ctx) => {
    if (!a.name && !a.deb && !a.update_cache) ctx.addIssue({ code: 'custom', path: ['name'], message: 'expected name, deb or update_cache: true', input: a });
    if (a.deb && a.state === 'absent') ctx.addIssue({ code: 'custom', path: ['deb'], message: 'deb installs a file; to remove, give the package name with state: absent', input: a.deb });
  });

type Args = z.infer<typeof schema>;

const toPlanArgs = (a: Args): PackageArgs => ({ name: a.name, state: a.state, update_cache: a.update_cache, cache_valid_time: a.cache_valid_time, files: a.deb ? [a.deb] : undefined });

export const aptModule = defineModule<Args, PackagePlan>({
  name: 'apt',
  description: 'Installs (present, latest) or removes Debian packages with apt-get, non-interactively; a half-installed package fails the task.',
  schema,
  check: (args, ctx) => planPackages(aptBackend(args.lock_timeout), toPlanArgs(args), ctx),
  apply: (args, plan, ctx) => applyPackages(aptBackend(args.lock_timeout), toPlanArgs(args), plan!, ctx),
});
