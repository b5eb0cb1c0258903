// apt, dnf, yum and package share one plan: ask the package database, list what differs, run the tool, check again.
import { z } from 'zod';
import { OmsrunError } from '../../core/errors.js';
import { failed } from './common.js';
import type { ModuleContext, ModuleOutcome, Plan } from './module.js';

/** A package as the host's database has it. */
export interface Installed {
  /** installed: fully installed and configured; half: unpacked or half-configured (a failed install); absent. */
  state: 'installed' | 'half' | 'absent';
  version?: string;
  /** The tool's own status word, for messages (dpkg's `iF`, ...). */
  detail?: string;
}

/** One requested package: a name, a name pinned to a version, or a package file on the host. */
export interface PackageSpec {
  name: string;
  version?: string;
  /** Path of a .deb/.rpm on the host to install from. */
  file?: string;
}

/** What one package manager knows how to do. */
export interface PackageBackend {
  tool: 'apt' | 'dnf' | 'yum';
  /** Seconds since the package lists were last refreshed, or undefined when unknown (never refreshed). */
  cacheAge?(ctx: ModuleContext): Promise<number | undefined>;
  updateCache(ctx: ModuleContext): Promise<void>;
  /** Name and version inside a package file on the host. */
  fileInfo(ctx: ModuleContext, path: string): Promise<{ name: string; version: string }>;
  query(ctx: ModuleContext, names: string[]): Promise<Map<string, Installed>>;
  /** Installed packages among `names` with a newer version available, with that version. */
  upgradable(ctx: ModuleContext, names: string[]): Promise<Map<string, string>>;
  /** Installs specs; with `latest`, `before` tells which of them are installed already (to upgrade). */
  install(ctx: ModuleContext, specs: PackageSpec[], before: Map<string, Installed> | undefined): Promise<void>;
  remove(ctx: ModuleContext, names: string[]): Promise<void>;
}

/** The package tool refused or failed; the task fails with this text. */
export class PackageError extends OmsrunError {
  override readonly name = 'PackageError';
}

/** `name` as the modules accept it: one name or a list, each `name` or `name=version`. */
export const packageNames = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9.+_:~-]*(=[A-Za-z0-9.+_:~-]+)?$/, 'expected a package name, or name=version')));

/** dnf and yum's `name`: package names, or paths of .rpm files on the host. */
export const packageFiles = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().regex(/^([A-Za-z0-9_][A-Za-z0-9.+_:~-]*|\/\S+\.rpm)$/, 'expected a package name, or the absolute path of a .rpm file on the host')));

export const packageState = z.enum(['present', 'absent', 'latest']).default('present').describe('present: installed (any version, or the pinned one); latest: installed at the newest version the lists know; absent: removed.');

export interface PackageArgs {
  name?: string[];
  state: 'present' | 'absent' | 'latest';
  update_cache: boolean;
  cache_valid_time?: number;
  /** Package files on the host (apt's `deb`, a `.rpm` path in dnf/yum's name). */
  files?: string[];
}

/** What apply does: install (and upgrade) these, remove those. */
export interface PackagePlan {
  install: PackageSpec[];
  upgrade: boolean;
  remove: string[];
  before: Map<string, Installed>;
  cacheUpdated: boolean;
}

export function parseSpec(text: string): PackageSpec {
  const eq = text.indexOf('=');
  return eq < 0 ? { name: text } : { name: text.slice(0, eq), version: text.slice(eq + 1) };
}

async function refreshCache(backend: PackageBackend, a: PackageArgs, ctx: ModuleContext): Promise<'fresh' | 'update'> {
  if (!a.update_cache) return 'fresh';
  if (a.cache_valid_time && backend.cacheAge) {
    const age = await backend.cacheAge(ctx);
    if (age !== undefined && age < a.cache_valid_time) return 'fresh';
  }
  return 'update';
}

// Describes one package's change for the summary line: `install omsrun-hello`, `upgrade omsrun-hello 1.0 -> 1.1`.
function describe(spec: PackageSpec, before: Installed | undefined, to?: string): string {
  const was = before?.state === 'installed' ? before.version : before?.state === 'half' ? `${before.version ?? ''} (${before.detail ?? 'half-installed'})` : undefined;
  const target = to ?? spec.version;
  if (!was) return `install ${spec.name}${target ? ` ${target}` : ''}`;
  return `${before?.state === 'half' ? 'repair' : 'upgrade'} ${spec.name} ${was}${target ? ` -> ${target}` : ''}`;
}

