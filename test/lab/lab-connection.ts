// A test's own SSH connections to lab hosts, the whole-system labs that tests share per file, and module runs on them.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import type { SshTarget } from '../../src/connection/ssh/target.js';
import type { Module, ModuleContext, ModuleOutcome } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { makeContext } from '../helpers/module-context.js';
import { freeSideSubnet, labDown, labUp, type Lab, type LabHost } from './lab-helper.js';

// As root or the tester with the lab key (`over` changes that), pinned to the lab's known_hosts.
export function labConnection(lab: Lab, host: LabHost, user = 'root', over: Partial<SshTarget> = {}): SshConnection {
  return new SshConnection({
    host: host.name, address: host.ip, port: 22, user, privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict',
    knownHostsFile: lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000, ...over,
  });
}

/** The first host of a test file's lab, connected as root and as the tester; filled in by beforeAll. */
export interface LabHostConnections {
  host: LabHost;
  root: SshConnection;
  /** Logged in with the tester's password, as sudo then asks for it. */
  tester: SshConnection;
}

// Connects to the first host of a lab brought up earlier in the file (useSideLab), and closes after the tests.
export function useLabHostConnections(side: { lab: Lab }): LabHostConnections {
  const c = {} as LabHostConnections;
  beforeAll(async () => {
    c.host = side.lab.hosts[0]!;
    c.root = labConnection(side.lab, c.host);
    c.tester = labConnection(side.lab, c.host, side.lab.tester.user, { password: side.lab.tester.password, privateKeyFile: undefined });
    await Promise.all([c.root.connect(), c.tester.connect()]);
  });
  afterAll(async () => {
    await Promise.all([c.root?.close(), c.tester?.close()]);
  });
  return c;
}

// What a host prints for a shell script (stdout, then stderr), trimmed.
export async function shellOn(conn: SshConnection, script: string): Promise<string> {
  const r = await conn.exec(['sh', '-c', script]);
  return `${r.stdout}${r.stderr}`.trim();
}

/** A test file's lab of whole-system hosts; filled in by beforeAll. */
export interface SystemLab {
  lab: Lab;
  /** `/var/tmp/omsrun-NAME`, removed after the file. */
  work: string;
}

/** One whole-system host of a test file's lab, with connections as root and as the tester; filled in by beforeAll. */
export interface SystemHostLab extends SystemLab {
  host: LabHost;
  root: SshConnection;
  tester: SshConnection;
}

// A fixed folder per lab name: an earlier run killed midway left its overlays here, and labUp clears them.
async function systemLabUp(side: SystemLab, name: string, hosts: number): Promise<void> {
  side.work = `/var/tmp/omsrun-${name}`;
  mkdirSync(side.work, { recursive: true });
  side.lab = await labUp({ hosts, system: hosts, name, dir: join(side.work, 'lab'), subnet: await freeSideSubnet() });
}

async function systemLabDown(side: SystemLab, name: string): Promise<void> {
  if (!side.work) return;
  await labDown(join(side.work, 'lab'), name);
  rmSync(side.work, { recursive: true, force: true });
}

// Brings up a lab of `hosts` whole-system hosts for a test file and tears it down after.
export function useSystemLab(name: string, hosts: number): SystemLab {
  const side = {} as SystemLab;
  beforeAll(() => systemLabUp(side, name, hosts), 900_000);
  afterAll(() => systemLabDown(side, name), 120_000);
  return side;
}

// Brings up a lab of one whole-system host for a test file, connected as root and as the tester, and tears it down after.
export function useSystemHostLab(name: string): SystemHostLab {
  const side = {} as SystemHostLab;
  beforeAll(async () => {
    await systemLabUp(side, name, 1);
    side.host = side.lab.hosts[0]!;
    side.root = labConnection(side.lab, side.host);
    side.tester = labConnection(side.lab, side.host, side.lab.tester.user);
    await side.root.connect();
    await side.tester.connect();
  }, 900_000);
  afterAll(async () => {
    await side.root?.close();
    await side.tester?.close();
    await systemLabDown(side, name);
  }, 120_000);
  return side;
}

/** Module runs on a test file's lab host as root: `over` changes the context (another connection, become, check mode). */
export interface HostRunner {
  ctx: (over?: Partial<ModuleContext>) => ModuleContext;
  run: (m: Module, args: unknown, over?: Partial<ModuleContext>) => Promise<ModuleOutcome>;
  /** What the host prints for a shell script as root (stdout, then stderr), trimmed. */
  sh: (script: string) => Promise<string>;
}

// Read when called, so it may be made before beforeAll connects. A command that hangs ends as a failed task naming
// it, instead of the test timing out without a word.
export function hostRunner(side: SystemHostLab): HostRunner {
  const ctx = (over: Partial<ModuleContext> = {}): ModuleContext => makeContext({ conn: side.root, host: side.host.name, timeoutMs: 45_000, ...over });
  return {
    ctx,
    run: (m, args, over = {}) => runModule(m, args, ctx(over)),
    sh: (script) => shellOn(side.root, script),
  };
}
