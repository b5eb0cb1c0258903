// Host facts on real hosts over SSH: a playbook reading ansible_os_family, ansible_default_ipv4 and ansible_mounts,
// one fact command per host per run (none without facts), gather_facts: false, and the values next to Ansible's own.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { labEnabled } from '../lab/lab-helper.js';
import { dataPath, labInventory, run, runOnHost, useSideLab, writeFiles } from './e2e-lab.js';

const FACTS_PLAY = `- name: facts
  hosts: all
  tasks:
    - name: plain
      command: "true"
    - name: facts file
      copy:
        dest: /data/facts.txt
        content: "{{ ansible_os_family }} {{ ansible_facts.distribution }} {{ ansible_hostname }} {{default ansible_default_ipv4.address 'none'}} {{ ansible_user_id }}\\n"
    - name: data is a mount with free space
      command: "true"
      when: ansible_mounts[.mount == '/data'][0].size_available > 0 and ansible_facts['os_family'] == 'Debian'
      changed_when: false
    - name: peer address
      copy: { dest: /data/peer.txt, content: "{{ hostvars.h1.ansible_default_ipv4.address }}\\n" }
      when: inventory_hostname == 'h2'
    - name: all facts
      copy: { dest: /data/facts.json, content: "{{json ansible_facts}}" }
`;

/** How many hosts a `-v` run gathered facts on, by host. */
function gatherings(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of stdout.matchAll(/^\s*\[(\S+)\] facts gathered in \d+ ms$/gm)) out[m[1]!] = (out[m[1]!] ?? 0) + 1;
  return out;
}

