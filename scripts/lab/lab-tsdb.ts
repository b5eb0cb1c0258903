// The lab's time-series database: Debian's InfluxDB 1.x (.ci/lab-deps.sh) on the bridge address, with authentication,
// as OMS's monitoring reaches one. Its folders live in the lab folder and go with it.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabState, type PidRef, defaultLabDir, readState } from './lab-config.js';
import { isAlive, pidRef, stopRefs, waitFor } from './proc.js';

export const TSDB_USER = 'oms_tsdb';
export const TSDB_PASSWORD = 'Tsdb#lab:1';
export const TSDB_PORT = 8086;

/** How to reach the lab's InfluxDB. */
export interface Tsdb {
  /** host:port, as tsdb_url takes it. */
  url: string;
  user: string;
  password: string;
}

interface TsdbRecord extends Tsdb {
  pid: PidRef;
}

const tsdbDir = (labDir: string): string => join(labDir, 'tsdb');
const recordFile = (labDir: string): string => join(tsdbDir(labDir), 'tsdb.json');

function readRecord(labDir: string): TsdbRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(labDir), 'utf8')) as TsdbRecord;
  } catch {
    return undefined;
  }
}

async function ping(url: string): Promise<boolean> {
  try {
    return (await fetch(`http://${url}/ping`, { signal: AbortSignal.timeout(1000) })).status === 204;
  } catch {
    return false;
  }
}

// Both listeners on the bridge address (its own per lab), so labs running side by side never share a port.
function config(dir: string, host: string): string {
  return [
    'reporting-disabled = true',
    `bind-address = "${host}:18088"`,
    '[meta]',
    `  dir = "${join(dir, 'meta')}"`,
    '[data]',
    `  dir = "${join(dir, 'data')}"`,
    `  wal-dir = "${join(dir, 'wal')}"`,
    '[http]',
    '  enabled = true',
    `  bind-address = "${host}:${TSDB_PORT}"`,
    '  auth-enabled = true',
    '  log-enabled = false',
    '[monitor]',
    '  store-enabled = false',
    '',
  ].join('\n');
}

// Starts InfluxDB (or finds it running) and makes the admin user OMS logs in as.
export async function startTsdb(lab: LabState): Promise<Tsdb> {
  const old = readRecord(lab.dir);
  if (old && isAlive(old.pid)) return { url: old.url, user: old.user, password: old.password };
  const dir = tsdbDir(lab.dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'influxdb.conf'), config(dir, lab.bridgeIp));
  const log = openSync(join(dir, 'influxd.out'), 'a');
  const child = spawn('influxd', ['-config', join(dir, 'influxdb.conf')], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('could not start influxd (install the lab packages: bash .ci/lab-deps.sh)');
  const url = `${lab.bridgeIp}:${TSDB_PORT}`;
  const record: TsdbRecord = { url, user: TSDB_USER, password: TSDB_PASSWORD, pid: pidRef(child.pid) };
  const file = recordFile(lab.dir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  if (!(await waitFor(async () => !isAlive(record.pid) || (await ping(url)), 30_000, 100)) || !isAlive(record.pid)) {
    throw new Error(`InfluxDB did not start; see ${join(dir, 'influxd.out')}`);
  }
  // With authentication on and no user yet, InfluxDB takes exactly this statement without credentials.
  const q = `CREATE USER "${TSDB_USER}" WITH PASSWORD '${TSDB_PASSWORD}' WITH ALL PRIVILEGES`;
  const res = await fetch(`http://${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
  if (!res.ok) throw new Error(`InfluxDB refused to create ${TSDB_USER}: ${res.status} ${await res.text()}`);
  return { url, user: TSDB_USER, password: TSDB_PASSWORD };
}

// Stops the lab's InfluxDB by its recorded pid; safe to repeat.
export async function stopTsdb(labDir: string = readState()?.dir ?? defaultLabDir()): Promise<void> {
  const r = readRecord(labDir);
  if (!r) return;
  await stopRefs([r.pid], 20_000);
  rmSync(recordFile(labDir), { force: true });
}
