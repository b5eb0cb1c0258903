// Memory, processors and mounts, with Ansible's names, units and types (sizes in bytes, counts as numbers).

export interface Mount {
  mount: string;
  device: string;
  fstype: string;
  options: string;
  size_total: number;
  size_available: number;
  block_size: number;
  block_total: number;
  block_available: number;
  block_used: number;
  inode_total: number;
  inode_available: number;
  inode_used: number;
  uuid: string;
}

const KB = 1024;
const BLOCK = 4096;

function meminfoMb(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) out[m[1]!] = Math.floor(Number(m[2]) / 1024);
  }
  return out;
}

export function memoryOf(meminfo: string): Record<string, number> {
  const mb = meminfoMb(meminfo);
  const out: Record<string, number> = {};
  if (mb.MemTotal !== undefined) out.memtotal_mb = mb.MemTotal;
  if (mb.MemFree !== undefined) out.memfree_mb = mb.MemFree;
  if (mb.SwapTotal !== undefined) out.swaptotal_mb = mb.SwapTotal;
  if (mb.SwapFree !== undefined) out.swapfree_mb = mb.SwapFree;
  return out;
}

// As Ansible's Linux collector: vcpus are processor entries; cores and count from `cpu cores` and `physical id`.
export function processorsOf(cpuinfo: string, nproc: string): Record<string, unknown> {
  const lines = cpuinfo.split('\n').map((l) => /^([^:]+?)\s*:\s*(.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m);
  const values = (key: string) => lines.filter((m) => m[1] === key).map((m) => m[2]!);
  const vcpus = values('processor').length;
  const sockets = new Set(values('physical id')).size || (vcpus ? 1 : 0);
  const cores = Number(values('cpu cores')[0] ?? 1) || 1;
  const out: Record<string, unknown> = {
    processor_vcpus: vcpus,
    processor_count: sockets,
    processor_cores: cores,
    processor_threads_per_core: sockets && cores ? Math.max(1, Math.floor(vcpus / (sockets * cores))) : 1,
    processor: processorList(lines),
  };
  if (/^\d+$/.test(nproc.trim())) out.processor_nproc = Number(nproc.trim());
  return out;
}

// Ansible's ansible_processor: index, vendor and model of each processor, flattened.
function processorList(lines: RegExpExecArray[]): string[] {
  const out: string[] = [];
  for (const m of lines) if (m[1] === 'processor' || m[1] === 'vendor_id' || m[1] === 'model name') out.push(m[2]!);
  return out;
}

// `df -P` rows keyed by mount point: [total, used, available] in the unit of the call.
function dfRows(text: string): Map<string, [number, number, number]> {
  const rows = new Map<string, [number, number, number]>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(.+)$/.exec(line);
    if (m) rows.set(m[4]!, [Number(m[1]), Number(m[2]), Number(m[3])]);
  }
  return rows;
}

const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

// Ansible keeps mounts whose device is a path or a network share (`host:/path`), skipping fstype none.
export function mountsOf(procMounts: string, df: string, dfInodes: string): Mount[] {
  const sizes = dfRows(df);
  const inodes = dfRows(dfInodes);
  const out: Mount[] = [];
  for (const line of procMounts.split('\n')) {
    const [device, mount, fstype, options] = line.split(' ');
    if (!device || !mount || !fstype || fstype === 'none') continue;
    if (!device.startsWith('/') && !device.includes(':/')) continue;
    const point = unescape(mount);
    const size = sizes.get(point);
    const ino = inodes.get(point) ?? [0, 0, 0];
    const [total, , avail] = size ?? [0, 0, 0];
    out.push({
      mount: point,
      device: unescape(device),
      fstype,
      options: options ?? '',
      size_total: total * KB,
      size_available: avail * KB,
      block_size: BLOCK,
      block_total: Math.floor((total * KB) / BLOCK),
      block_available: Math.floor((avail * KB) / BLOCK),
      block_used: Math.floor((total * KB) / BLOCK) - Math.floor((avail * KB) / BLOCK),
      inode_total: ino[0],
      inode_available: ino[2],
      inode_used: ino[0] - ino[2],
      uuid: 'N/A',
    });
  }
  return out;
}
