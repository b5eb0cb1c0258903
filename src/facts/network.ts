// ansible_default_ipv4, ansible_all_ipv4_addresses and ansible_interfaces from `ip` output or /proc/net/route.

/** One IPv4 address of an interface, with the keys Ansible gives ansible_default_ipv4. */
export interface Ipv4 {
  address: string;
  broadcast: string;
  netmask: string;
  network: string;
  prefix: string;
}

export interface DefaultIpv4 extends Partial<Ipv4> {
  alias?: string;
  gateway?: string;
  interface: string;
  macaddress?: string;
  mtu?: number;
  type?: string;
}

interface Link {
  mac?: string;
  mtu?: number;
  type?: string;
}

export interface NetworkFacts {
  default_ipv4: DefaultIpv4 | Record<string, never>;
  all_ipv4_addresses: string[];
  interfaces: string[];
}

function toNum(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

// Netmask and network of `address/prefix`; the broadcast only as `ip` shows it (`brd`), else '' as in Ansible.
export function ipv4Of(cidr: string, brd?: string): Ipv4 {
  const [address, bits = '32'] = cidr.split('/') as [string, string?];
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (0xffffffff - (2 ** (32 - prefix) - 1)) >>> 0;
  const network = (toNum(address) & mask) >>> 0;
  return { address, broadcast: brd ?? '', netmask: toIp(mask), network: toIp(network), prefix: String(prefix) };
}

// `ip -o -4 addr show`: `2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0:1\ ...`.
function parseAddrs(text: string): { dev: string; label: string; ip: Ipv4 }[] {
  const out: { dev: string; label: string; ip: Ipv4 }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\S+)(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[3]!.split('\\')[0]!;
    const brd = /\bbrd (\S+)/.exec(rest)?.[1];
    const label = /\bscope \S+(?: \S+)*? (\S+)\s*$/.exec(rest.trim().replace(/\s+(dynamic|noprefixroute|secondary|deprecated|tentative)\b/g, ''))?.[1];
    out.push({ dev: m[1]!, label: label ?? m[1]!, ip: ipv4Of(m[2]!, brd) });
  }
  return out;
}

// `ip -o link show`: `2: eth0@if9: <...> mtu 1500 ... \    link/ether aa:bb:... brd ...`.
function parseLinks(text: string): Map<string, Link> {
  const links = new Map<string, Link>();
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s.*?\bmtu (\d+)/.exec(line);
    if (!m) continue;
    const kind = /link\/(\S+)(?: (\S+))?/.exec(line);
    links.set(m[1]!, { mtu: Number(m[2]), type: kind?.[1] === 'ether' ? 'ether' : kind?.[1], mac: kind?.[1] === 'ether' ? kind[2] : undefined });
  }
  return links;
}

// /proc/net/route: the default route's interface and gateway (little-endian hex), when `ip` is missing.
function procDefault(text: string): { dev: string; gateway: string } | undefined {
  for (const line of text.split('\n').slice(1)) {
    const [dev, dest, gw, , , , , mask] = line.trim().split(/\s+/);
    if (!dev || dest !== '00000000' || mask !== '00000000' || !gw) continue;
    const bytes = gw.match(/../g)!.map((h) => parseInt(h, 16)).reverse();
    return { dev, gateway: bytes.join('.') };
  }
  return undefined;
}

/** Raw sections the network facts come from. */
export interface NetworkSections {
  route?: string;
  addr?: string;
  link?: string;
  procRoute?: string;
}

export function networkOf(s: NetworkSections): NetworkFacts {
  const addrs = parseAddrs(s.addr ?? '');
  const links = parseLinks(s.link ?? '');
  const interfaces = links.size ? [...links.keys()] : [...new Set(addrs.map((a) => a.dev))];
  const all = addrs.map((a) => a.ip.address).filter((a) => !a.startsWith('127.'));
  const viaIp = /^default\s.*?\bdev (\S+)/.exec(s.route ?? '');
  const route = viaIp
    ? { dev: viaIp[1]!, gateway: /\bvia (\S+)/.exec(s.route ?? '')?.[1], src: /\bsrc (\S+)/.exec(s.route ?? '')?.[1] }
    : procDefault(s.procRoute ?? '');
  if (!route) return { default_ipv4: {}, all_ipv4_addresses: all, interfaces };
  const src = 'src' in route ? route.src : undefined;
  const own = addrs.filter((a) => a.dev === route.dev);
  const addr = own.find((a) => a.ip.address === src) ?? own[0];
  const link = links.get(route.dev);
  const def: DefaultIpv4 = {
    ...(addr ? { ...addr.ip, alias: addr.label } : {}),
    gateway: route.gateway,
    interface: route.dev,
    macaddress: link?.mac,
    mtu: link?.mtu,
    type: link?.type,
  };
  for (const k of Object.keys(def) as (keyof DefaultIpv4)[]) if (def[k] === undefined) delete def[k];
  return { default_ipv4: def, all_ipv4_addresses: all, interfaces };
}
