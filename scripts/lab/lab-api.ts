import { $ } from 'zx';
import pLimit from 'p-limit';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type LabHost, type LabState, type LabUpOptions, TESTER_PASSWORD, TESTER_USER,
  checkLabName, defaultLabDir, labNames, readState, writeState,
} from './lab-config.js';
import { killDockerd, pingDocker, startDockerd, stopDockerd, writeRuntimeWrapper } from './lab-docker.js';
import { accountFiles, killSshd, newHostKey, prepareHostDir, startKeeper, startSshd } from './lab-host.js';
import { BRIDGE_MAX_PORTS, createBridge, createHostNetwork, ensureNeighbourRoom } from './lab-network.js';
import { writeOutputs } from './lab-outputs.js';
import { clearLab } from './lab-teardown.js';
import { MAIN_SUBNET, assertSubnetFree, parseSubnet, subnetCapacity, subnetIp } from './lab-subnet.js';
import { isAlive } from './proc.js';
import { ensureDebRepo } from './lab-debs.js';
import { ensureRootfs } from './lab-rootfs.js';
import { type SystemImages, startSystemHost } from './lab-system.js';

export { killSshd, killSshdAndSessions, startSshd, runOnHost, type HostRun } from './lab-host.js';
export type { LabHost, LabState, LabUpOptions } from './lab-config.js';
export { readState, defaultLabDir } from './lab-config.js';
export { MAIN_SUBNET, freeSideSubnet } from './lab-subnet.js';
export { startVip, setVipBackends, stopVip, vipInfo, vipAddress, vipServerStates, type Vip } from './lab-vip.js';
export { startMetaDb, stopMetaDb, pauseMetaDb, metaDbInfo, type MetaDb } from './lab-metadb.js';

const q = $({ quiet: true });

// Brings a fresh lab up after clearing whatever an earlier one left in the same folder or under the same name.
export async function labUp(opts: LabUpOptions): Promise<LabState> {
  const started = Date.now();
  const name = checkLabName(opts.name ?? 'oms');
  const dir = opts.dir ?? defaultLabDir();
  const subnet = parseSubnet(opts.subnet ?? MAIN_SUBNET);
  const dockerCount = Math.min(opts.docker ?? 0, opts.hosts);
  const systemCount = opts.system ?? 0;
  if (!Number.isInteger(systemCount) || systemCount < 0 || dockerCount + systemCount > opts.hosts) {
    throw new Error(`--system must be a whole number of hosts not running Docker (at most ${opts.hosts - dockerCount}); got ${systemCount}`);
  }
  if (!Number.isInteger(opts.hosts) || opts.hosts < 1) throw new Error(`--hosts must be a positive integer; got ${opts.hosts}`);
  if (opts.hosts > subnetCapacity(subnet)) throw new Error(`${subnet.cidr} holds at most ${subnetCapacity(subnet)} hosts`);
  if (opts.hosts >= BRIDGE_MAX_PORTS) throw new Error(`a lab holds at most ${BRIDGE_MAX_PORTS - 1} hosts (one Linux bridge port each); got ${opts.hosts}`);
  await clearLab(dir, [name]);
  await assertSubnetFree(subnet, labNames(name).bridge);
  mkdirSync(join(dir, 'hosts'), { recursive: true });
  mkdirSync('/data', { recursive: true });
  mkdirSync(`/home/${TESTER_USER}`, { recursive: true });

  const names = labNames(name);
  const keyFile = join(dir, 'id_ed25519');
  await q`ssh-keygen -q -t ed25519 -N ${''} -C omsrun-lab -f ${keyFile}`;
  copyFileSync(`${keyFile}.pub`, join(dir, 'authorized_keys'));
  const accounts = await accountFiles(TESTER_PASSWORD);
  const wrapper = writeRuntimeWrapper(dir);
  const images: SystemImages | undefined = systemCount > 0
    ? { rootfs: await ensureRootfs(), repo: await ensureDebRepo(), authorizedKeys: join(dir, 'authorized_keys') }
    : undefined;
  const state: LabState = {
    version: 1, name, dir, subnet: subnet.cidr,
    bridge: names.bridge,
    bridgeIp: subnetIp(subnet, 0),
    prefixLength: subnet.prefix,
    hosts: [],
    keyFile,
    knownHosts: join(dir, 'known_hosts'),
    inventory: join(dir, 'inventory.yml'),
    tester: { user: TESTER_USER, password: TESTER_PASSWORD, uid: accounts.uid },
    upMs: 0,
    createdAt: new Date().toISOString(),
  };
  for (let i = 1; i <= opts.hosts; i++) {
    state.hosts.push({
      name: `h${i}`, ip: subnetIp(subnet, i), netns: `${names.netnsPrefix}${i}`, veth: `${names.vethPrefix}${i}`,
      dir: join(dir, 'hosts', `h${i}`), labDir: dir, hostKeyPub: '', pids: {},
    });
  }
  writeState(state);
  ensureNeighbourRoom(opts.hosts);
  await createBridge(state.bridge, state.bridgeIp, state.prefixLength);
  const limit = pLimit(opts.concurrency ?? 16);
  try {
    await Promise.all(state.hosts.map((host, i) => limit(async () => {
      await createHostNetwork(host.netns, host.veth, state.bridge, host.ip, state.prefixLength);
      if (images && i >= opts.hosts - systemCount) {
        mkdirSync(host.dir, { recursive: true });
        await startSystemHost(host, images);
        return;
      }
      await prepareHostDir(host, accounts);
      await startKeeper(host);
      await startSshd(host);
      if (i < dockerCount) await startDockerd(host, wrapper);
    })));
  } finally {
    writeState(state);
  }
  writeOutputs(state);
  state.upMs = Date.now() - started;
  writeState(state);
  return state;
}