export async function planPackages(backend: PackageBackend, a: PackageArgs, ctx: ModuleContext): Promise<Plan<PackagePlan>> {
  const cache = await refreshCache(backend, a, ctx);
  let cacheUpdated = false;
  if (cache === 'update' && !ctx.checkMode) {
    await backend.updateCache(ctx);
    cacheUpdated = true;
  }
  const specs = (a.name ?? []).map(parseSpec);
  for (const file of a.files ?? []) specs.push({ ...(await backend.fileInfo(ctx, file)), file });
  if (specs.length === 0) {
    if (cache === 'update') return { changes: true, summary: `update the ${backend.tool} package lists`, data: { install: [], upgrade: false, remove: [], before: new Map(), cacheUpdated } };
    return { changes: false, outcome: { msg: `the ${backend.tool} package lists are fresh` } };
  }
  const before = await backend.query(ctx, specs.map((s) => s.name));
  const lines: string[] = [];
  const install: PackageSpec[] = [];
  const remove: string[] = [];
  if (a.state === 'absent') {
    for (const s of specs) {
      const b = before.get(s.name);
      if (b && b.state !== 'absent') {
        remove.push(s.name);
        lines.push(`remove ${s.name} ${b.version ?? ''}`.trim());
      }
    }
  } else {
    const installedNames = specs.filter((s) => before.get(s.name)?.state === 'installed' && !s.version && !s.file).map((s) => s.name);
    const newer = a.state === 'latest' && installedNames.length > 0 ? await backend.upgradable(ctx, installedNames) : new Map<string, string>();
    for (const s of specs) {
      const b = before.get(s.name);
      const ok = b?.state === 'installed' && (s.version === undefined || b.version === s.version) && !newer.has(s.name);
      if (ok) continue;
      install.push(s);
      lines.push(describe(s, b, newer.get(s.name)));
    }
  }
  if (install.length === 0 && remove.length === 0) {
    const msg = cacheUpdated ? `package lists updated; ${specs.map((s) => s.name).join(', ')} already as asked` : undefined;
    return { changes: false, outcome: { ...(msg ? { msg } : {}), data: packageData(specs, before, before, cacheUpdated) } };
  }
  return { changes: true, summary: lines.join(', '), data: { install, upgrade: a.state === 'latest', remove, before, cacheUpdated } };
}

function packageData(specs: PackageSpec[], before: Map<string, Installed>, after: Map<string, Installed>, cacheUpdated: boolean): Record<string, unknown> {
  const packages = specs.map((s) => ({ name: s.name, before: before.get(s.name)?.version ?? null, after: after.get(s.name)?.state === 'installed' ? (after.get(s.name)?.version ?? null) : null }));
  return { packages, cache_updated: cacheUpdated };
}

// Runs the tool, then asks the database again: a package left half-installed, or still there, fails the task.
export async function applyPackages(backend: PackageBackend, a: PackageArgs, plan: PackagePlan, ctx: ModuleContext): Promise<ModuleOutcome> {
  if (plan.install.length === 0 && plan.remove.length === 0) {
    if (!plan.cacheUpdated) await backend.updateCache(ctx);
    return { changed: true, msg: `updated the ${backend.tool} package lists`, data: { packages: [], cache_updated: true } };
  }
  const specs = [...plan.install, ...plan.remove.map((name) => ({ name }))];
  const names = specs.map((s) => s.name);
  let toolError: string | undefined;
  try {
    if (plan.install.length > 0) await backend.install(ctx, plan.install, plan.upgrade ? plan.before : undefined);
    if (plan.remove.length > 0) await backend.remove(ctx, plan.remove);
  } catch (err) {
    if (!(err instanceof PackageError)) throw err;
    toolError = err.message;
  }
  const after = await backend.query(ctx, names);
  const wrong: string[] = [];
  for (const s of plan.install) {
    const now = after.get(s.name);
    if (now?.state === 'half') wrong.push(`${s.name} is left ${now.detail ?? 'half-installed'} (${now.version ?? '?'}): its installation scripts failed; fix the cause, then run the task again`);
    else if (now?.state !== 'installed') wrong.push(`${s.name} is not installed`);
    else if (s.version && now.version !== s.version) wrong.push(`${s.name} is ${now.version}, not ${s.version}`);
  }
  for (const name of plan.remove) if (after.get(name)?.state !== 'absent') wrong.push(`${name} is still installed`);
  if (toolError || wrong.length > 0) return failed([...wrong, ...(toolError ? [toolError] : [])].join('\n'), { data: packageData(specs, plan.before, after, plan.cacheUpdated) });
  const done = [...plan.install.map((s) => `${plan.before.get(s.name)?.state === 'installed' ? 'upgraded' : 'installed'} ${s.name} ${after.get(s.name)?.version ?? ''}`.trim()), ...plan.remove.map((n) => `removed ${n}`)];
  return { changed: true, msg: done.join(', '), data: packageData(specs, plan.before, after, plan.cacheUpdated) };
}
