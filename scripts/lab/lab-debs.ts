import { $ } from 'zx';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cachedBuild } from './lab-cache.js';

const q = $({ quiet: true });

/** One small package the lab builds with dpkg-deb. */
export interface LabDeb {
  name: string;
  version: string;
  description: string;
  /** Files by absolute path inside the package. */
  files: Record<string, { content: string; mode?: number }>;
  /** Maintainer scripts (postinst, prerm, ...). */
  scripts?: Record<string, string>;
}

// A program that says its version, or serves (sleeps) until stopped, counting reloads (SIGHUP) in /run; the count
// file appears once it handles SIGHUP, and the unit's start waits for it.
function helloProgram(version: string): string {
  return `#!/bin/sh
if [ "$1" = serve ]; then
  trap 'n=$(cat /run/omsrun-hello.reloads); echo $((n + 1)) > /run/omsrun-hello.reloads' HUP
  trap 'exit 0' TERM
  echo 0 > /run/omsrun-hello.reloads
  while :; do sleep 1 & wait $!; done
fi
echo "omsrun-hello ${version}"
`;
}

const HELLO_UNIT = `[Unit]
Description=omsrun lab hello service

[Service]
ExecStartPre=/bin/rm -f /run/omsrun-hello.reloads
ExecStart=/usr/bin/omsrun-hello serve
ExecStartPost=/bin/sh -c 'while [ ! -e /run/omsrun-hello.reloads ]; do sleep 0.1; done'
ExecReload=/bin/kill -HUP $MAINPID

[Install]
WantedBy=multi-user.target
`;

const hello = (version: string): LabDeb => ({
  name: 'omsrun-hello',
  version,
  description: 'omsrun lab package with a systemd service',
  files: {
    '/usr/bin/omsrun-hello': { content: helloProgram(version), mode: 0o755 },
    '/lib/systemd/system/omsrun-hello.service': { content: HELLO_UNIT },
  },
});

/** Packages of the lab repository: two versions of a service package, a plain one, one whose postinst fails, a slow one. */
export const LAB_DEBS: LabDeb[] = [
  hello('1.0'),
  hello('1.1'),
  { name: 'omsrun-extra', version: '1.0', description: 'omsrun lab package with one file', files: { '/usr/share/omsrun-extra/README': { content: 'omsrun lab\n' } } },
  {
    name: 'omsrun-broken', version: '1.0', description: 'omsrun lab package whose configuration fails',
    files: { '/usr/share/omsrun-broken/README': { content: 'fails in postinst\n' } },
    scripts: { postinst: '#!/bin/sh\necho "omsrun-broken: configuration failed on purpose" >&2\nexit 1\n' },
  },
  {
    name: 'omsrun-slow', version: '1.0', description: 'omsrun lab package that holds dpkg a while (apt lock tests)',
    files: { '/usr/share/omsrun-slow/README': { content: 'slow postinst\n' } },
    scripts: { postinst: '#!/bin/sh\ntouch /run/omsrun-slow.started\nsleep 6\n' },
  },
];

// The .deb file name of a lab package inside the repository folder.
export function debFileName(deb: Pick<LabDeb, 'name' | 'version'>): string {
  return `${deb.name}_${deb.version}_all.deb`;
}

async function buildDeb(deb: LabDeb, out: string, scratch: string): Promise<void> {
  const root = join(scratch, `${deb.name}-${deb.version}`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  const control = [
    `Package: ${deb.name}`, `Version: ${deb.version}`, 'Architecture: all', 'Maintainer: omsrun lab <lab@omsrun.invalid>',
    'Section: misc', 'Priority: optional', `Description: ${deb.description}`, '',
  ].join('\n');
  writeFileSync(join(root, 'DEBIAN/control'), control);
  for (const [name, text] of Object.entries(deb.scripts ?? {})) writeFileSync(join(root, 'DEBIAN', name), text, { mode: 0o755 });
  for (const [path, file] of Object.entries(deb.files)) {
    const dest = join(root, path);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, file.content);
    chmodSync(dest, file.mode ?? 0o644);
  }
  await q`dpkg-deb --root-owner-group --build ${root} ${join(out, debFileName(deb))}`;
}

// Builds every package and a flat repository index (all versions: dpkg-scanpackages --multiversion).
async function buildRepo(work: string): Promise<void> {
  const repo = join(work, 'repo');
  const scratch = join(work, 'src');
  mkdirSync(repo, { recursive: true });
  for (const deb of LAB_DEBS) await buildDeb(deb, repo, scratch);
  await $({ quiet: true, cwd: repo })`sh -c ${'dpkg-scanpackages --multiversion . /dev/null > Packages && gzip -9 -k Packages'}`;
}

// The cached repository folder (`Packages` and the .deb files), built once per machine.
export async function ensureDebRepo(): Promise<string> {
  const dir = await cachedBuild('debs', LAB_DEBS, buildRepo);
  return join(dir, 'repo');
}
