import { $ } from 'zx';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type LabState, type PidRef, defaultLabDir, readState } from './lab-config.js';
import { isAlive, pidRef, signalRef, stopRefs, waitFor } from './proc.js';

const q = $({ quiet: true });

// The MetaDB account the OMS config uses; the password holds YAML-special characters on purpose.
export const METADB_USER = 'oms_meta';
export const METADB_PASSWORD = 'OmsMeta#lab:1';
export const METADB_PORT = 3306;

/** How to log in to the lab's MetaDB. */
export interface MetaDb {
  host: string;
  port: number;
  user: string;
  password: string;
}

interface MetaDbRecord extends MetaDb {
  pid: PidRef;
  socket: string;
}

/** Options of `startMetaDb`. */
export interface StartMetaDbOptions {
  /** Password of `oms_meta`. @defaultValue METADB_PASSWORD */
  password?: string;
  /** Port on the bridge address. @defaultValue 3306 */
  port?: number;
}

const metaDir = (labDir: string): string => join(labDir, 'metadb');
const recordFile = (labDir: string): string => join(metaDir(labDir), 'metadb.json');

function readRecord(labDir: string): MetaDbRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(labDir), 'utf8')) as MetaDbRecord;
  } catch {
    return undefined;
  }
}

// True once the server accepts TCP connections on host:port.
export function tcpOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

// mariadbd arguments: own datadir, socket and pid under the lab dir, bound to the bridge address only.
export function mariadbArgs(dir: string, host: string, port: number): string[] {
  return [
    '--no-defaults', `--datadir=${join(dir, 'data')}`, `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`, `--log-error=${join(dir, 'mariadb.err')}`,
    `--bind-address=${host}`, `--port=${port}`, '--user=root', '--skip-name-resolve',
    '--innodb-buffer-pool-size=32M', '--skip-log-bin', '--performance-schema=OFF', '--max-connections=500',
  ];
}

// Starts (or finds running) the lab's MariaDB on the bridge address, with the `oms_meta` user allowed from anywhere.
export async function startMetaDb(lab: LabState, opts: StartMetaDbOptions = {}): Promise<MetaDb> {
  const password = opts.password ?? METADB_PASSWORD;
  const port = opts.port ?? METADB_PORT;
  const dir = metaDir(lab.dir);
  const old = readRecord(lab.dir);
  if (old && isAlive(old.pid) && old.password === password && old.port === port) {
    return { host: old.host, port: old.port, user: old.user, password: old.password };
  }
  if (old) await stopRefs([old.pid], 10_000);
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'mysqld.sock');
  if (!existsSync(join(dir, 'data', 'mysql'))) {
    rmSync(join(dir, 'data'), { recursive: true, force: true });
    await q`mariadb-install-db --no-defaults --user=root --datadir=${join(dir, 'data')} --auth-root-authentication-method=socket --skip-test-db`;
  }
  const log = openSync(join(dir, 'mariadbd.out'), 'a');
  const child = spawn('mariadbd', mariadbArgs(dir, lab.bridgeIp, port), { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('could not start mariadbd');
  const record: MetaDbRecord = { host: lab.bridgeIp, port, user: METADB_USER, password, pid: pidRef(child.pid), socket };
  writeRecord(lab.dir, record);
  const up = await waitFor(async () => !isAlive(record.pid) || (existsSync(socket) && (await tcpOpen(lab.bridgeIp, port))), 30_000, 100);
  if (!up || !isAlive(record.pid)) {
    throw new Error(`MetaDB did not start; see ${join(dir, 'mariadb.err')}: ${tail(join(dir, 'mariadb.err'))}`);
  }
  const pw = password.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  const sql = [
    `CREATE USER IF NOT EXISTS '${METADB_USER}'@'%' IDENTIFIED BY '${pw}'`,
    `ALTER USER '${METADB_USER}'@'%' IDENTIFIED BY '${pw}'`,
    `GRANT ALL PRIVILEGES ON *.* TO '${METADB_USER}'@'%' WITH GRANT OPTION`,
    'FLUSH PRIVILEGES',
  ].join(';\n');
  await $({ quiet: true, input: `${sql};\n` })`mariadb --no-defaults --user=root --socket=${socket}`;
  return { host: record.host, port, user: METADB_USER, password };
}

function writeRecord(labDir: string, r: MetaDbRecord): void {
  const file = recordFile(labDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(r, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

// Login facts of the running MetaDB, or undefined when none runs.
export function metaDbInfo(labDir: string = defaultLabDir()): MetaDb | undefined {
  const r = readRecord(labDir);
  return r && isAlive(r.pid) ? { host: r.host, port: r.port, user: r.user, password: r.password } : undefined;
}

// Stops the lab's MariaDB by its recorded pid; the datadir stays until the lab folder goes; safe to repeat.
export async function stopMetaDb(labDir: string = readState()?.dir ?? defaultLabDir()): Promise<void> {
  const r = readRecord(labDir);
  if (!r) return;
  await stopRefs([r.pid], 20_000);
  rmSync(recordFile(labDir), { force: true });
}

// Freezes (SIGSTOP) or thaws (SIGCONT) the lab's MariaDB: a hung server still accepts TCP connections but never answers.
export function pauseMetaDb(labDir: string, paused: boolean): void {
  const r = readRecord(labDir);
  if (!r || !isAlive(r.pid)) throw new Error('no MetaDB runs in this lab');
  signalRef(r.pid, paused ? 'SIGSTOP' : 'SIGCONT');
}