describe.skipIf(!labEnabled())('e2e: host facts over SSH', () => {
  const side = useSideLab('fct', 3);

  // h1 and h2 route through the bridge, as a host with a default gateway does; h3 has no default route.
  beforeAll(async () => {
    for (const h of side.lab.hosts.slice(0, 2)) {
      const r = await runOnHost(h, `ip route replace default via ${side.lab.bridgeIp} dev eth0`);
      expect(r.exitCode, r.stderr).toBe(0);
    }
  });

  it('runs a playbook reading os family, default IPv4 and mounts, gathering once per host', async () => {
    const dir = writeFiles(side, { 'inventory.yml': labInventory(side.lab), 'site.yml': FACTS_PLAY });
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml', '-v']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [h1, h2, h3] = side.lab.hosts as [(typeof side.lab.hosts)[0], (typeof side.lab.hosts)[0], (typeof side.lab.hosts)[0]];
    expect(readFileSync(dataPath(h1, 'facts.txt'), 'utf8')).toBe(`Debian Debian h1 ${h1.ip} root\n`);
    expect(readFileSync(dataPath(h2, 'facts.txt'), 'utf8')).toBe(`Debian Debian h2 ${h2.ip} root\n`);
    expect(readFileSync(dataPath(h3, 'facts.txt'), 'utf8')).toBe('Debian Debian h3 none root\n');
    expect(readFileSync(dataPath(h2, 'peer.txt'), 'utf8')).toBe(`${h1.ip}\n`);
    for (const h of ['h1', 'h3']) expect(r.stdout).toMatch(new RegExp(`${h} +: ok=4 +changed=3 +failed=0 +skipped=1 `));
    expect(r.stdout).toMatch(/h2 +: ok=5 +changed=4 +failed=0 +skipped=0 /);
    expect(gatherings(r.stdout)).toEqual({ h1: 1, h2: 1, h3: 1 });
    const facts = JSON.parse(readFileSync(dataPath(h1, 'facts.json'), 'utf8')) as Record<string, unknown>;
    expect(facts.default_ipv4).toMatchObject({ address: h1.ip, interface: 'eth0', gateway: side.lab.bridgeIp, prefix: String(side.lab.prefixLength), type: 'ether' });
    expect(facts.all_ipv4_addresses).toEqual([h1.ip]);
    const df = (await runOnHost(h1, 'df -P -k /data | tail -n 1')).stdout.trim().split(/\s+/);
    const data = (facts.mounts as Record<string, unknown>[]).find((m) => m.mount === '/data');
    expect(data).toMatchObject({ mount: '/data', device: df[0], size_total: Number(df[1]) * 1024 });
  });

  it('sends no fact command for a playbook that reads no fact', async () => {
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(side.lab),
      'site.yml': '- hosts: all\n  tasks:\n    - command: echo {{ inventory_hostname }}\n    - debug: { msg: "{{ ansible_host }}" }\n',
    });
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml', '-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('h1 ');
    expect(gatherings(r.stdout)).toEqual({});
  });

  it('fails a task reading a fact in a play with gather_facts: false, saying what to do', async () => {
    const dir = writeFiles(side, {
      'inventory.yml': labInventory(side.lab),
      'site.yml': '- name: p\n  hosts: h1\n  gather_facts: false\n  tasks:\n    - name: family\n      debug: { msg: "{{ ansible_os_family }}" }\n',
    });
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml', '-v']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('site.yml:5:7 task "family": undefined variable "ansible_os_family" in "{{ ansible_os_family }}"');
    expect(r.stdout).toContain('hint: ansible_os_family is a host fact, and this play sets gather_facts: false: remove that (omsrun then gathers facts with one command the first time a task uses one), or run the setup module before this task');
    expect(gatherings(r.stdout)).toEqual({});
  });

  it("reports what Ansible's setup module reports on the same host", async () => {
    const h1 = side.lab.hosts[0]!;
    const dir = writeFiles(side, { 'inventory.yml': labInventory(side.lab), 'site.yml': FACTS_PLAY });
    const r = await run(dir, ['site.yml', '-i', 'inventory.yml', '--limit', 'h1']);
    expect(r.code).toBe(0);
    const ours = JSON.parse(readFileSync(dataPath(h1, 'facts.json'), 'utf8')) as Record<string, any>;
    const inv = path.join(dir, 'ansible.ini');
    const ssh = `-o UserKnownHostsFile=${side.lab.knownHosts} -o StrictHostKeyChecking=yes`;
    writeFileSync(inv, `h1 ansible_host=${h1.ip} ansible_user=root ansible_ssh_private_key_file=${side.lab.keyFile} ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args="${ssh}"\n`);
    const out = await promisify(execFile)('ansible', ['h1', '-i', inv, '-m', 'setup', '-o'], { cwd: dir, env: { ...process.env, ANSIBLE_NOCOLOR: '1' }, maxBuffer: 64 << 20 });
    const theirs = (JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as { ansible_facts: Record<string, any> }).ansible_facts;
    const same = ['hostname', 'nodename', 'fqdn', 'domain', 'system', 'kernel', 'kernel_version', 'architecture', 'machine', 'os_family', 'distribution',
      'distribution_version', 'distribution_major_version', 'distribution_release', 'memtotal_mb', 'swaptotal_mb', 'processor_vcpus', 'processor_count',
      'processor_cores', 'processor_threads_per_core', 'processor_nproc', 'processor', 'service_mgr', 'pkg_mgr', 'user_id', 'user_uid', 'user_gid',
      'user_dir', 'user_shell'];
    for (const k of same) expect([k, ours[k]]).toEqual([k, theirs[`ansible_${k}`]]);
    // Lab hosts share the machine's /sys, where Ansible reads links (MAC, MTU, ansible_interfaces): those come from
    // the host's own `ip link` here, and the rest of ansible_default_ipv4 is compared as Ansible reports it.
    const { macaddress, mtu, ...rest } = ours.default_ipv4 as Record<string, unknown>;
    expect(rest).toEqual(Object.fromEntries(Object.entries(theirs.ansible_default_ipv4).filter(([k]) => k !== 'macaddress' && k !== 'mtu')));
    const link = (await runOnHost(h1, 'ip -o link show eth0')).stdout;
    expect(link).toContain(`mtu ${mtu} `);
    expect(link).toContain(`link/ether ${macaddress} `);
    expect([...ours.all_ipv4_addresses].sort()).toEqual([...theirs.ansible_all_ipv4_addresses].sort());
    expect([...ours.interfaces].sort()).toEqual(['eth0', 'lo']);
    expect(Object.keys(ours.date_time).sort()).toEqual(Object.keys(theirs.ansible_date_time).sort());
    expect([ours.date_time.tz, ours.date_time.tz_offset]).toEqual([theirs.ansible_date_time.tz, theirs.ansible_date_time.tz_offset]);
    const mount = (list: Record<string, unknown>[]) => list.find((m) => m.mount === '/data')!;
    const [a, b] = [mount(ours.mounts), mount(theirs.ansible_mounts)];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const k of ['mount', 'device', 'fstype', 'size_total', 'block_size', 'block_total', 'inode_total']) expect([k, a[k]]).toEqual([k, b[k]]);
    for (const k of Object.keys(a)) expect([k, typeof a[k]]).toEqual([k, typeof b[k]]);
  }, 300_000);
});
