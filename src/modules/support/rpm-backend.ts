// dnf and yum on RPM systems: rpm -q for what is installed, check-update for newer versions, the tool to act.
import { bothTails, hostExec, outputTail } from './host-exec.js';
import type { ModuleContext } from './module.js';
import { type Installed, type PackageBackend, PackageError } from './package-plan.js';

const QUERY_FORMAT = '%{NAME}\\t%{VERSION}-%{RELEASE}\\n';

// `rpm -q --qf` lines `name\tversion-release`; names it reports as not installed are absent.
export function parseRpmQuery(stdout: string, names: string[]): Map<string, Installed> {
  const out = new Map<string, Installed>(names.map((n) => [n, { state: 'absent' }]));
  for (const line of stdout.split('\n')) {
    const [name, version] = line.split('\t');
    if (name && version !== undefined && out.has(name)) out.set(name, { state: 'installed', version });
  }
  return out;
}

// `dnf check-update` lines `name.arch  version  repo` → name → version.
export function parseCheckUpdate(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length !== 3 || !cols[0]!.includes('.')) continue;
    out.set(cols[0]!.slice(0, cols[0]!.lastIndexOf('.')), cols[1]!);
  }
  return out;
}

export function rpmBackend(tool: 'dnf' | 'yum'): PackageBackend {
  const run = async (ctx: ModuleContext, args: string[]): Promise<void> => {
    const argv = [tool, '-y', '-q', ...args];
    const r = await hostExec(ctx, argv, { live: true });
    if (r.rc !== 0 || r.timedOut) throw new PackageError(`${argv.join(' ')} failed (${r.timedOut ? 'timed out' : `rc ${r.rc}`}):\n${bothTails(r)}`);
  };
  return {
    tool,
    async updateCache(ctx) {
      await run(ctx, ['makecache']);
    },
    async fileInfo(ctx, path) {
      const r = await hostExec(ctx, ['rpm', '-q', '-p', '--qf', QUERY_FORMAT, path], { noBecome: true });
      const [name, version] = r.stdout.trim().split('\t');
      if (r.rc !== 0 || !name || !version) throw new PackageError(`cannot read the package ${path} on ${ctx.host}: ${outputTail(r, 3)}`);
      return { name, version };
    },
    async query(ctx, names) {
      const r = await hostExec(ctx, ['rpm', '-q', '--qf', QUERY_FORMAT, ...names], { noBecome: true });
      return parseRpmQuery(r.stdout, names);
    },
    async upgradable(ctx, names) {
      const r = await hostExec(ctx, [tool, '-q', 'check-update', ...names], { noBecome: true });
      if (r.rc === 0) return new Map();
      if (r.rc !== 100) throw new PackageError(`${tool} check-update failed (rc ${r.rc}): ${outputTail(r, 3)}`);
      return parseCheckUpdate(r.stdout);
    },
    async install(ctx, specs, before) {
      const toUpgrade = specs.filter((s) => !s.file && !s.version && before?.get(s.name)?.state === 'installed');
      const toInstall = specs.filter((s) => !toUpgrade.includes(s)).map((s) => s.file ?? (s.version ? `${s.name}-${s.version}` : s.name));
      if (toInstall.length > 0) await run(ctx, ['install', ...toInstall]);
      if (toUpgrade.length > 0) await run(ctx, ['upgrade', ...toUpgrade.map((s) => s.name)]);
    },
    async remove(ctx, names) {
      await run(ctx, ['remove', ...names]);
    },
  };
}
