// A private lab per test file (on a free /24, torn down after the file), inventories for it, scratch folders.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import { freeSideSubnet, labDown, labUp, type Lab } from './lab-helper.js';

/** The lab a test file owns; filled in by beforeAll. */
export interface SideLab {
  lab: Lab;
  /** Scratch folder for playbooks and inventories, removed in afterAll. */
  work: string;
}

// Brings up a private lab for one test file under `root` (outside tmpdir: lab hosts share /tmp) and removes it after.
export function useSideLab(name: string, hosts: number, root: string): SideLab {
  const side = {} as SideLab;
  let dir = '';
  beforeAll(async () => {
    mkdirSync(root, { recursive: true });
    dir = realpathSync(mkdtempSync(path.join(root, `${name}-`)));
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

// An inventory of every lab host as root with the lab key (unless `extra` says otherwise), pinned to the lab's known_hosts.
export function labInventory(lab: Lab, extra: Record<string, Record<string, unknown>> = {}, all: Record<string, unknown> = {}): string {
  const hosts = Object.fromEntries(lab.hosts.map((h) => [h.name, { ansible_host: h.ip, ...(extra[h.name] ?? {}) }]));
  const vars = { ansible_user: 'root', ansible_ssh_private_key_file: lab.keyFile, ansible_ssh_known_hosts_file: lab.knownHosts, ...all };
  return stringify({ all: { vars, hosts } });
}

// Writes files into a fresh folder under the side lab's work folder and returns it.
export function writeFiles(side: SideLab, files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(side.work, 'run-'));
  for (const [rel, body] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, body);
  }
  return dir;
}
