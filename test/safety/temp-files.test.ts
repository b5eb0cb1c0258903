import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { omsrun, type CliRun } from '../cli/cli-helper.js';
import { filesIn, inventoryOf, labEnabled, useSideLab, type LabHost, type SideLab } from './safety-lab.js';

const SECRET = 'tmp-Secr3t-value';
const CHECK = '#!/bin/sh\nprintf "%s %s %s\\n" "$(stat -c %a -- "$1")" "$(stat -c %U -- "$1")" "$1" >> /data/validate.log\n[ "$2" != fail ]\n';

// Watches a host folder from the controller and records the mode of every omsrun temp file seen in it.
function watchTemps(dir: string): { modes: Set<string>; stop: () => void } {
  const modes = new Set<string>();
  const look = () => {
    for (const n of readdirSync(dir)) {
      if (!n.includes('.omsrun-')) continue;
      try {
        modes.add((statSync(path.join(dir, n)).mode & 0o777).toString(8));
      } catch {
        // renamed away between readdir and stat
      }
    }
  };
  const w = watch(dir, look);
  const timer = setInterval(look, 1);
  return { modes, stop: () => (w.close(), clearInterval(timer)) };
}

const temps = (dir: string) => readdirSync(dir).filter((n) => n.includes('.omsrun-'));

function setup(side: SideLab, h: LabHost, sub: string, play: string, files: Record<string, string | Buffer> = {}): { dir: string; out: string } {
  const out = path.join(h.dir, 'data', sub);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(h.dir, 'data', 'check.sh'), CHECK, { mode: 0o755 });
  writeFileSync(path.join(h.dir, 'data', 'validate.log'), '');
  const pw = side.lab.tester.password;
  const inventory = inventoryOf({ ...side.lab, hosts: [h] }, {}, { omsrun_audit_log: '/data/audit.log', secret: SECRET, tester_password: pw });
  return { dir: filesIn(side, { 'inventory.yml': inventory, 'site.yml': play, ...files }), out };
}

const run = (dir: string, onStdout?: Parameters<typeof omsrun>[1]['onStdout']): Promise<CliRun> =>
  omsrun(['site.yml', '-i', 'inventory.yml'], { cwd: dir, isolate: false, onStdout });

// 8 MB of text with the secret in it: large enough that the upload's temp file is seen while it is written.
const BIG_TEMPLATE = `${'filler line for a large rendered template\n'.repeat(200_000)}secret={{ secret }}\n`;

