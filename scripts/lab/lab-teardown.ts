import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type LabHost, type PidRef, labNames, readState } from './lab-config.js';
import { killContainers } from './lab-docker.js';
import { ipBatch, listLinks, listNetns } from './lab-network.js';
import { killPids, pidsByNamespace, stopRefs } from './proc.js';
import { stopMetaDb } from './lab-metadb.js';
import { stopTsdb } from './lab-tsdb.js';
import { stopVip } from './lab-vip.js';
import { stopSystemHosts, unmountRoots } from './lab-system.js';

interface HostRecord {
  pids: { keeper?: PidRef; sshd?: PidRef; dockerd?: PidRef; nspawn?: PidRef };
  mntns?: string;
  cgroupParent?: string;
}

// Pid records of every host folder, including those of an `up` that crashed before writing lab.json.
function hostRecords(dir: string, hosts: LabHost[]): HostRecord[] {
  const records: HostRecord[] = [...hosts];
  const hostsDir = join(dir, 'hosts');
  for (const h of existsSync(hostsDir) ? readdirSync(hostsDir) : []) {
    try {
      records.push(JSON.parse(readFileSync(join(hostsDir, h, 'pids.json'), 'utf8')) as HostRecord);
    } catch {
      // no pid file yet
    }
  }
  return records;
}

// Container cgroups left by any engine of the named lab.
function strayCgroupParents(name: string): string[] {
  const prefix = labNames(name).cgroupPrefix;
  const found = new Set<string>();
  const root = '/sys/fs/cgroup';
  const scan = (d: string): void => {
    for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
      if (e.isDirectory() && e.name.startsWith(prefix)) found.add(e.name);
    }
  };
  scan(root);
  for (const ctrl of existsSync(root) ? readdirSync(root) : []) scan(join(root, ctrl));
  return [...found];
}

// Clears whatever a lab in `dir` (and any lab named `names`) left: processes, namespaces, links, cgroups, files.
export async function clearLab(dir: string, names: string[]): Promise<void> {
  await Promise.all([stopVip(dir), stopMetaDb(dir), stopTsdb(dir)]);
  const state = readState(dir);
  const all = new Set(names);
  if (state) all.add(state.name);
  const records = hostRecords(dir, state?.hosts ?? []);
  const cgroups = new Set(records.map((r) => r.cgroupParent).filter((c): c is string => !!c));
  for (const n of all) strayCgroupParents(n).forEach((c) => cgroups.add(c));

  await stopSystemHosts(records);
  await Promise.all([...cgroups].map((c) => killContainers(c)));
  await stopRefs(records.map((r) => r.pids.dockerd), 15_000);
  await stopRefs(records.flatMap((r) => [r.pids.sshd, r.pids.keeper]));
  const byMnt = pidsByNamespace('mnt');
  for (const r of records) if (r.mntns) killPids(byMnt.get(r.mntns) ?? []);

  const netns = new Set((state?.hosts ?? []).map((h) => h.netns));
  for (const n of all) (await listNetns(labNames(n).netnsPrefix)).forEach((x) => netns.add(x));
  const byNet = pidsByNamespace('net');
  const present = [...netns].filter((ns) => existsSync(`/run/netns/${ns}`));
  for (const ns of present) killPids(byNet.get(`net:[${statSync(`/run/netns/${ns}`).ino}]`) ?? []);
  await ipBatch(present.map((ns) => `netns del ${ns}`));
  const links = new Set<string>();
  if (state) links.add(state.bridge);
  for (const n of all) {
    const { bridge, vethPrefix } = labNames(n);
    (await listLinks(bridge)).forEach((l) => links.add(l));
    (await listLinks(vethPrefix)).forEach((l) => links.add(l));
  }
  await ipBatch([...links].map((l) => `link del ${l}`));
  await Promise.all([...cgroups].map((c) => killContainers(c)));
  await unmountRoots(dir);
  rmSync(dir, { recursive: true, force: true });
}
