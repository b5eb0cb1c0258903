// What the OMS lab tests share: the built CLI run against a side lab (own lock and audit log), HTTP probes, VIP polling.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OmsLabParts } from '../../scripts/demo.js';
import type { LabHost } from '../lab/lab-helper.js';
import { Agent, fetch as tlsFetch } from 'undici';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/omsrun.js');

/** A side lab's OMS parts, without the inventory extras. */
export type OmsLab = Omit<OmsLabParts, 'vars' | 'hostVars'>;

/** One run of the CLI: its exit code and stdout + stderr together. */
export interface CliRun {
  code: number | null;
  out: string;
}

/** Runs `omsrun ARGS` with a lock path and audit log of the lab's own, plain output, CI=true, from `cwd` (default the repository). */
export function omsrunIn(lab: string, work: string, args: string[], onSpawn?: (pid: number) => void, cwd = ROOT): Promise<CliRun> {
  const iso = ['-e', `omsrun_lock_path=/run/omsrun-${lab}.lock`, '-e', `omsrun_audit_log=${work}/audit.log`];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '--no-color', ...iso], { cwd, env: { ...process.env, CI: 'true' } });
    if (child.pid) onSpawn?.(child.pid);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** What GET url got: its HTTP status, or why nothing answered (no answer within timeoutMs, refused, reset, ...). */
export async function answer(url: string, timeoutMs = 3000): Promise<number | string> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).status;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    return e.cause?.code ?? e.cause?.message ?? e.message;
  }
}

/** The HTTP status of GET url, -1 when nothing answered within 3 s. */
export async function get(url: string): Promise<number> {
  const a = await answer(url);
  return typeof a === 'number' ? a : -1;
}

/** GET /oms/health: the status and data.healthy (-1 and null when nothing answered). */
export async function health(ip: string, tls?: Agent): Promise<{ status: number; healthy: boolean | null }> {
  try {
    // With a TLS agent (it trusts the lab's certificate) the console is asked over HTTPS.
    const res = tls
      ? await tlsFetch(`https://${ip}:8089/oms/health`, { dispatcher: tls, signal: AbortSignal.timeout(3000) })
      : await fetch(`http://${ip}:8089/oms/health`, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json()) as { data?: { healthy?: boolean } };
    return { status: res.status, healthy: body.data?.healthy ?? null };
  } catch {
    return { status: -1, healthy: null };
  }
}

/** The i-th lab host (0-based). */
export function labNode(lab: OmsLab, i: number): LabHost {
  return lab.lab.hosts[i] as LabHost;
}

/** What the VIP answered while a run went on: polls, non-200 answers, and 200s with healthy other than true. */
export interface VipPolls<T> {
  result: T;
  polls: number;
  failures: number[];
  unhealthy: number;
  /** Whether the last poll, after the run, was a healthy 200. */
  healthyAtEnd: boolean;
}

/** Polls the VIP's /oms/health every 50 ms while `run` goes on. */
export async function pollVipDuring<T>(vipIp: string, run: () => Promise<T>, tls?: Agent): Promise<VipPolls<T>> {
  let polls = 0;
  let unhealthy = 0;
  const failures: number[] = [];
  let done = false;
  const poller = (async () => {
    while (!done) {
      const h = await health(vipIp, tls);
      polls++;
      if (h.status !== 200) failures.push(h.status);
      else if (h.healthy !== true) unhealthy++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await run();
  done = true;
  await poller;
  const last = await health(vipIp, tls);
  return { result, polls, failures, unhealthy, healthyAtEnd: last.status === 200 && last.healthy === true };
}

/** Every command line on this machine that holds `secret`, read while a run goes on (a password must be in none). */
export function commandLinesWith(secret: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (argv.includes(secret)) found.push(argv);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Runs SQL on the lab's MetaDB with the MariaDB client (password in MYSQL_PWD); tab-separated rows, no header. */
export function metadbSql(lab: OmsLab, query: string, db = ''): string {
  const { host, port, user, password } = lab.metadb;
  return execFileSync('mariadb', ['-h', host, '-P', String(port), '-u', user, '-N', '-B', '-e', query, ...(db ? [db] : [])], {
    env: { ...process.env, MYSQL_PWD: password },
    encoding: 'utf8',
  }).trim();
}

/** Runs `run` while reading every command line of the machine every 20 ms; `seen` lists those that held `secret`. */
export async function commandLinesDuring<T>(secret: string, run: () => Promise<T>): Promise<{ result: T; seen: string[] }> {
  const seen: string[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      seen.push(...commandLinesWith(secret));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    return { result: await run(), seen };
  } finally {
    polling = false;
    await poller;
  }
}