// Stops everything the lab in `dir` runs and removes its namespaces, links and folder; safe to repeat.
export async function labDown(dir: string = defaultLabDir(), name?: string): Promise<void> {
  await clearLab(dir, name ? [checkLabName(name)] : []);
}

/** Health of one host as `status` reports it. */
export interface HostStatus {
  name: string;
  ip: string;
  keeper: boolean;
  sshd: boolean;
  docker: boolean | undefined;
}

// Per-host liveness of the recorded processes (and engine ping for docker hosts).
export async function labStatus(dir: string = defaultLabDir()): Promise<{ state: LabState; hosts: HostStatus[] } | undefined> {
  const state = readState(dir);
  if (!state) return undefined;
  const hosts = await Promise.all(state.hosts.map(async (h) => ({
    name: h.name, ip: h.ip,
    keeper: isAlive(h.pids.keeper),
    sshd: isAlive(h.system ? h.pids.keeper : h.pids.sshd),
    docker: h.dockerSocket ? isAlive(h.pids.dockerd) && (await pingDocker(h.dockerSocket)) : undefined,
  })));
  return { state, hosts };
}

// Saves a changed host (new pids or key) back into lab.json.
function saveHost(host: LabHost): void {
  const state = readState(host.labDir);
  if (!state) return;
  state.hosts = state.hosts.map((h) => (h.name === host.name ? host : h));
  writeState(state);
}

// Man-in-the-middle simulation: the host gets a new key and its sshd restarts; known_hosts keeps the old one.
export async function replaceHostKey(host: LabHost): Promise<string> {
  const key = join(host.dir, 'ssh_host_ed25519_key');
  if (!existsSync(`${key}.orig`)) {
    copyFileSync(key, `${key}.orig`);
    copyFileSync(`${key}.pub`, `${key}.pub.orig`);
  }
  await killSshd(host);
  const pub = await newHostKey(host);
  await startSshd(host);
  saveHost(host);
  return pub;
}

// Puts back the key known_hosts lists (undoes replaceHostKey) and restarts sshd.
export async function restoreHostKey(host: LabHost): Promise<void> {
  const key = join(host.dir, 'ssh_host_ed25519_key');
  if (!existsSync(`${key}.orig`)) return;
  await killSshd(host);
  writeFileSync(key, readFileSync(`${key}.orig`), { mode: 0o600 });
  writeFileSync(`${key}.pub`, readFileSync(`${key}.pub.orig`));
  await startSshd(host);
  saveHost(host);
}

// Restarts a host's sshd (after killSshd) and records the new pid.
export async function restartSshd(host: LabHost): Promise<void> {
  await killSshd(host);
  await startSshd(host);
  saveHost(host);
}

// Environment that points the docker CLI at one host's engine.
export function hostDocker(host: LabHost): { DOCKER_HOST: string } {
  if (!host.dockerSocket) throw new Error(`${host.name} runs no Docker engine`);
  return { DOCKER_HOST: `unix://${host.dockerSocket}` };
}

// Stops a host's engine (containers first); used by tests that simulate a dead engine.
export async function stopHostDocker(host: LabHost): Promise<void> {
  await stopDockerd(host);
  saveHost(host);
}

// Kills a host's engine without a shutdown, as a crash would: dockerd, containerd, the shims and the containers.
export async function killHostDocker(host: LabHost): Promise<void> {
  await killDockerd(host);
  saveHost(host);
}

// Starts a host's engine again after stopHostDocker or killHostDocker; its containers stay stopped.
export async function startHostDocker(host: LabHost): Promise<void> {
  await startDockerd(host, writeRuntimeWrapper(host.labDir));
  saveHost(host);
}
export { startRelay, type Relay } from './lab-relay.js';
