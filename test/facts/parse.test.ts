// The fact script's output parsed on the controller: Ansible's names, shapes and types, per distribution family.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FACT_NAMES, filterFacts } from '../../src/facts/names.js';
import { isComplete, parseFacts } from '../../src/facts/parse.js';
import { selectSubsets } from '../../src/modules/setup.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8').replaceAll('<NUL>', '\0');

describe('Debian 12 (ip, GNU df, systemd, NUL-separated environment)', () => {
  const facts = parseFacts(fixture('debian-12.txt'));

  it('names the system as Ansible does (fqdn: the first name with a dot among those of the host name\'s address)', () => {
    expect(facts).toMatchObject({
      system: 'Linux',
      hostname: 'web1',
      nodename: 'web1.example.com',
      fqdn: 'web1.example.com',
      domain: 'example.com',
      kernel: '6.1.0-18-amd64',
      architecture: 'x86_64',
      distribution: 'Debian',
      distribution_version: '12.5',
      distribution_major_version: '12',
      distribution_release: 'bookworm',
      os_family: 'Debian',
      service_mgr: 'systemd',
      pkg_mgr: 'apt',
      memtotal_mb: 16000,
      memfree_mb: 7933,
      processor_vcpus: 4,
      processor_count: 1,
      processor_cores: 2,
      processor_threads_per_core: 2,
      processor_nproc: 4,
      processor: ['0', 'GenuineIntel', 'Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz', '1', 'GenuineIntel', 'Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz', '2', 'GenuineIntel', 'Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz', '3', 'GenuineIntel', 'Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz'],
      user_id: 'deploy',
      user_uid: 1000,
      user_gid: 1000,
      user_dir: '/home/deploy',
      user_shell: '/bin/bash',
    });
  });

  it('takes the default route source address and its interface details for ansible_default_ipv4', () => {
    expect(facts.default_ipv4).toEqual({
      address: '10.0.0.11',
      alias: 'ens3',
      broadcast: '10.0.0.255',
      gateway: '10.0.0.1',
      interface: 'ens3',
      macaddress: '52:54:00:12:34:56',
      mtu: 1500,
      netmask: '255.255.255.0',
      network: '10.0.0.0',
      prefix: '24',
      type: 'ether',
    });
    expect(facts.all_ipv4_addresses).toEqual(['10.0.0.11', '10.0.0.99', '172.17.0.1']);
    expect(facts.interfaces).toEqual(['lo', 'ens3', 'docker0']);
  });

  it('lists mounts of block devices and network shares with sizes in bytes, skipping pseudo file systems', () => {
    const mounts = facts.mounts as Record<string, unknown>[];
    expect(mounts.map((m) => m.mount)).toEqual(['/', '/data', '/var/lib/docker/my data', '/mnt/nfs']);
    expect(mounts[1]).toEqual({
      mount: '/data',
      device: '/dev/vdb1',
      fstype: 'xfs',
      options: 'rw,relatime,attr2,inode64,logbufs=8,logbsize=32k,noquota',
      size_total: 524032000 * 1024,
      size_available: 503060480 * 1024,
      block_size: 4096,
      block_total: 131008000,
      block_available: 125765120,
      block_used: 131008000 - 125765120,
      inode_total: 262144000,
      inode_available: 262143488,
      inode_used: 262144000 - 262143488,
      uuid: 'N/A',
    });
    expect(mounts[3]).toMatchObject({ device: 'nfs1:/export', fstype: 'nfs4', size_total: 104857600 * 1024 });
  });

  it('gives ansible_date_time as strings, with the UTC ISO time from the epoch', () => {
    expect(facts.date_time).toEqual({
      year: '2024', month: '03', weekday: 'Tuesday', weekday_number: '2', weeknumber: '10', day: '12',
      hour: '14', minute: '05', second: '09', epoch: '1710252309', epoch_int: '1710252309',
      date: '2024-03-12', time: '14:05:09',
      iso8601: '2024-03-12T14:05:09Z', iso8601_micro: '2024-03-12T14:05:09.123456Z',
      iso8601_basic: '20240312T140509123456', iso8601_basic_short: '20240312T140509',
      tz: 'CET', tz_dst: 'CET', tz_offset: '+0100',
    });
  });

  it('keeps environment values with newlines whole', () => {
    expect(facts.env).toEqual({ SHELL: '/bin/bash', HOME: '/home/deploy', LANG: 'C.UTF-8', MULTI: 'line one\nline two', PATH: '/usr/local/bin:/usr/bin:/bin' });
  });

  it('produces only names listed in FACT_NAMES (each one a variable ansible_<name>)', () => {
    for (const k of Object.keys(facts)) expect(FACT_NAMES).toContain(k);
  });
});

