// Lazy facts in the engine, over real local connections: gathered with one command the first time a host's fact is
// read, once per host per run, never for a playbook that reads none; gather_facts true/false; the setup module.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionFactory } from '../../src/cli/connection-factory.js';
import type { Connection } from '../../src/connection/connection.js';
import type { ConnectionFactory } from '../../src/executor/context.js';
import { FACTS_ARGV } from '../../src/facts/gather.js';
import { LOCAL_HOSTS, runYaml } from '../helpers/run-playbook.js';

/** The CLI's connections, counting the fact commands each host receives. */
function counting(): { connect: ConnectionFactory; factCommands: Record<string, number>; commands: Record<string, number> } {
  const real = connectionFactory();
  const factCommands: Record<string, number> = {};
  const commands: Record<string, number> = {};
  const connect: ConnectionFactory = (host, vars) => {
    const conn = real(host, vars);
    const exec: Connection['exec'] = (argv, o) => {
      commands[host] = (commands[host] ?? 0) + 1;
      if (argv.join('\0') === FACTS_ARGV.join('\0')) factCommands[host] = (factCommands[host] ?? 0) + 1;
      return conn.exec(argv, o);
    };
    return Object.assign(Object.create(conn) as Connection, { exec });
  };
  return { connect, factCommands, commands };
}

const defaultAddress = /\bsrc (\S+)/.exec(execFileSync('ip', ['-4', 'route', 'get', '192.0.2.123'], { encoding: 'utf8' }))?.[1];

describe('lazy facts', () => {
  it('sends no fact command for a playbook that reads no fact', async () => {
    const c = counting();
    const out = await runYaml(
      `- hosts: all\n  tasks:\n    - command: echo {{ inventory_hostname }}\n    - debug: { msg: "{{ hostvars.h1.inventory_hostname }}" }\n      when: inventory_hostname != 'h3'\n`,
      { inventory: LOCAL_HOSTS, connect: c.connect },
    );
    expect(out.summary.stats.h1).toMatchObject({ ok: 2, failed: 0 });
    expect(c.factCommands).toEqual({});
    expect(c.commands).toEqual({ h1: 1, h2: 1, h3: 1 });
    expect(out.events.filter((e) => e.kind === 'verbose' && e.msg.startsWith('facts gathered'))).toEqual([]);
  });

  it('gathers once per host, the first time a template, a condition, a loop or hostvars reads a fact', async () => {
    const c = counting();
    const out = await runYaml(
      `- hosts: all
  tasks:
    - name: plain
      command: "true"
    - name: template
      debug: { msg: "{{ ansible_os_family }}|{{ ansible_facts.distribution }}|{{ ansible_default_ipv4.address }}|{{ ansible_hostname }}" }
    - name: condition
      debug: { msg: root mounted }
      when: ansible_mounts[.mount == '/'][0].size_total > 0 and ansible_facts['os_family'] == 'Debian' and ansible_memtotal_mb > 0
    - name: loop
      debug: { msg: "{{ item }}" }
      loop: "{{ ansible_all_ipv4_addresses }}"
- hosts: web
  tasks:
    - name: other host
      debug: { msg: "{{ hostvars.h3.ansible_default_ipv4.address }} {{ hostvars.h3.ansible_facts.kernel }}" }
`,
      { inventory: LOCAL_HOSTS, connect: c.connect },
    );
    for (const h of ['h1', 'h2', 'h3']) {
      expect(out.results('template')[h]?.msg).toBe(`Debian|Debian|${defaultAddress}|${hostname().split('.')[0]}`);
      expect(out.results('condition')[h]?.status).toBe('ok');
      expect(out.results('loop')[h]?.results?.map((r) => r.item)).toContain(defaultAddress);
    }
    expect(out.results('other host').h1?.msg).toBe(`${defaultAddress} ${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()}`);
    expect(c.factCommands).toEqual({ h1: 1, h2: 1, h3: 1 });
  });

  it('runs a command once when only its changed_when reads a fact', async () => {
    const c = counting();
    const out = await runYaml(
      `- hosts: h1\n  tasks:\n    - name: append\n      shell: echo x >> @DIR@/ran.txt\n      changed_when: ansible_os_family == 'Debian'\n`,
      { inventory: LOCAL_HOSTS, connect: c.connect },
    );
    expect(out.results('append').h1?.status).toBe('changed');
    expect(readFileSync(path.join(out.dir, 'ran.txt'), 'utf8')).toBe('x\n');
    expect(c.factCommands).toEqual({ h1: 1 });
  });

  it('gathers when the first fact read is under default(...), in a template and in a condition', async () => {
    const c = counting();
    const out = await runYaml(
      `- hosts: h1\n  tasks:\n    - name: memory\n      debug: { msg: "{{ ansible_memtotal_mb | default(0) }}" }\n- hosts: h2\n  tasks:\n    - name: mounts\n      debug: { msg: here }\n      when: (ansible_mounts[.mount == '/'] | first | default({})).mount == '/'\n`,
      { inventory: LOCAL_HOSTS, connect: c.connect },
    );
    expect(out.results('memory').h1, out.results('memory').h1?.msg).toMatchObject({ status: 'ok' });
    expect(Number(out.results('memory').h1?.msg)).toBeGreaterThan(0);
    expect(out.results('mounts').h2?.status).toBe('ok');
    expect(c.factCommands).toEqual({ h1: 1, h2: 1 });
  });

  it("gathers another host's facts on demand, and only that host's", async () => {
    const c = counting();
    const out = await runYaml(
      `- hosts: db\n  tasks:\n    - command: "true"\n- hosts: h1\n  tasks:\n    - name: peek\n      debug: { msg: "{{ hostvars.h3.ansible_os_family }}" }\n`,
      { inventory: LOCAL_HOSTS, connect: c.connect },
    );
    expect(out.results('peek').h1?.msg).toBe('Debian');
    expect(c.factCommands).toEqual({ h3: 1 });
  });

  it('says clearly that a host outside the run has no facts', async () => {
    const out = await runYaml(`- hosts: h1\n  tasks:\n    - name: peek\n      debug: { msg: "{{ hostvars.h3.ansible_os_family }}" }\n`, {
      inventory: LOCAL_HOSTS,
    });
    expect(out.results('peek').h1?.msg).toBe(
      `${out.dir}/site.yml:3:7 task "peek": ansible_os_family is a fact of h3, which is not connected in this run\n` +
        '  hint: facts are gathered only from hosts the run connects to: add h3 to a play\'s hosts (and to --limit), or set the value in the inventory',
    );
  });
});

