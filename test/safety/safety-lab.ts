// A private side lab per safety test file, inventories for it, and a view of each host's own files.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import { freeSideSubnet, labDown, labEnabled, labUp, type Lab, type LabHost } from '../lab/lab-helper.js';

export { labEnabled, type Lab, type LabHost };

/** Outside tmpdir, so the CLI helper adds no per-folder lock and audit settings. */
const ROOT = '/var/tmp/omsrun-safety';

/** The lab a test file owns and a scratch folder; filled in by beforeAll. */
export interface SideLab {
  lab: Lab;
  work: string;
}

// Brings up a private lab on a free /24 before the file's tests and removes it after them.
export function useSideLab(name: string, hosts: number): SideLab {
  const side = {} as SideLab;
  let dir = '';
  beforeAll(async () => {
    mkdirSync(ROOT, { recursive: true });
    dir = realpathSync(mkdtempSync(path.join(ROOT, `${name}-`)));
    side.work = path.join(dir, 'work');
    mkdirSync(side.work);
    side.lab = await labUp({ hosts, name, dir: path.join(dir, 'lab'), subnet: await freeSideSubnet() });
  }, 120_000);
  afterAll(async () => {
    if (!dir) return;
    await labDown(path.join(dir, 'lab'), name);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  return side;
}

// An inventory of every lab host (root with the lab key unless `extra` says otherwise), pinned to the lab's known_hosts.
export function inventoryOf(lab: Lab, extra: Record<string, Record<string, unknown>> = {}, all: Record<string, unknown> = {}): string {
  const hosts = Object.fromEntries(lab.hosts.map((h) => [h.name, { ansible_host: h.ip, ...(extra[h.name] ?? {}) }]));
  const vars = { ansible_user: 'root', ansible_ssh_private_key_file: lab.keyFile, ansible_ssh_known_hosts_file: lab.knownHosts, ...all };
  return stringify({ all: { vars, hosts } });
}

// Writes files into a fresh folder under the work folder and returns it.
export function filesIn(side: SideLab, files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(side.work, 'run-'));
  for (const [rel, body] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, body);
  }
  return dir;
}

// A path as the host sees it (its own /run, /data, /etc/passwd), read from the controller.
export function onHost(host: LabHost, p: string): string {
  return `/proc/${host.pids.keeper!.pid}/root${p}`;
}

// Every file under a folder (recursively), with its text.
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
