import { $ } from 'zx';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type LabState, type PidRef, defaultLabDir, readState } from './lab-config.js';
import { parseSubnet, subnetCapacity, subnetIp } from './lab-subnet.js';
import { isAlive, pidRef, signalRef, stopRefs, waitFor } from './proc.js';

const q = $({ quiet: true });

// The ports the OMS documents map on the VIP: CM (8088) and the console (8089).
export const VIP_PORTS = [8088, 8089];

/** The running load balancer. */
export interface Vip {
  /** The VIP: one more lab address on the bridge. */
  ip: string;
  ports: number[];
  /** Node IPs behind every port. */
  backends: string[];
}

interface VipRecord extends Vip {
  bridge: string;
  dir: string;
  pid: PidRef;
}

const vipDir = (labDir: string): string => join(labDir, 'vip');
const recordFile = (labDir: string): string => join(vipDir(labDir), 'vip.json');

function readRecord(labDir: string): VipRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(labDir), 'utf8')) as VipRecord;
  } catch {
    return undefined;
  }
}

function writeRecord(labDir: string, r: VipRecord): void {
  const file = recordFile(labDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(r, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

// The VIP address of a lab: the last usable address of its block (hosts count up from the start).
export function vipAddress(lab: Pick<LabState, 'subnet'>): string {
  const s = parseSubnet(lab.subnet);
  return subnetIp(s, subnetCapacity(s));
}

// haproxy TCP config: one frontend per port on the VIP, every node as a checked backend server.
export function haproxyConfig(vip: string, ports: number[], backends: string[], statsSocket?: string): string {
  const lines = [
    'global', '  maxconn 4000', ...(statsSocket ? [`  stats socket ${statsSocket} mode 600 level admin`] : []), '',
    'defaults', '  mode tcp', '  timeout connect 1s', '  timeout client 5m', '  timeout server 5m',
    '  option redispatch', '  retries 2', '',
  ];
  for (const port of ports) {
    lines.push(`frontend vip_${port}`, `  bind ${vip}:${port}`, `  default_backend nodes_${port}`, '');
    lines.push(`backend nodes_${port}`, '  balance roundrobin', '  default-server inter 500ms fall 2 rise 1');
    backends.forEach((ip, i) => lines.push(`  server n${i + 1}_${ip.replace(/\./g, '_')} ${ip}:${port} check`));
    lines.push('');
  }
  return lines.join('\n');
}

// Worker pids of the haproxy master (its direct children).
function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

async function writeConfig(dir: string, vip: string, ports: number[], backends: string[]): Promise<string> {
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(`${cfg}.new`, haproxyConfig(vip, ports, backends, join(dir, 'haproxy.sock')));
  const check = await q`haproxy -c -q -f ${`${cfg}.new`}`.nothrow();
  if (check.exitCode !== 0) throw new Error(`haproxy refused the VIP config: ${check.stderr.trim() || check.stdout.trim()}`);
  renameSync(`${cfg}.new`, cfg);
  return cfg;
}

// Puts the VIP on the lab bridge and starts haproxy (master-worker) in front of the nodes; restarts an earlier one.
export async function startVip(lab: LabState, nodeIps: string[], ports: number[] = VIP_PORTS): Promise<Vip> {
  await stopVip(lab.dir);
  const dir = vipDir(lab.dir);
  mkdirSync(dir, { recursive: true });
  const ip = vipAddress(lab);
  await q`ip addr replace ${`${ip}/32`} dev ${lab.bridge}`;
  const cfg = await writeConfig(dir, ip, ports, nodeIps);
  const pidFile = join(dir, 'haproxy.pid');
  rmSync(pidFile, { force: true });
  await q`haproxy -W -D -f ${cfg} -p ${pidFile}`;
  await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 5000);
  const pid = pidRef(Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]));
  writeRecord(lab.dir, { ip, ports, backends: [...nodeIps], bridge: lab.bridge, dir, pid });
  return { ip, ports, backends: [...nodeIps] };
}

// Replaces the backend list (scale-out or in) with a hitless reload: the VIP and the master process stay.
export async function setVipBackends(nodeIps: string[], labDir: string = defaultLabDir()): Promise<Vip> {
  const r = readRecord(labDir);
  if (!r || !isAlive(r.pid)) throw new Error(`no VIP runs for the lab in ${labDir}: start it with startVip`);
  await writeConfig(r.dir, r.ip, r.ports, nodeIps);
  const before = new Set(children(r.pid.pid));
  signalRef(r.pid, 'SIGUSR2');
  const ok = await waitFor(() => children(r.pid.pid).some((c) => !before.has(c)), 5000, 20);
  if (!ok) throw new Error(`haproxy did not reload; see ${join(r.dir, 'haproxy.cfg')}`);
  r.backends = [...nodeIps];
  writeRecord(labDir, r);
  return { ip: r.ip, ports: r.ports, backends: r.backends };
}

// Health of every backend server as haproxy sees it, e.g. { 'nodes_8089/198.18.1.2': 'UP' }.
export async function vipServerStates(labDir: string = defaultLabDir()): Promise<Record<string, string>> {
  const r = readRecord(labDir);
  if (!r || !isAlive(r.pid)) return {};
  const csv = await new Promise<string>((resolve) => {
    let out = '';
    const s = connect(join(r.dir, 'haproxy.sock'), () => s.end('show stat\n'));
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
  });
  const states: Record<string, string> = {};
  for (const line of csv.split('\n')) {
    const f = line.split(',');
    const addr = /^n\d+_(.+)$/.exec(f[1] ?? '');
    if (f[0]?.startsWith('nodes_') && addr) states[`${f[0]}/${addr[1]!.replace(/_/g, '.')}`] = (f[17] ?? '').split(' ')[0]!;
  }
  return states;
}

// The running VIP, or undefined.
export function vipInfo(labDir: string = defaultLabDir()): Vip | undefined {
  const r = readRecord(labDir);
  return r && isAlive(r.pid) ? { ip: r.ip, ports: r.ports, backends: r.backends } : undefined;
}

// Stops haproxy by its recorded pid and takes the VIP off the bridge; safe to repeat.
export async function stopVip(labDir: string = readState()?.dir ?? defaultLabDir()): Promise<void> {
  const r = readRecord(labDir);
  if (!r) return;
  await stopRefs([r.pid]);
  await q`ip addr del ${`${r.ip}/32`} dev ${r.bridge}`.nothrow();
  rmSync(recordFile(labDir), { force: true });
}