describe('secrets in facts', () => {
  it("masks the host's environment values whose names look secret, wherever they show", async () => {
    process.env.OMSRUN_FACTS_TEST_PASSWORD = 'Env-Secret-4417';
    try {
      const out = await runYaml(`- hosts: h1\n  tasks:\n    - name: show\n      debug: { msg: "pw={{ ansible_env.OMSRUN_FACTS_TEST_PASSWORD }} home={{ ansible_env.HOME }}" }\n`, {
        inventory: LOCAL_HOSTS,
      });
      expect(out.results('show').h1?.msg).toBe(`pw=******** home=${process.env.HOME}`);
      expect(JSON.stringify(out.events)).not.toContain('Env-Secret-4417');
    } finally {
      delete process.env.OMSRUN_FACTS_TEST_PASSWORD;
    }
  });
});

describe('gather_facts', () => {
  it('false: reading a fact fails the task, saying what to do, and sends no fact command', async () => {
    const c = counting();
    const out = await runYaml(`- hosts: h1\n  gather_facts: false\n  tasks:\n    - name: family\n      debug: { msg: "{{ ansible_os_family }}" }\n`, {
      inventory: LOCAL_HOSTS,
      connect: c.connect,
    });
    expect(out.results('family').h1).toMatchObject({ status: 'failed' });
    expect(out.results('family').h1?.msg).toBe(
      `${out.dir}/site.yml:4:7 task "family": undefined variable "ansible_os_family" in "{{ ansible_os_family }}"\n  hint: ansible_os_family is a host fact, and this play sets gather_facts: false: remove that (omsrun then gathers facts with one command the first time a task uses one), or run the setup module before this task`,
    );
    expect(c.factCommands).toEqual({});
  });

  it('false: a `when` reading a fact fails as clearly', async () => {
    const out = await runYaml(`- hosts: h1\n  gather_facts: no\n  tasks:\n    - name: w\n      debug: { msg: x }\n      when: ansible_os_family == 'Debian'\n`, {
      inventory: LOCAL_HOSTS,
    });
    expect(out.results('w').h1?.msg).toBe(
      `${out.dir}/site.yml:4:7 task "w": when: undefined variable "ansible_os_family" in "ansible_os_family == 'Debian'"\n  hint: ansible_os_family is a host fact, and this play sets gather_facts: false: remove that (omsrun then gathers facts with one command the first time a task uses one), or run the setup module before this task`,
    );
  });

  it('true: a Gathering Facts task opens the play, even with --tags, and later reads send nothing more', async () => {
    const c = counting();
    const out = await runYaml(
      `- hosts: web\n  gather_facts: true\n  tasks:\n    - name: family\n      debug: { msg: "{{ ansible_os_family }}" }\n      tags: [t]\n    - name: untagged\n      command: "true"\n`,
      { inventory: LOCAL_HOSTS, connect: c.connect, tags: ['t'] },
    );
    expect(out.ran('h1')).toEqual(['Gathering Facts', 'family']);
    expect(out.results('family').h2?.msg).toBe('Debian');
    expect(c.factCommands).toEqual({ h1: 1, h2: 1 });
  });

  it('the setup module gathers again, returns ansible_facts filtered, and works in check mode', async () => {
    const c = counting();
    const out = await runYaml(
      `- hosts: h1\n  gather_facts: false\n  tasks:\n    - name: mem\n      setup: { filter: "ansible_mem*" }\n      register: s\n    - name: read\n      debug: { msg: "{{ s.ansible_facts.memtotal_mb }} {{ ansible_memtotal_mb }} {{ ansible_os_family }}" }\n    - name: again\n      setup: { gather_subset: ["!all"] }\n      register: m\n    - name: min\n      assert: { that: ["m.ansible_facts.os_family == 'Debian'", "not ('mounts' in m.ansible_facts)"] }\n`,
      { inventory: LOCAL_HOSTS, connect: c.connect, check: true },
    );
    const memMb = Math.floor(Number(/MemTotal:\s+(\d+)/.exec(execFileSync('cat', ['/proc/meminfo'], { encoding: 'utf8' }))![1]) / 1024);
    expect(out.results('mem').h1).toMatchObject({ status: 'ok', data: { ansible_facts: { memtotal_mb: memMb, memfree_mb: expect.any(Number) } } });
    expect(Object.keys((out.results('mem').h1?.data as { ansible_facts: object }).ansible_facts)).toEqual(['memtotal_mb', 'memfree_mb']);
    expect(out.results('read').h1?.msg).toBe(`${memMb} ${memMb} Debian`);
    expect(out.results('min').h1?.status).toBe('ok');
    expect(c.factCommands).toEqual({ h1: 2 });
  });
});

