// A private side lab with two Docker hosts, a busybox image saved as .tar and .tar.gz, SSH connections to both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { importBusyboxImage } from '../../scripts/lab/busybox-image.js';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import type { ModuleContext } from '../../src/modules/support/module.js';
import { runModule } from '../../src/modules/support/run-module.js';
import type { Module, ModuleOutcome } from '../../src/modules/support/module.js';
import { freeSideSubnet, hostDocker, labDown, labUp, type Lab, type LabHost } from '../lab/lab-helper.js';
import { makeContext, type TestContext } from '../helpers/module-context.js';

export const TAG = 'omsrun-dk:1';

/** Everything the docker lab tests share. */
export interface DockerLab {
  lab: Lab;
  hosts: [LabHost, LabHost];
  conns: [SshConnection, SshConnection];
  work: string;
  tarGz: string;
  tar: string;
  down(): Promise<void>;
}

const INIT = `#!/bin/sh
mkdir -p /home/admin/logs
echo "step one" > /home/admin/logs/docker_init_1.log
sleep 1
for i in $(seq 1 50); do echo "init log line $i"; done > /home/admin/logs/docker_init_2.log
echo "ERROR 1235 (0A000): Modify large text/lob column not supported"
if [ "$1" = fail ]; then echo "ERROR 2003: cannot reach the MetaDB" >&2; exit 3; fi
echo "all steps done"
`;

// Brings the side lab up (a fresh name, folder and subnet per run, so parallel runs never clear each other) and saves the image.
export async function dockerLabUp(): Promise<DockerLab> {
  const work = mkdtempSync(join(tmpdir(), 'omsrun-dk-'));
  const dir = join(work, 'lab');
  const name = `dk${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
  try {
    return await setUp(work, dir, name);
  } catch (err) {
    await labDown(dir, name);
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

async function setUp(work: string, dir: string, name: string): Promise<DockerLab> {
  const lab = await labUp({ hosts: 2, docker: 2, name, dir, subnet: await freeSideSubnet() });
  const hosts = lab.hosts as [LabHost, LabHost];
  const env = hostDocker(hosts[0]);
  await importBusyboxImage(env, join(work, 'img'), { tag: TAG, cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'], files: { '/root/init.sh': { content: INIT, mode: 0o755 } } });
  const tarGz = join(work, 'oms_dk_1.tar.gz');
  const tar = join(work, 'oms_dk_1.tar');
  const d = $({ quiet: true, env: { ...process.env, ...env } });
  await d`docker save ${TAG} -o ${tar}`;
  await d`gzip -k ${tar}`;
  await d`docker rmi ${TAG}`;
  const conns = hosts.map((h) => new SshConnection({
    host: h.name, address: h.ip, port: 22, user: 'root', privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict',
    knownHostsFile: lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000,
  })) as [SshConnection, SshConnection];
  await Promise.all(conns.map((c) => c.connect()));
  const down = async (): Promise<void> => {
    await Promise.all(conns.map((c) => c.close()));
    await labDown(dir, name);
    rmSync(work, { recursive: true, force: true });
  };
  return { lab, hosts, conns, work, tarGz, tar, down };
}

/** A context on one lab host, recording progress and live lines. */
export interface LabContext extends TestContext {
  progressCalls: [number, number, string][];
}

export function labContext(conn: SshConnection, over: Partial<ModuleContext> = {}): LabContext {
  const progressCalls: [number, number, string][] = [];
  const ctx = makeContext({ conn, host: conn.host, progress: (d, t, u) => progressCalls.push([d, t, u]), ...over });
  return Object.assign(ctx, { progressCalls });
}

// Runs a module the way the executor does.
export function run(module: Module, args: unknown, ctx: ModuleContext): Promise<ModuleOutcome> {
  return runModule(module, args, ctx);
}

// A shell line on the node; throws with its stderr when it fails.
export async function sh(conn: SshConnection, script: string): Promise<string> {
  const r = await conn.exec(['sh', '-c', script]);
  if (r.rc !== 0) throw new Error(`${conn.host}: ${script}: rc ${r.rc}: ${r.stderr}`);
  return r.stdout.trim();
}

// `docker inspect` of a container as parsed JSON.
export async function inspect(conn: SshConnection, name: string): Promise<any> {
  return JSON.parse(await sh(conn, `docker container inspect ${name}`))[0];
}
