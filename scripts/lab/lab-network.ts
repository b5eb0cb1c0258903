import { readFileSync, writeFileSync } from 'node:fs';
import { $ } from 'zx';

const q = $({ quiet: true });

// Creates the bridge holding the controller's address (the block's first).
export async function createBridge(bridge: string, bridgeIp: string, prefix: number): Promise<void> {
  await q`ip link add ${bridge} type bridge`;
  await q`ip link set ${bridge} type bridge stp_state 0 forward_delay 0`;
  await q`ip addr add ${`${bridgeIp}/${prefix}`} dev ${bridge}`;
  await q`ip link set ${bridge} up`;
}

// One host's network: namespace, veth pair into the bridge, address, lo and eth0 up.
export async function createHostNetwork(netns: string, veth: string, bridge: string, ip: string, prefix: number): Promise<void> {
  const script = [
    `ip netns add ${netns}`,
    `ip link add ${veth} type veth peer name eth0 netns ${netns}`,
    `ip link set ${veth} master ${bridge} up`,
    `ip -n ${netns} addr add ${ip}/${prefix} dev eth0`,
    `ip -n ${netns} link set lo up`,
    `ip -n ${netns} link set eth0 up`,
  ].join(' && ');
  await q`sh -ec ${script}`;
}

// Namespaces whose name starts with the prefix, from `ip netns list`.
export async function listNetns(prefix: string): Promise<string[]> {
  const out = await q`ip netns list`.nothrow();
  return out.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

// Links whose name starts with the prefix, from `ip -o link`.
export async function listLinks(prefix: string): Promise<string[]> {
  const out = await q`ip -o link show`.nothrow();
  return out.stdout
    .split('\n')
    .map((l) => (l.split(': ')[1] ?? '').split('@')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

// Runs many `ip` commands in one process, going on past failures (used for teardown).
export async function ipBatch(lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await $({ quiet: true, nothrow: true, input: lines.join('\n') + '\n' })`ip -force -batch -`;
}

/** Ports a Linux bridge takes (BR_MAX_PORTS): one per host's veth. */
export const BRIDGE_MAX_PORTS = 1024;

// The controller keeps one neighbour (ARP) entry per host it talks to; the kernel's default hard cap of 1,024 entries
// (gc_thresh3) drops the ones past it ("neighbour table overflow"). Raises the thresholds, never lowers them.
export function ensureNeighbourRoom(hosts: number): void {
  const want = { gc_thresh1: hosts + 256, gc_thresh2: 2 * hosts + 512, gc_thresh3: 4 * hosts + 1024 };
  for (const [key, value] of Object.entries(want)) {
    const file = `/proc/sys/net/ipv4/neigh/default/${key}`;
    if (Number(readFileSync(file, 'utf8')) < value) writeFileSync(file, String(value));
  }
}