describe('OMS settings', () => {
  it("default a node's OMS_HOST_IP to its default IPv4 address when ansible_host is no IP, gathering that node's facts", async () => {
    const c = counting();
    const inventory = `all:
  vars:
    ansible_connection: local
    oms_meta_host: 10.0.0.1
    oms_meta_port: 3306
    oms_meta_user: oms_meta
    oms_meta_password: Very-secret-1
    oms_vip: 10.0.0.100
    cm_location: 1
    oms_image: oms:feature_4.2.0-ce
  children:
    oms_nodes:
      hosts:
        h1:
    other:
      hosts:
        h2:
`;
    const out = await runYaml(`- hosts: all\n  tasks:\n    - name: settings\n      oms_settings: {}\n      run_once: true\n`, { inventory, connect: c.connect });
    expect(out.results('settings').h1?.msg).toBe(`1 node(s) h1=${defaultAddress}; cm_url http://10.0.0.100:8088; databases drc_rm_db, drc_cm_db, drc_cm_heartbeat_db`);
    expect(c.factCommands).toEqual({ h1: 1 });
  });
  it('keeps the ansible_facts a module returns (package_facts): read without gathering, kept when facts are gathered later', async () => {
    const c = counting();
    const out = await runYaml(
      `- hosts: h1
  gather_facts: false
  tasks:
    - package_facts: {}
    - name: without facts
      debug: { msg: "{{ ansible_facts.packages.dpkg[0].source }} {{ ansible_facts.os_family is defined }}" }
- hosts: h1
  tasks:
    - name: with facts
      debug: { msg: "{{ ansible_facts.packages.dpkg[0].name }} {{ ansible_facts.os_family }}" }
`,
      { inventory: LOCAL_HOSTS, connect: c.connect },
    );
    expect(out.results('without facts').h1?.msg).toBe('apt false');
    expect(out.results('with facts').h1?.msg).toBe('dpkg Debian');
    expect(c.factCommands).toEqual({ h1: 1 });
  });
});
