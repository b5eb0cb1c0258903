// apt on Debian and Ubuntu: dpkg-query for what is installed, apt-cache policy for candidates, apt-get to act.
import type { ExecResult } from '../../connection/connection.js';
import { bothTails, hostExec, outputTail } from './host-exec.js';
import type { ModuleContext } from './module.js';
import { type Installed, type PackageBackend, type PackageSpec, PackageError } from './package-plan.js';

/** How long apt-get waits for another apt or dpkg to let go of its locks. @defaultValue 60 */
export const DEFAULT_LOCK_TIMEOUT = 60;

const STAMP = '/var/lib/apt/periodic/update-success-stamp';
const CACHE_AGE = `date +%s; for f in ${STAMP} /var/lib/apt/lists/*_Packages*; do [ -e "$f" ] && stat -c %Y "$f"; done; exit 0`;
const UPDATE = `"$@" && mkdir -p /var/lib/apt/periodic && touch ${STAMP}`;
const DENIED = /Permission denied|are you root\?/;
const LOCKED = /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock (the )?directory|is another process using it/;

// apt-get with no prompts, old config files kept, and apt's own wait for the dpkg lock.
export function aptGet(lockTimeout: number, ...args: string[]): string[] {
  return [
    'env', 'DEBIAN_FRONTEND=noninteractive', 'NEEDRESTART_MODE=l', 'apt-get', '-y', '-q',
    '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '-o', `DPkg::Lock::Timeout=${lockTimeout}`, ...args,
  ];
}

// `dpkg-query -W` lines `name\tversion\tstatus` → the state of each asked name (names it does not know are absent).
export function parseDpkgQuery(stdout: string, names: string[]): Map<string, Installed> {
  const out = new Map<string, Installed>(names.map((n) => [n, { state: 'absent' }]));
  for (const line of stdout.split('\n')) {
    const [name, version, status] = line.split('\t');
    if (!name || status === undefined || !out.has(name)) continue;
    const flags = status.trim();
    const second = flags[1] ?? '';
    if (second === 'i' && !flags.includes('R')) out.set(name, { state: 'installed', version });
    else if (second !== 'n' && second !== 'c') out.set(name, { state: 'half', version, detail: dpkgStatusWord(flags) });
  }
  return out;
}

function dpkgStatusWord(flags: string): string {
  const words: Record<string, string> = { U: 'unpacked', F: 'half-configured', H: 'half-installed', W: 'awaiting triggers', T: 'triggers pending' };
  return flags.includes('R') ? 'in need of reinstallation' : (words[flags[1] ?? ''] ?? `in dpkg status ${flags}`);
}

// `apt-cache policy` → Installed and Candidate per package.
export function parsePolicy(stdout: string): Map<string, { installed?: string; candidate?: string }> {
  const out = new Map<string, { installed?: string; candidate?: string }>();
  let current: { installed?: string; candidate?: string } | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      current = {};
      out.set(head[1]!, current);
      continue;
    }
    const field = /^\s+(Installed|Candidate): (\S+)/.exec(line);
    if (field && current) {
      const value = field[2] === '(none)' ? undefined : field[2];
      if (field[1] === 'Installed') current.installed = value;
      else current.candidate = value;
    }
  }
  return out;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

export function aptBackend(lockTimeout: number): PackageBackend {
  // apt-get waits for the dpkg lock itself; the lists lock of `apt-get update` it does not, so that is retried here.
  const run = async (ctx: ModuleContext, argv: string[], what: string): Promise<ExecResult> => {
    const end = Date.now() + lockTimeout * 1000;
    let told = false;
    for (;;) {
      const r = await hostExec(ctx, argv, { live: true });
      if (r.rc === 0 && !r.timedOut) return r;
      const denied = DENIED.test(r.stderr);
      const locked = !denied && LOCKED.test(r.stderr);
      if (locked && Date.now() < end && !ctx.signal.aborted) {
        if (!told) ctx.log(`waiting up to ${lockTimeout} s for apt's lock: ${r.stderr.trim().split('\n')[0]}`, 'info');
        told = true;
        await sleep(1000, ctx.signal);
        continue;
      }
      const hint = denied ? '; apt needs root: run the task with become: true' : locked ? `; apt's lock was still held after ${lockTimeout} s: wait for the other apt or dpkg to finish, or raise lock_timeout` : '';
      throw new PackageError(`${what} failed (${r.timedOut ? 'timed out' : `rc ${r.rc}`}):\n${bothTails(r)}${hint}`);
    }
  };
  return {
    tool: 'apt',
    async cacheAge(ctx) {
      const r = await hostExec(ctx, ['/bin/sh', '-c', CACHE_AGE], { noBecome: true });
      const [now, ...stamps] = r.stdout.trim().split('\n').map(Number).filter((n) => !Number.isNaN(n));
      return now !== undefined && stamps.length > 0 ? now - Math.max(...stamps) : undefined;
    },
    async updateCache(ctx) {
      await run(ctx, ['/bin/sh', '-c', UPDATE, 'sh', ...aptGet(lockTimeout, 'update')], 'apt-get update');
    },
    async fileInfo(ctx, path) {
      const r = await hostExec(ctx, ['dpkg-deb', '--field', path, 'Package', 'Version'], { noBecome: true });
      const fields = Object.fromEntries(r.stdout.split('\n').map((l) => l.split(': ')).filter((p) => p.length === 2));
      if (r.rc !== 0 || !fields['Package'] || !fields['Version']) throw new PackageError(`cannot read the package ${path} on ${ctx.host}: ${outputTail(r, 3) || 'no Package/Version fields'}`);
      return { name: fields['Package'], version: fields['Version'] };
    },
    async query(ctx, names) {
      const r = await hostExec(ctx, ['dpkg-query', '-W', '--showformat=${Package}\\t${Version}\\t${db:Status-Abbrev}\\n', ...names], { noBecome: true });
      if (r.rc > 1) throw new PackageError(`dpkg-query failed (rc ${r.rc}): ${outputTail(r, 3)}`);
      return parseDpkgQuery(r.stdout, names);
    },
    async upgradable(ctx, names) {
      const r = await hostExec(ctx, ['apt-cache', 'policy', ...names], { noBecome: true });
      if (r.rc !== 0) throw new PackageError(`apt-cache policy failed (rc ${r.rc}): ${outputTail(r, 3)}`);
      const out = new Map<string, string>();
      for (const [name, p] of parsePolicy(r.stdout)) if (p.candidate && p.installed && p.candidate !== p.installed) out.set(name, p.candidate);
      return out;
    },
    async install(ctx, specs: PackageSpec[]) {
      const args = specs.map((s) => s.file ?? (s.version ? `${s.name}=${s.version}` : s.name));
      await run(ctx, aptGet(lockTimeout, 'install', '--allow-downgrades', ...args), `apt-get install ${args.join(' ')}`);
    },
    async remove(ctx, names) {
      await run(ctx, aptGet(lockTimeout, 'remove', ...names), `apt-get remove ${names.join(' ')}`);
    },
  };
}