describe.skipIf(!labEnabled())('files with secrets: mode 0600 from the first byte, and no temp file left on any path', () => {
  const side = useSideLab('sftmp', 1);

  it('template writes 0600 atomically as root and through sudo: the validate temp file and the upload temp file are 0600', async () => {
    const h = side.lab.hosts[0]!;
    const play = `- hosts: all
  tasks:
    - name: as root
      template: { src: big.hbs, dest: /data/out/root.conf, mode: "0600", validate: "/data/check.sh %s" }
    - name: through sudo
      template: { src: big.hbs, dest: /data/out/sudo.conf, mode: "0600", validate: "/data/check.sh %s" }
      become: true
      vars: { ansible_user: tester, ansible_ssh_private_key_file: null, ansible_password: "{{ tester_password }}", ansible_become_password: "{{ tester_password }}" }
`;
    const { dir, out } = setup(side, h, 'out', play, { 'big.hbs': BIG_TEMPLATE });
    const w = watchTemps(out);
    const r = await run(dir).finally(w.stop);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ['root.conf', 'sudo.conf']) {
      const st = statSync(path.join(out, name));
      expect((st.mode & 0o777).toString(8)).toBe('600');
      expect(readFileSync(path.join(out, name), 'utf8').endsWith(`secret=${SECRET}\n`)).toBe(true);
    }
    const log = readFileSync(path.join(h.dir, 'data', 'validate.log'), 'utf8').trim().split('\n');
    expect(log.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['600 root', '600 root']);
    for (const l of log) expect(existsSync(l.split(' ')[2]!)).toBe(false);
    expect(w.modes.size).toBeGreaterThan(0);
    expect([...w.modes]).toEqual(['600']);
    expect(temps(out)).toEqual([]);
  }, 120_000);

  it('through sudo to a non-root user: no copy readable by others is staged, the temp file is 0600 and owned by that user', async () => {
    const h = side.lab.hosts[0]!;
    const play = `- hosts: all
  become: true
  become_user: tester
  tasks:
    - name: big copy as tester
      copy: { src: big.bin, dest: /data/bu/big.bin, mode: "0600" }
    - name: template as tester
      template: { src: small.hbs, dest: /data/bu/small.conf, mode: "0600" }
`;
    const { dir, out } = setup(side, h, 'bu', play, { 'small.hbs': 'secret={{ secret }}\n' });
    chownSync(out, side.lab.tester.uid, side.lab.tester.uid);
    writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(60 * 1024 * 1024, 9));
    const staged = new Set<string>();
    const lookTmp = () => {
      for (const d of readdirSync('/tmp').filter((n) => n.startsWith('tmp.'))) {
        try {
          const st = statSync(path.join('/tmp', d, 'upload'));
          if (st.mode & 0o044) staged.add(`${d}/upload ${(st.mode & 0o777).toString(8)}`);
        } catch {
          // not an upload folder, or already gone
        }
      }
    };
    const timer = setInterval(lookTmp, 2);
    const w = watchTemps(out);
    const r = await run(dir).finally(() => (clearInterval(timer), w.stop()));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect([...staged]).toEqual([]);
    expect(w.modes.size).toBeGreaterThan(0);
    expect([...w.modes]).toEqual(['600']);
    for (const name of ['big.bin', 'small.conf']) {
      const st = statSync(path.join(out, name));
      expect({ mode: (st.mode & 0o777).toString(8), uid: st.uid }).toEqual({ mode: '600', uid: side.lab.tester.uid });
    }
    expect(readFileSync(path.join(out, 'small.conf'), 'utf8')).toBe(`secret=${SECRET}\n`);
    expect(temps(out)).toEqual([]);
  }, 120_000);

  it('a failing validate and a failing put leave no temp file and never touch dest', async () => {
    const h = side.lab.hosts[0]!;
    const play = `- hosts: all
  tasks:
    - name: validate fails
      template: { src: small.hbs, dest: /data/fail/v.conf, mode: "0600", validate: "/data/check.sh %s fail" }
      ignore_errors: true
    - name: put fails (no such owner)
      template: { src: small.hbs, dest: /data/fail/p.conf, mode: "0600", owner: no-such-user-x }
      ignore_errors: true
    - name: put fails through sudo
      template: { src: small.hbs, dest: /data/fail/s.conf, mode: "0600", owner: no-such-user-x }
      become: true
      ignore_errors: true
      vars: { ansible_user: tester, ansible_ssh_private_key_file: null, ansible_password: "{{ tester_password }}", ansible_become_password: "{{ tester_password }}" }
`;
    const { dir, out } = setup(side, h, 'fail', play, { 'small.hbs': 'secret={{ secret }}\n' });
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('failed (ignored): [h1] => validation failed (rc 1)');
    expect(r.stdout.match(/no-such-user-x/g)?.length).toBeGreaterThanOrEqual(2);
    expect(r.stdout).not.toContain(SECRET);
    const tmp = readFileSync(path.join(h.dir, 'data', 'validate.log'), 'utf8').trim().split(' ')[2]!;
    expect(existsSync(tmp)).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it('Ctrl-C during a large upload: exit 130, dest untouched, no temp file left in the target folder', async () => {
    const h = side.lab.hosts[0]!;
    const play = `- hosts: all
  tasks:
    - name: big copy
      copy: { src: big.bin, dest: /data/big/big.bin, mode: "0600" }
`;
    const { dir, out } = setup(side, h, 'big', play);
    writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(300 * 1024 * 1024, 7));
    writeFileSync(path.join(out, 'big.bin'), 'old\n');
    let seen = false;
    const w = watchTemps(out);
    const poll = setInterval(() => (seen ||= temps(out).length > 0), 1);
    let killer: ReturnType<typeof setTimeout> | undefined;
    const child = run(dir, (text, kill) => {
      killer ??= setTimeout(() => kill('SIGKILL'), 30_000);
      if (text.includes('TASK [big copy]')) {
        const t = setInterval(() => {
          if (seen) (clearInterval(t), kill('SIGINT'));
        }, 2);
      }
    });
    const r = await child.finally(() => (clearInterval(poll), w.stop(), clearTimeout(killer)));
    expect(seen).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted');
    expect(readFileSync(path.join(out, 'big.bin'), 'utf8')).toBe('old\n');
    expect(temps(out)).toEqual([]);
    expect([...w.modes]).toEqual(['600']);
  }, 120_000);
});
