// docker_container's restart: true and its state changes without image, on a real Docker engine of a lab host over SSH.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBusyboxImage } from '../../scripts/lab/busybox-image.js';
import { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { dockerContainerModule } from '../../src/modules/docker-container.js';
import { freeSideSubnet, hostDocker, labDown, labEnabled, labUp, type LabHost } from '../lab/lab-helper.js';
import { inspect, labContext, run } from './docker-lab-helper.js';

const TAG = 'omsrun-fy:1';
const NAME = 'fyapp';

describe.skipIf(!labEnabled())('docker_container restart and image-less state changes on a lab Docker host', () => {
  let work = '';
  let conn: SshConnection;
  const ctx = () => labContext(conn);
  const startedAt = async () => (await inspect(conn, NAME)).State.StartedAt as string;

  beforeAll(async () => {
    work = mkdtempSync('/var/tmp/omsrun-fydk-');
    const lab = await labUp({ hosts: 1, docker: 1, name: 'fydk', dir: join(work, 'lab'), subnet: await freeSideSubnet() });
    const h1 = lab.hosts[0] as LabHost;
    await importBusyboxImage(hostDocker(h1), join(work, 'img'), { tag: TAG, cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'] });
    conn = new SshConnection({
      host: h1.name, address: h1.ip, port: 22, user: 'root', privateKeyFile: lab.keyFile, hostKeyPolicy: 'strict',
      knownHostsFile: lab.knownHosts, connectTimeoutMs: 5000, keepaliveIntervalMs: 10_000,
    });
    await conn.connect();
  }, 240_000);
  afterAll(async () => {
    await conn?.close();
    if (work) await labDown(join(work, 'lab'), 'fydk');
    if (work) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('restart: true restarts a running container that is as wanted, every run; check mode only says so', async () => {
    const args = { name: NAME, image: TAG, network_mode: 'host' };
    expect(await run(dockerContainerModule, args, ctx())).toMatchObject({ changed: true, msg: `created container ${NAME}` });
    expect(await run(dockerContainerModule, args, ctx())).toMatchObject({ changed: false });
    const first = await startedAt();
    expect(await run(dockerContainerModule, { ...args, restart: true }, labContext(conn, { checkMode: true }))).toMatchObject({ changed: true, msg: `restart container ${NAME}` });
    expect(await startedAt()).toBe(first);
    expect(await run(dockerContainerModule, { ...args, restart: true }, ctx())).toMatchObject({ changed: true, msg: `restarted container ${NAME}`, data: { container: { running: true }, differences: [] } });
    const second = await startedAt();
    expect(second).not.toBe(first);
    expect(await run(dockerContainerModule, { ...args, restart: true }, ctx())).toMatchObject({ changed: true, msg: `restarted container ${NAME}` });
    expect(await startedAt()).not.toBe(second);
  });

  it('without image: stopped, started, restarted and absent act on the container as it is; a missing one fails', async () => {
    const id = (await inspect(conn, NAME)).Id;
    expect(await run(dockerContainerModule, { name: NAME, state: 'stopped' }, ctx())).toMatchObject({ changed: true, msg: `stopped container ${NAME}`, data: { container: { running: false } } });
    expect(await run(dockerContainerModule, { name: NAME, state: 'stopped' }, ctx())).toMatchObject({ changed: false });
    expect(await run(dockerContainerModule, { name: NAME }, ctx())).toMatchObject({ changed: true, msg: `started container ${NAME}`, data: { container: { running: true } } });
    expect(await run(dockerContainerModule, { name: NAME }, ctx())).toMatchObject({ changed: false, msg: `container ${NAME} is running as wanted` });
    const before = await startedAt();
    expect(await run(dockerContainerModule, { name: NAME, state: 'restarted' }, ctx())).toMatchObject({ changed: true, msg: `restarted container ${NAME}` });
    expect(await startedAt()).not.toBe(before);
    expect((await inspect(conn, NAME)).Id).toBe(id);
    expect(await run(dockerContainerModule, { name: NAME, state: 'absent' }, ctx())).toMatchObject({ changed: true, msg: `removed container ${NAME}` });
    expect(await run(dockerContainerModule, { name: NAME, state: 'started' }, ctx())).toMatchObject({ failed: true, msg: `container ${NAME} does not exist and no image is given to create it` });
  });
});
