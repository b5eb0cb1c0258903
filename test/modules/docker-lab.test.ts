import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerContainerModule } from '../../src/modules/docker-container.js';
import { dockerExecModule } from '../../src/modules/docker-exec.js';
import { dockerImageLoadModule } from '../../src/modules/docker-image-load.js';
import { readArchiveImage } from '../../src/modules/support/image-archive.js';
import { labEnabled } from '../lab/lab-helper.js';
import { TAG, dockerLabUp, inspect, labContext, run, sh, type DockerLab } from './docker-lab-helper.js';

let L: DockerLab;
let imageId: string;

describe.skipIf(!labEnabled())('docker modules on lab Docker hosts over SSH', () => {
  beforeAll(async () => {
    L = await dockerLabUp();
    imageId = (await readArchiveImage(L.tarGz)).imageId;
  }, 240_000);
  afterAll(async () => L?.down(), 120_000);

  describe('exec stdin from a stream over SSH', () => {
    it('pipes a large file whole; an early exit or a broken stream ends the exec, the connection stays usable', async () => {
      const file = join(L.work, 'big.bin');
      writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 1));
      const full = await L.conns[0].exec(['sh', '-c', 'wc -c'], { stdin: createReadStream(file) });
      expect([full.rc, full.stdout.trim()]).toEqual([0, String(64 * 1024 * 1024)]);
      const early = createReadStream(file);
      const r = await L.conns[0].exec(['sh', '-c', 'head -c 10 >/dev/null; exit 5'], { stdin: early });
      expect(r.rc).toBe(5);
      early.destroy();
      await expect(L.conns[0].exec(['cat'], { stdin: createReadStream(join(L.work, 'missing')) })).rejects.toThrow(
        `cannot read ${join(L.work, 'missing')}: no such file or directory`,
      );
      expect((await L.conns[0].exec(['echo', 'ok'])).stdout).toBe('ok\n');
    });
  });

  describe('docker_image_load', () => {
    it('check mode loads nothing', async () => {
      const out = await run(dockerImageLoadModule, { archive: L.tarGz }, labContext(L.conns[0], { checkMode: true }));
      expect(out).toMatchObject({ changed: true, msg: `load ${TAG} (${imageId}) from ${L.tarGz}` });
      expect((await L.conns[0].exec(['docker', 'image', 'inspect', imageId])).rc).toBe(1);
    });

    it('.tar.gz streamed to two hosts: changed, the same image ID on both, progress in bytes, no copy on disk', async () => {
      const ctxs = L.conns.map((c) => labContext(c));
      const outs = await Promise.all(ctxs.map((ctx) => run(dockerImageLoadModule, { archive: L.tarGz }, ctx)));
      const size = statSync(L.tarGz).size;
      for (const [i, out] of outs.entries()) {
        expect(out).toMatchObject({ changed: true, msg: `loaded ${TAG} (${imageId})`, data: { image_id: imageId, repo_tags: [TAG] } });
        expect(out.failed).toBeFalsy();
        expect(ctxs[i]!.progressCalls.at(-1)).toEqual([size, size, 'bytes']);
        expect(await sh(L.conns[i]!, `docker image inspect --format '{{.Id}}' ${TAG}`)).toBe(imageId);
        const copies = await sh(L.conns[i]!, `find /tmp /data /root /var/tmp -xdev -name 'oms_dk_1*' -not -path '${L.work}/*' 2>/dev/null || true`);
        expect(copies).toBe('');
      }
    });

    it('a missing archive is a failure naming where it looked', async () => {
      const out = await run(dockerImageLoadModule, { archive: 'nope.tar.gz' }, labContext(L.conns[0], { baseDir: L.work }));
      expect(out).toMatchObject({ failed: true, msg: `archive nope.tar.gz not found (looked in ${L.work})` });
    });

    it('again: skipped, same image ID', async () => {
      const out = await run(dockerImageLoadModule, { archive: L.tarGz }, labContext(L.conns[0]));
      expect(out).toEqual({ changed: false, msg: `image ${imageId} already present`, data: { image_id: imageId, repo_tags: [TAG] } });
    });

    it('.tar after removal, and a missing tag is put back without loading', async () => {
      await sh(L.conns[1], `docker rmi ${TAG}`);
      const out = await run(dockerImageLoadModule, { archive: L.tar }, labContext(L.conns[1]));
      expect(out).toMatchObject({ changed: true, data: { image_id: imageId } });
      await sh(L.conns[1], `docker tag ${TAG} extra:1 && docker rmi ${TAG}`);
      const retag = await run(dockerImageLoadModule, { archive: L.tar }, labContext(L.conns[1]));
      expect(retag).toMatchObject({ changed: true, msg: `tagged ${imageId} as ${TAG}` });
      expect(await sh(L.conns[1], `docker image inspect --format '{{.Id}}' ${TAG}`)).toBe(imageId);
    });

    it('keep_copy puts the archive on the node; remote_archive loads it from there', async () => {
      await sh(L.conns[1], `docker rmi -f ${imageId}`);
      const dest = '/data/oms_dk_1.tar.gz';
      const out = await run(dockerImageLoadModule, { archive: L.tarGz, keep_copy: true, dest }, labContext(L.conns[1]));
      expect(out).toMatchObject({ changed: true, data: { image_id: imageId } });
      expect(await sh(L.conns[1], `stat -c %s ${dest}`)).toBe(String(statSync(L.tarGz).size));
      await sh(L.conns[1], `docker rmi -f ${imageId}`);
      const remote = await run(dockerImageLoadModule, { remote_archive: dest }, labContext(L.conns[1]));
      expect(remote).toMatchObject({ changed: true, data: { image_id: imageId, repo_tags: [TAG] } });
      const again = await run(dockerImageLoadModule, { remote_archive: dest }, labContext(L.conns[1]));
      expect(again).toMatchObject({ changed: false, msg: `image ${imageId} already present` });
    });

    it('a remote archive whose manifest names a missing config fails naming it, not with the hash of nothing', async () => {
      const bad = '/data/oms_bad_manifest.tar';
      await sh(L.conns[1], `d=$(mktemp -d) && printf '%s' '[{"Config":"abc.json","RepoTags":["bad:1"],"Layers":[]}]' >"$d/manifest.json" && tar -cf ${bad} -C "$d" manifest.json && rm -rf "$d"`);
      const out = await run(dockerImageLoadModule, { remote_archive: bad }, labContext(L.conns[1]));
      expect(out.failed).toBe(true);
      expect(out.msg).toContain(`${bad} on ${L.conns[1].host}: cannot read the image config abc.json`);
      expect(out.msg).not.toContain('e3b0c442');
    });
  });

  describe('docker_container', () => {
    const base = {
      name: 'oms', image: TAG, network_mode: 'host',
      volumes: ['/data/dk/config.yaml:/home/admin/conf/config.yaml', '/data/dk/logs:/home/admin/logs', '/data/dk/store:/home/ds/store'],
      env: { OMS_HOST_IP: '10.0.0.1' }, privileged: true, pids_limit: -1, ulimits: ['nproc=65535:65535'], tty: true, interactive: true,
    };
    beforeAll(async () => sh(L.conns[0], 'mkdir -p /data/dk/logs /data/dk/store /data/dk/other && touch /data/dk/config.yaml'));

    it('check mode creates nothing; then created with the documented flags', async () => {
      const check = await run(dockerContainerModule, base, labContext(L.conns[0], { checkMode: true }));
      expect(check).toMatchObject({ changed: true, msg: `create container oms from ${TAG}` });
      expect((await L.conns[0].exec(['docker', 'container', 'inspect', 'oms'])).rc).toBe(1);
      const out = await run(dockerContainerModule, base, labContext(L.conns[0]));
      expect(out).toMatchObject({ changed: true, msg: 'created container oms', data: { container: { image_id: imageId, state: 'running', running: true }, differences: [] } });
      const c = await inspect(L.conns[0], 'oms');
      expect(c.HostConfig.Privileged).toBe(true);
      expect([null, 0, -1]).toContain(c.HostConfig.PidsLimit);
      expect(c.HostConfig.Ulimits).toEqual([{ Name: 'nproc', Hard: 65535, Soft: 65535 }]);
      expect(c.HostConfig.NetworkMode).toBe('host');
      expect([...c.HostConfig.Binds].sort()).toEqual([...base.volumes].sort());
      expect(c.Config.Env).toContain('OMS_HOST_IP=10.0.0.1');
      expect([c.Config.Tty, c.Config.OpenStdin]).toEqual([true, true]);
    });

    it('second run: unchanged', async () => {
      const out = await run(dockerContainerModule, base, labContext(L.conns[0]));
      expect(out).toMatchObject({ changed: false, msg: 'container oms is running as wanted', data: { differences: [] } });
    });

    it('an env change re-creates it and names the field (with --diff before/after)', async () => {
      const before = (await inspect(L.conns[0], 'oms')).Id;
      const out = await run(dockerContainerModule, { ...base, env: { OMS_HOST_IP: '10.0.0.2' } }, labContext(L.conns[0], { diffMode: true }));
      expect(out).toMatchObject({ changed: true, msg: 're-created container oms (env.OMS_HOST_IP differed)', data: { differences: ['env.OMS_HOST_IP'] } });
      expect(out.diff).toEqual([{ path: 'container oms', before: 'env.OMS_HOST_IP: "10.0.0.1"\n', after: 'env.OMS_HOST_IP: "10.0.0.2"\n' }]);
      const c = await inspect(L.conns[0], 'oms');
      expect(c.Id).not.toBe(before);
      expect(c.Config.Env).toContain('OMS_HOST_IP=10.0.0.2');
    });

    it('a mount change is refused, then allowed with allow_mount_changes', async () => {
      const moved = { ...base, env: { OMS_HOST_IP: '10.0.0.2' }, volumes: [...base.volumes.slice(0, 2), '/data/dk/other:/home/ds/store'] };
      const id = (await inspect(L.conns[0], 'oms')).Id;
      const refused = await run(dockerContainerModule, moved, labContext(L.conns[0]));
      expect(refused).toMatchObject({ failed: true, changed: false });
      expect(refused.msg).toBe('container oms: re-creating it would change its mounts from '
        + '[/data/dk/config.yaml:/home/admin/conf/config.yaml, /data/dk/logs:/home/admin/logs, /data/dk/store:/home/ds/store] to '
        + '[/data/dk/config.yaml:/home/admin/conf/config.yaml, /data/dk/logs:/home/admin/logs, /data/dk/other:/home/ds/store]; '
        + 'the host folders normally stay the same across redeploys; set allow_mount_changes: true to re-create it anyway');
      expect((await inspect(L.conns[0], 'oms')).Id).toBe(id);
      const allowed = await run(dockerContainerModule, { ...moved, allow_mount_changes: true }, labContext(L.conns[0]));
      expect(allowed).toMatchObject({ changed: true, data: { differences: ['volumes'] } });
      expect((await inspect(L.conns[0], 'oms')).HostConfig.Binds).toContain('/data/dk/other:/home/ds/store');
      await run(dockerContainerModule, { ...base, allow_mount_changes: true }, labContext(L.conns[0]));
    });

    it('stopped, started, restarted, absent', async () => {
      const args = { ...base, env: { OMS_HOST_IP: '10.0.0.1' } };
      const ctx = (): ReturnType<typeof labContext> => labContext(L.conns[0]);
      expect(await run(dockerContainerModule, { ...args, state: 'stopped' }, ctx())).toMatchObject({ changed: true, msg: 'stopped container oms', data: { container: { running: false } } });
      expect(await run(dockerContainerModule, { ...args, state: 'stopped' }, ctx())).toMatchObject({ changed: false });
      expect(await run(dockerContainerModule, args, ctx())).toMatchObject({ changed: true, msg: 'started container oms', data: { container: { running: true } } });
      const started = (await inspect(L.conns[0], 'oms')).State.StartedAt;
      expect(await run(dockerContainerModule, { ...args, state: 'restarted' }, ctx())).toMatchObject({ changed: true, msg: 'restarted container oms' });
      expect((await inspect(L.conns[0], 'oms')).State.StartedAt).not.toBe(started);
      expect(await run(dockerContainerModule, { name: 'oms', state: 'absent' }, ctx())).toMatchObject({ changed: true, msg: 'removed container oms' });
      expect(await run(dockerContainerModule, { name: 'oms', state: 'absent' }, ctx())).toMatchObject({ changed: false, msg: 'container oms is absent' });
      expect(await run(dockerContainerModule, args, ctx())).toMatchObject({ changed: true, msg: 'created container oms' });
    });

    it('an image the node lacks is a clear failure', async () => {
      const out = await run(dockerContainerModule, { ...base, name: 'x', image: 'nope:1' }, labContext(L.conns[0]));
      expect(out).toMatchObject({ failed: true, msg: 'image nope:1 is not on h1; load it first (docker_image_load)' });
    });
  });

  describe('docker_exec', () => {
    it('success streams lines and sees the expected line', async () => {
      const ctx = labContext(L.conns[0]);
      const out = await run(dockerExecModule, { container: 'oms', argv: ['sh', '/root/init.sh'], expect_line: 'all steps done', ignore_patterns: ['ERROR 1235'] }, ctx);
      expect(out).toMatchObject({ changed: true, rc: 0 });
      expect(out.failed).toBeFalsy();
      expect(ctx.logs).toContainEqual({ line: 'all steps done', stream: 'stdout' });
    });

    it('check mode runs nothing; a timeout fails and says the command may still run', async () => {
      const check = await run(dockerExecModule, { container: 'oms', cmd: 'touch /tmp/never' }, labContext(L.conns[0], { checkMode: true }));
      expect(check).toMatchObject({ changed: false, skipped: true, msg: "skipped in check mode: run docker exec oms bash -c 'touch /tmp/never'" });
      expect((await L.conns[0].exec(['docker', 'exec', 'oms', 'test', '-e', '/tmp/never'])).rc).toBe(1);
      const out = await run(dockerExecModule, { container: 'oms', argv: ['sleep', '30'], timeout: 1 }, labContext(L.conns[0]));
      expect(out).toMatchObject({ failed: true, msg: 'timed out after 1 s (the command may still be running in oms)' });
    });

    it('a missing expected line fails', async () => {
      const out = await run(dockerExecModule, { container: 'oms', cmd: 'echo something else', expect_line: 'all steps done' }, labContext(L.conns[0]));
      expect(out).toMatchObject({ failed: true, rc: 0, msg: 'the output has no line containing "all steps done"' });
    });

    it('creates: a marker inside the container skips the second run', async () => {
      const args = { container: 'oms', cmd: 'touch /tmp/marker', creates: '/tmp/marker' };
      expect(await run(dockerExecModule, args, labContext(L.conns[0]))).toMatchObject({ changed: true, rc: 0 });
      expect(await run(dockerExecModule, args, labContext(L.conns[0]))).toMatchObject({ changed: false, msg: 'skipped, since /tmp/marker exists in oms' });
    });

    it('a failure carries the error lines and the tail of the newest log', async () => {
      const out = await run(dockerExecModule, {
        container: 'oms', argv: ['sh', '/root/init.sh', 'fail'], ignore_patterns: ['ERROR 1235'], failure_log_glob: '/home/admin/logs/docker_init*.log',
      }, labContext(L.conns[0]));
      const tail = Array.from({ length: 40 }, (_, i) => `init log line ${i + 11}`).join('\n');
      expect(out).toMatchObject({ failed: true, rc: 3 });
      expect(out.msg).toBe(`non-zero return code 3\nerror lines:\nERROR 2003: cannot reach the MetaDB\nlast 40 lines of /home/admin/logs/docker_init_2.log:\n${tail}`);
    });
  });
});
