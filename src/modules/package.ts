// Installs or removes packages with the host's own package manager: apt, dnf or yum.
import { z } from 'zod';
import { aptBackend, DEFAULT_LOCK_TIMEOUT } from './support/apt-backend.js';
import { hostExec } from './support/host-exec.js';
import { defineModule, type ModuleContext } from './support/module.js';
import { applyPackages, type PackageBackend, PackageError, packageState, planPackages, type PackagePlan } from './support/package-plan.js';
import { rpmBackend } from './support/rpm-backend.js';

const schema = z.strictObject({
  name: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9.+_:~-]*$/, 'expected a package name'))).describe('Package name or list of names (the same names on every host).'),
  state: packageState,
  use: z.enum(['auto', 'apt', 'dnf', 'yum']).default('auto').describe('Package manager; auto: the first of apt-get, dnf, yum found on the host.'),
});

type Args = z.infer<typeof schema>;

export const DETECT_PACKAGER = 'for tool in apt-get dnf yum; do if command -v "$tool" >/dev/null 2>&1; then echo "$tool"; exit 0; fi; done; echo none';

async function backendFor(args: Args, ctx: ModuleContext): Promise<PackageBackend> {
  let tool: string = args.use;
  if (tool === 'auto') tool = (await hostExec(ctx, ['/bin/sh', '-c', DETECT_PACKAGER], { noBecome: true })).stdout.trim();
  if (tool === 'apt' || tool === 'apt-get') return aptBackend(DEFAULT_LOCK_TIMEOUT);
  if (tool === 'dnf' || tool === 'yum') return rpmBackend(tool);
  throw new PackageError(`found no package manager on ${ctx.host} (no apt-get, dnf or yum); set use: apt, dnf or yum`);
}

export const packageModule = defineModule<Args, PackagePlan & { backend: PackageBackend }>({
  name: 'package',
  description: "Installs (present, latest) or removes packages with the host's package manager (apt, dnf or yum).",
  schema,
  check: async (args, ctx) => {
    const backend = await backendFor(args, ctx);
    const plan = await planPackages(backend, { name: args.name, state: args.state, update_cache: false }, ctx);
    return plan.changes ? { ...plan, data: { ...plan.data!, backend } } : plan;
  },
  apply: (args, plan, ctx) => applyPackages(plan!.backend, { name: args.name, state: args.state, update_cache: false }, plan!, ctx),
});
