import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { Client } from 'ssh2';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  type Lab, ensureBusyboxImage, ensureLab, hostDocker, killSshd, labDown, labEnabled, labUp, replaceHostKey,
  restoreHostKey, runOnHost, sshRun, startSshd, freeSideSubnet,
} from './lab-helper.js';
import { isAlive } from '../../scripts/lab/proc.js';

const IMAGE = 'omsrun-lab/busybox:test';

// Password login and an SFTP listing through ssh2, the library the product uses.
function ssh2PasswordSftp(ip: string, user: string, password: string, hostKey: string): Promise<string[]> {
  const expected = Buffer.from(hostKey.split(' ')[1] ?? '', 'base64');
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => {
      c.sftp((err, sftp) => {
        if (err) return reject(err);
        sftp.readdir('.', (e, list) => {
          c.end();
          if (e) reject(e);
          else resolve(list.map((f) => f.filename).sort());
        });
      });
    });
    c.on('error', reject);
    c.connect({ host: ip, username: user, password, readyTimeout: 10_000, hostVerifier: (key: Buffer) => key.equals(expected) });
  });
}

describe.skipIf(!labEnabled())('lab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await ensureLab({ hosts: 3, docker: 1 });
  }, 180_000);

  it('brings up hosts on 198.18.0.0/15 with inventory and known_hosts for each', () => {
    const hosts = lab.hosts.slice(0, 3);
    expect(hosts.map((h) => h.name)).toEqual(['h1', 'h2', 'h3']);
    for (const h of hosts) expect(h.ip).toMatch(/^198\.1[89]\.\d+\.\d+$/);
    expect(new Set(hosts.map((h) => h.ip)).size).toBe(3);
    const inv = parse(readFileSync(lab.inventory, 'utf8')) as {
      all: { children: { lab: { hosts: Record<string, Record<string, string>> }; docker: { hosts: Record<string, unknown> } } };
    };
    expect(inv.all.children.lab.hosts['h2']).toEqual({
      ansible_host: hosts[1]!.ip, ansible_user: 'root', ansible_ssh_private_key_file: lab.keyFile,
    });
    expect(Object.keys(inv.all.children.docker.hosts)).toContain('h1');
    const known = readFileSync(lab.knownHosts, 'utf8');
    for (const h of hosts) expect(known).toContain(`${h.ip} ${h.hostKeyPub.split(' ').slice(0, 2).join(' ')}`);
  });

  it('lets root in over OpenSSH with strict host key checking on every host', async () => {
    const runs = await Promise.all(lab.hosts.slice(0, 3).map((h) => sshRun(lab, h, 'root', 'hostname; id -u')));
    expect(runs.map((r) => [r.code, r.stdout])).toEqual([
      [0, 'h1\n0\n'], [0, 'h2\n0\n'], [0, 'h3\n0\n'],
    ]);
  });

  it('gives tester sudo with its password only', async () => {
    const h = lab.hosts[1]!;
    const ok = await sshRun(lab, h, 'tester', "id -un; sudo -S -p '' id -u", `${lab.tester.password}\n`);
    expect([ok.code, ok.stdout]).toEqual([0, 'tester\n0\n']);
    const bad = await sshRun(lab, h, 'tester', "sudo -k; sudo -S -p '' id -u", 'wrong-password\n');
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
  });

  it('accepts password login and serves SFTP', async () => {
    const h = lab.hosts[2]!;
    const files = await ssh2PasswordSftp(h.ip, 'tester', lab.tester.password, h.hostKeyPub);
    expect(files).toContain('.bashrc');
    await expect(ssh2PasswordSftp(h.ip, 'tester', 'nope', h.hostKeyPub)).rejects.toThrow(/authentication/i);
  });

  it('keeps /data separate per host', async () => {
    const [h1, h2] = [lab.hosts[0]!, lab.hosts[1]!];
    const marker = `/data/lab-test-${process.pid}`;
    expect((await runOnHost(h1, `echo one > ${marker} && cat ${marker}`)).stdout).toBe('one\n');
    expect((await runOnHost(h2, `test -e ${marker}`)).exitCode).toBe(1);
    expect(existsSync(marker)).toBe(false);
    expect((await sshRun(lab, h1, 'root', `cat ${marker}; rm ${marker}`)).stdout).toBe('one\n');
  });

  it('runs a privileged container with unlimited pids and raised nproc on a docker host', async () => {
    const h = lab.hosts[0]!;
    await ensureBusyboxImage(h, { tag: IMAGE });
    const env = { ...process.env, ...hostDocker(h) };
    const run = await $({ quiet: true, nothrow: true, env })`docker run --rm --privileged=true --pids-limit -1 --ulimit nproc=65535:65535 ${IMAGE} sh -c ${'ulimit -u; bash -c "echo bash"'}`;
    expect([run.exitCode, run.stdout]).toEqual([0, '65535\nbash\n']);
    const name = `lab-test-${process.pid}`;
    await $({ quiet: true, env })`docker run -d --name ${name} --privileged=true --net host ${IMAGE} sleep 600`;
    try {
      const exec = await $({ quiet: true, nothrow: true, env })`docker exec ${name} sh -c ${'ip -4 -o addr show eth0'}`;
      expect(exec.exitCode).toBe(0);
      expect(exec.stdout).toContain(`${h.ip}/${lab.prefixLength} `);
      const priv = await $({ quiet: true, env })`docker inspect -f ${'{{.HostConfig.Privileged}}'} ${name}`;
      expect(priv.stdout.trim()).toBe('true');
    } finally {
      await $({ quiet: true, nothrow: true, env })`docker rm -f ${name}`;
    }
  });

  describe('a side lab on a free /24', () => {
    let dir = '';
    let own: Lab;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'omsrun-lab-test-'));
      own = await labUp({ hosts: 2, name: 'omt', subnet: await freeSideSubnet(), dir });
    }, 120_000);
    afterAll(async () => {
      if (!dir) return;
      await labDown(dir, 'omt');
      rmSync(dir, { recursive: true, force: true });
    });

    it('detects a replaced host key, then accepts the restored one', async () => {
      const h = own.hosts[0]!;
      expect((await sshRun(own, h, 'root', 'true')).code).toBe(0);
      const pub = await replaceHostKey(h);
      expect(pub).not.toBe(h.hostKeyPub);
      const mitm = await sshRun(own, h, 'root', 'true');
      expect(mitm.code).toBe(255);
      expect(mitm.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      await restoreHostKey(h);
      expect((await sshRun(own, h, 'root', 'true')).code).toBe(0);
    });

    it('refuses connections while sshd is killed and serves again once started', async () => {
      const h = own.hosts[1]!;
      await killSshd(h);
      const down = await sshRun(own, h, 'root', 'true');
      expect(down.code).toBe(255);
      expect(down.stderr).toContain('Connection refused');
      await startSshd(h);
      expect((await sshRun(own, h, 'root', 'echo back')).stdout).toBe('back\n');
    });

    it('goes down twice in a row and leaves no namespace, link or process', async () => {
      const refs = own.hosts.flatMap((h) => [h.pids.keeper, h.pids.sshd]);
      expect(refs.every((r) => isAlive(r))).toBe(true);
      await labDown(dir, 'omt');
      await labDown(dir, 'omt');
      expect(refs.filter((r) => isAlive(r))).toEqual([]);
      const netns = (await $({ quiet: true })`ip netns list`).stdout;
      expect(netns).not.toMatch(/^omt-h/m);
      const links = (await $({ quiet: true })`ip -o link show`).stdout;
      expect(links).not.toMatch(/omtbr0|omtv\d/);
      expect(existsSync(join(dir, 'lab.json'))).toBe(false);
    });
  });
});
