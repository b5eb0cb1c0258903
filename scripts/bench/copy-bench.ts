// A 1 GiB file to 3 hosts: omsrun's copy module against scp to the same hosts in parallel.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabHost, LabState } from '../lab/lab-api.js';
import { measure } from './measure.js';
import type { CopyResults } from './report.js';
import { cleanHosts, runOmsrun, writeInventory, type BenchPaths, type RunResult } from './tools.js';

const BIG = '/tmp/omsrun-bench-1g.bin';
const SIZE_MB = 1024;

// Random data made once and kept under /tmp between benches.
function bigFile(): string {
  if (!existsSync(BIG) || statSync(BIG).size !== SIZE_MB * 1024 * 1024) {
    execFileSync('sh', ['-c', `head -c ${SIZE_MB}M /dev/urandom > ${BIG}.part && mv ${BIG}.part ${BIG}`]);
  }
  return BIG;
}

async function scpAll(lab: LabState, hosts: LabHost[], file: string): Promise<RunResult> {
  const opts = `-q -i ${lab.keyFile} -o UserKnownHostsFile=${lab.knownHosts} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes`;
  const script = hosts.map((h) => `scp ${opts} ${file} root@${h.ip}:/data/big.bin & pids="$pids $!"`).join('\n')
    + '\nfail=0; for j in $pids; do wait $j || fail=1; done; exit $fail';
  const m = await measure('sh', ['-c', script]);
  return { ...m, hosts: hosts.length, changed: hosts.length, failed: m.exitCode ? 1 : 0, unreachable: 0, problem: m.exitCode ? `scp exit ${m.exitCode}: ${m.stderr}` : '' };
}

export async function copyBench(p: BenchPaths, lab: LabState): Promise<CopyResults> {
  const file = bigFile();
  const hosts = lab.hosts.slice(0, 3);
  const playbook = join(p.work, 'copy.yml');
  writeFileSync(playbook, `- hosts: all\n  tasks:\n    - name: big file\n      copy: { src: ${file}, dest: /data/big.bin, mode: "0644" }\n`);
  const inv = writeInventory(lab, hosts, join(p.work, 'inventory-copy.yml'));
  await cleanHosts(hosts);
  const scp = await scpAll(lab, hosts, file);
  await cleanHosts(hosts);
  const omsrun = await runOmsrun({ ...p, inventory: inv }, hosts.length, false, playbook);
  await cleanHosts(hosts);
  return { hosts: hosts.length, sizeMb: SIZE_MB, omsrun, scp };
}