describe('Rocky 9 (RHEL-like)', () => {
  const facts = parseFacts(fixture('rocky-9.txt'));

  it('reads version and release from redhat-release, and the RedHat family', () => {
    expect(facts).toMatchObject({
      distribution: 'Rocky',
      distribution_version: '9.3',
      distribution_major_version: '9',
      distribution_release: 'Blue Onyx',
      os_family: 'RedHat',
      pkg_mgr: 'dnf',
      service_mgr: 'systemd',
      memtotal_mb: 3770,
      processor_vcpus: 2,
      processor_count: 2,
      processor_cores: 1,
      hostname: 'db1',
      domain: '',
      user_id: 'root',
      user_uid: 0,
    });
    expect(facts.default_ipv4).toEqual({
      address: '192.168.10.21', alias: 'eth0', broadcast: '192.168.11.255', gateway: '192.168.10.1', interface: 'eth0',
      macaddress: '0a:1b:2c:3d:4e:5f', mtu: 9001, netmask: '255.255.252.0', network: '192.168.8.0', prefix: '22', type: 'ether',
    });
    expect((facts.mounts as { mount: string }[]).map((m) => m.mount)).toEqual(['/', '/boot']);
  });

  it('says yum before RHEL 8 and dnf5 where dnf is dnf5', () => {
    const el7 = fixture('rocky-9.txt').replace('Rocky Linux release 9.3 (Blue Onyx)', 'CentOS Linux release 7.9.2009 (Core)').replace('ID="rocky"', 'ID="centos"');
    expect(parseFacts(el7)).toMatchObject({ distribution: 'CentOS', distribution_version: '7.9', distribution_major_version: '7', distribution_release: 'Core', pkg_mgr: 'yum' });
    expect(parseFacts(fixture('rocky-9.txt').replace('dnf->dnf-3', 'dnf->dnf5')).pkg_mgr).toBe('dnf5');
  });
});

describe('Alpine 3 (busybox: no ip, no %N, openrc)', () => {
  const facts = parseFacts(fixture('alpine-3.txt'));

  it('falls back to /proc/net/route for the default route and reads alpine-release', () => {
    expect(facts).toMatchObject({
      distribution: 'Alpine',
      distribution_version: '3.19.1',
      distribution_major_version: '3',
      distribution_release: 'NA',
      os_family: 'Alpine',
      architecture: 'aarch64',
      service_mgr: 'openrc',
      pkg_mgr: 'apk',
      processor_vcpus: 4,
      processor_count: 1,
      memtotal_mb: 976,
      user_shell: '/bin/ash',
      fqdn: 'edge.lan',
      hostname: 'edge',
      env: { USER: 'alpine', HOME: '/home/alpine', SHELL: '/bin/ash' },
    });
    expect(facts.default_ipv4).toEqual({ gateway: '192.168.0.1', interface: 'eth0' });
    expect(facts.all_ipv4_addresses).toEqual([]);
    expect((facts.date_time as Record<string, string>).iso8601_micro).toBe('2024-03-12T13:05:09.000000Z');
    expect((facts.mounts as { mount: string; size_available: number }[]).map((m) => [m.mount, m.size_available])).toEqual([
      ['/', 6723728 * 1024],
      ['/boot', 215040 * 1024],
    ]);
  });
});

describe('edge cases', () => {
  it('reports no default route as an empty ansible_default_ipv4, as Ansible does', () => {
    const text = fixture('debian-12.txt').replace(/default via .*\n/, '');
    expect(parseFacts(text).default_ipv4).toEqual({});
  });

  it('knows a cut-off output from a whole one', () => {
    const text = fixture('rocky-9.txt');
    expect(isComplete(text)).toBe(true);
    expect(isComplete(text.slice(0, text.indexOf('@@omsrun-fact env')))).toBe(false);
  });

  it('names an unknown distribution by os-release NAME, its family by the system', () => {
    const text = fixture('alpine-3.txt').replace('NAME="Alpine Linux"\nID=alpine', 'NAME="Wolfi"\nID=wolfi');
    expect(parseFacts(text)).toMatchObject({ distribution: 'Wolfi', os_family: 'Linux' });
  });
});

describe('setup: gather_subset and filter', () => {
  const facts = parseFacts(fixture('debian-12.txt'));

  it('keeps min with any subset, drops negated ones', () => {
    const net = selectSubsets(facts, ['network']);
    expect(Object.keys(net)).toContain('default_ipv4');
    expect(Object.keys(net)).toContain('os_family');
    expect(Object.keys(net)).not.toContain('mounts');
    const noHw = selectSubsets(facts, ['!hardware']);
    expect(Object.keys(noHw)).not.toContain('memtotal_mb');
    expect(Object.keys(noHw)).toContain('all_ipv4_addresses');
    expect(Object.keys(selectSubsets(facts, ['all']))).toEqual(Object.keys(facts));
  });

  it('filters by glob, with or without the ansible_ prefix', () => {
    expect(Object.keys(filterFacts(facts, ['ansible_mem*']))).toEqual(['memtotal_mb', 'memfree_mb']);
    expect(Object.keys(filterFacts(facts, ['*ipv4*']))).toEqual(['default_ipv4', 'all_ipv4_addresses']);
  });
});
