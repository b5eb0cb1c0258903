// A test's own SSH connections to lab hosts, and the one-host whole-system lab that module tests share per file.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { freeSideSubnet, labDown, labUp, type Lab, type LabHost } from './lab-helper.js';

// As root or the tester, pinned to the lab's known_hosts.
export function labConnection(lab: Lab, host: LabHost, user = 'root'): SshConnection {
  return new SshConnection({
    host: host.name, address: host.ip, port: 22, user, privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict',
    knownHostsFile: lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000,
  });
}

// What a host prints for a shell script (stdout, then stderr), trimmed.
export async function shellOn(conn: SshConnection, script: string): Promise<string> {
  const r = await conn.exec(['sh', '-c', script]);
  return `${r.stdout}${r.stderr}`.trim();
}

/** One whole-system host of a test file's lab, with connections as root and as the tester; filled in by beforeAll. */
export interface SystemHostLab {
  lab: Lab;
  host: LabHost;
  root: SshConnection;
  tester: SshConnection;
  /** `/var/tmp/omsrun-NAME`, removed after the file. */
  work: string;
}

// Brings up a lab of one whole-system host for a test file and tears it down after.
export function useSystemHostLab(name: string): SystemHostLab {
  const side = {} as SystemHostLab;
  beforeAll(async () => {
    // A fixed folder per lab name: an earlier run killed midway left its overlays here, and labUp clears them.
    side.work = `/var/tmp/omsrun-${name}`;
    mkdirSync(side.work, { recursive: true });
    side.lab = await labUp({ hosts: 1, system: 1, name, dir: join(side.work, 'lab'), subnet: await freeSideSubnet() });
    side.host = side.lab.hosts[0]!;
    side.root = labConnection(side.lab, side.host);
    side.tester = labConnection(side.lab, side.host, side.lab.tester.user);
    await side.root.connect();
    await side.tester.connect();
  }, 900_000);
  afterAll(async () => {
    await side.root?.close();
    await side.tester?.close();
    if (!side.work) return;
    await labDown(join(side.work, 'lab'), name);
    rmSync(side.work, { recursive: true, force: true });
  }, 120_000);
  return side;
}
