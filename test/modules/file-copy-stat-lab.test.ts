// file recurse, copy remote_src and stat's Ansible fields over real SSH on a lab host: the tree converges, a second run
// changes nothing, check mode changes nothing.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../src/connection/ssh/ssh-connection.js';
import { copyModule } from '../../src/modules/copy.js';
import { fileModule } from '../../src/modules/file.js';
import { statModule } from '../../src/modules/stat.js';
import { parseModuleArgs, runModule } from '../../src/modules/support/run-module.js';
import { labEnabled, type LabHost } from '../lab/lab-helper.js';
import { useLabHostConnections } from '../lab/lab-connection.js';
import { useSideLab } from '../lab/side-lab.js';
import { makeContext } from '../helpers/module-context.js';

const side = useSideLab('kwfr', 1, '/var/tmp/omsrun-kwfr');

describe.skipIf(!labEnabled())('file recurse, copy remote_src and stat on a lab host over SSH', () => {
  let h1: LabHost;
  let root: SshConnection;
  const onHost = (rel: string) => join(h1.dir, 'data', rel);
  const ctx = (over = {}) => makeContext({ conn: root, host: h1.name, ...over });

  const conns = useLabHostConnections(side);
  beforeAll(() => {
    ({ host: h1, root } = conns);
  });

  it('recurse sets mode and owner on everything inside; the second run and check mode change nothing', async () => {
    mkdirSync(onHost('tree/a/b'), { recursive: true });
    writeFileSync(onHost('tree/a/f'), 'x');
    writeFileSync(onHost('tree/a/b/g'), 'y');
    chmodSync(onHost('tree/a/b/g'), 0o600);
    symlinkSync('f', onHost('tree/a/l'));
    const args = { path: '/data/tree', state: 'directory', recurse: true, mode: '0750', owner: 'tester', group: 'tester' };
    const check = await runModule(fileModule, args, makeContext({ conn: root, host: h1.name, checkMode: true }));
    expect(check).toMatchObject({ changed: true, msg: 'set mode 0750, owner tester, group tester on /data/tree; set mode 0750, owner tester, group tester on 5 path(s) inside /data/tree' });
    expect(statSync(onHost('tree/a/b/g')).mode & 0o777).toBe(0o600);
    expect(await runModule(fileModule, args, ctx())).toMatchObject({ changed: true });
    for (const p of ['tree', 'tree/a', 'tree/a/b', 'tree/a/f', 'tree/a/b/g']) expect(statSync(onHost(p)).mode & 0o7777, p).toBe(0o750);
    const uid = statSync(onHost('tree/a/f')).uid;
    expect(uid).not.toBe(0);
    expect(lstatSync(onHost('tree/a/l')).uid).toBe(uid);
    expect(await runModule(fileModule, args, ctx())).toMatchObject({ changed: false });
    // One file drifts: the next run finds it.
    chmodSync(onHost('tree/a/b/g'), 0o644);
    expect(await runModule(fileModule, { path: '/data/tree', recurse: true, mode: '0750' }, ctx())).toMatchObject({
      changed: true,
    });
    expect(statSync(onHost('tree/a/b/g')).mode & 0o777).toBe(0o750);
  });

  it('recurse refuses a state other than directory, and an unknown owner fails the task with find\'s message', async () => {
    expect(() => parseModuleArgs(fileModule, { path: '/x', state: 'file', recurse: true })).toThrow('args.recurse: recurse requires state directory, got state file');
    mkdirSync(onHost('tree2/a'), { recursive: true });
    const out = await runModule(fileModule, { path: '/data/tree2', recurse: true, owner: 'nosuchuser' }, makeContext({ conn: root, host: h1.name }));
    expect(out).toMatchObject({ changed: false, failed: true });
    expect(out.msg).toMatch(/nosuchuser/);
  });

  it('stat registers Ansible\'s fields over SSH: checksum (sha1 by default), owner name, link target with and without follow', async () => {
    mkdirSync(onHost('st'), { recursive: true });
    writeFileSync(onHost('st/f'), 'hello\n');
    symlinkSync('/data/st/f', onHost('st/l'));
    const stat = async (args: Record<string, unknown>) =>
      (await runModule(statModule, args, makeContext({ conn: root, host: h1.name }))).data?.stat as Record<string, unknown>;
    expect(await stat({ path: '/data/st/f' })).toMatchObject({
      exists: true, isreg: true, pw_name: 'root', checksum: 'f572d396fae9206628714fb2ce00f72e94f2258f', size: 6, readable: true,
    });
    expect(await stat({ path: '/data/st/l', get_checksum: false })).toMatchObject({ islnk: true, lnk_target: '/data/st/f', lnk_source: '/data/st/f' });
    expect(await stat({ path: '/data/st/l', follow: true, checksum_algorithm: 'sha256' })).toMatchObject({
      islnk: false, isreg: true, checksum: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
    });
    expect(await stat({ path: '/data/st/none' })).toEqual({ exists: false, path: '/data/st/none' });
  });

  it('copies a file already on the host, with mode preserve; the second run and check mode change nothing', async () => {
    mkdirSync(onHost('rs/out'), { recursive: true });
    writeFileSync(onHost('rs/app.conf'), 'port=1\n');
    chmodSync(onHost('rs/app.conf'), 0o640);
    const args = { src: '/data/rs/app.conf', dest: '/data/rs/out/', remote_src: true, mode: 'preserve' };
    expect(await runModule(copyModule, args, ctx({ checkMode: true }))).toMatchObject({ changed: true, msg: 'create /data/rs/out/app.conf' });
    expect(existsSync(onHost('rs/out/app.conf'))).toBe(false);
    expect(await runModule(copyModule, args, ctx())).toMatchObject({ changed: true });
    expect(readFileSync(onHost('rs/out/app.conf'), 'utf8')).toBe('port=1\n');
    expect(statSync(onHost('rs/out/app.conf')).mode & 0o777).toBe(0o640);
    expect(await runModule(copyModule, args, ctx())).toMatchObject({ changed: false });
    writeFileSync(onHost('rs/app.conf'), 'port=2\n');
    expect(await runModule(copyModule, { ...args, mode: '0600' }, ctx({ diffMode: true }))).toMatchObject({
      changed: true, diff: [{ path: '/data/rs/out/app.conf', before: 'port=1\n', after: 'port=2\n' }],
    });
    expect(statSync(onHost('rs/out/app.conf')).mode & 0o777).toBe(0o600);
  });

  it('a missing src or a folder fails the task and says so; remote_src without src is refused at load time', async () => {
    expect(await runModule(copyModule, { src: '/data/none', dest: '/data/x', remote_src: true }, ctx())).toMatchObject({
      failed: true, msg: 'src /data/none not found on the host (remote_src: true)',
    });
    mkdirSync(onHost('rsdir'), { recursive: true });
    expect(await runModule(copyModule, { src: '/data/rsdir', dest: '/data/x', remote_src: true }, ctx())).toMatchObject({
      failed: true, msg: "src /data/rsdir on the host is not a regular file: omsrun's remote_src copies one file",
    });
    expect(() => parseModuleArgs(copyModule, { content: 'x', dest: '/d', remote_src: true })).toThrow('remote_src needs src');
  });
});
