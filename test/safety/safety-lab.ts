// A private side lab per safety test file, inventories for it, and a view of each host's own files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { labEnabled, type Lab, type LabHost } from '../lab/lab-helper.js';

import { labInventory, useSideLab as useLab, writeFiles, type SideLab } from '../lab/side-lab.js';

export { labEnabled, type Lab, type LabHost };

/** Outside tmpdir, so the CLI helper adds no per-folder lock and audit settings. */
const ROOT = '/var/tmp/omsrun-safety';

export { labInventory as inventoryOf, writeFiles as filesIn, type SideLab };

// A private lab for one safety test file.
export function useSideLab(name: string, hosts: number): SideLab {
  return useLab(name, hosts, ROOT);
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
