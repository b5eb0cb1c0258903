import { $ } from 'zx';

/** A lab's address block inside 198.18.0.0/15. */
export interface Subnet {
  cidr: string;
  base: number;
  prefix: number;
}

// The shared lab's block; side labs take /24s elsewhere in the /15 so routes never overlap.
export const MAIN_SUBNET = '198.18.0.0/17';

const toInt = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const BENCH = { base: toInt('198.18.0.0'), prefix: 15 };

// Parses and checks a block (bare 18 or 19 means that /16): aligned, /16 to /24, inside 198.18.0.0/15.
export function parseSubnet(given: string): Subnet {
  const cidr = /^1[89]$/.test(given) ? `198.${given}.0.0/16` : given;
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  const prefix = m ? Number(m[2]) : NaN;
  const base = m ? toInt(m[1]!) : NaN;
  if (!m || prefix < 16 || prefix > 24 || base % 2 ** (32 - prefix) !== 0 || !overlaps({ base, prefix }, BENCH)) {
    throw new Error(`lab subnet must be an aligned /16../24 block inside 198.18.0.0/15; got "${cidr}"`);
  }
  return { cidr, base, prefix };
}

function overlaps(a: { base: number; prefix: number }, b: { base: number; prefix: number }): boolean {
  const p = Math.min(a.prefix, b.prefix);
  const size = 2 ** (32 - p);
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

// Hosts a block holds: .0 and .255 of each /24 are skipped, and the first address is the bridge's.
export function subnetCapacity(s: Subnet): number {
  return 2 ** (24 - s.prefix) * 254 - 1;
}

// Address of the bridge (index 0) or host i.
export function subnetIp(s: Subnet, index: number): string {
  if (index < 0 || index > subnetCapacity(s)) throw new Error(`${s.cidr} holds ${subnetCapacity(s)} hosts; asked for host ${index}`);
  return toIp(s.base + Math.floor(index / 254) * 256 + (index % 254) + 1);
}

// IPv4 networks on this machine's links, as `ip -o -4 addr` lists them.
async function usedNetworks(): Promise<{ link: string; base: number; prefix: number; text: string }[]> {
  const out = await $({ quiet: true, nothrow: true })`ip -o -4 addr show`;
  return out.stdout.split('\n').flatMap((line) => {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(line);
    if (!m) return [];
    const prefix = Number(m[3]);
    const size = 2 ** (32 - prefix);
    return [{ link: m[1]!, base: Math.floor(toInt(m[2]!) / size) * size, prefix, text: `${m[2]}/${m[3]}` }];
  });
}

// Throws when another link already holds an address in the block (another lab would steal its routes).
export async function assertSubnetFree(s: Subnet, ownBridge: string): Promise<void> {
  const clash = (await usedNetworks()).find((n) => n.link !== ownBridge && overlaps(n, s));
  if (clash) throw new Error(`lab subnet ${s.cidr} overlaps ${clash.text} on ${clash.link} (another lab); pick another block`);
}

/** The smallest block prefix (/24 at most) holding `hosts` hosts besides the bridge. */
export function prefixFor(hosts: number): number {
  let prefix = 24;
  while (prefix > 16 && 2 ** (24 - prefix) * 254 - 1 < hosts) prefix--;
  return prefix;
}

// A free block for a side lab, a /24 unless `hosts` needs more (1,000 hosts: a /22), in 198.18.128.0/17 first,
// then 198.19.0.0/16, picked at random to dodge parallel pickers.
export async function freeSideSubnet(hosts = 1): Promise<string> {
  const used = await usedNetworks();
  const prefix = prefixFor(hosts);
  const step = 2 ** (24 - prefix);
  const candidates: string[] = [];
  for (let b = 128; b < 256; b += step) candidates.push(`198.18.${b}.0/${prefix}`);
  for (let b = 0; b < 256; b += step) candidates.push(`198.19.${b}.0/${prefix}`);
  const free = candidates.filter((c) => !used.some((n) => overlaps(n, parseSubnet(c))));
  if (free.length === 0) throw new Error(`no free /${prefix} left in 198.18.128.0/17 or 198.19.0.0/16 for a side lab`);
  return free[Math.floor(Math.random() * free.length)]!;
}
