import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { omsrun } from '../cli/cli-helper.js';
import { filesIn, inventoryOf, labEnabled, useSideLab } from './safety-lab.js';

// Each value tries to create a `pwned-*` file in the working folder of whatever shell would run it, or to escape quoting;
// none may run, all must arrive as written (no value holds a slash, so every value is also a file name).
const VALUES = [
  '; touch pwned-semi', '$(touch pwned-dollar)', '`touch pwned-tick`', `it's "quoted" \\ back`, 'line1\nline2 && touch pwned-nl',
  '-rf', '*', '~', 'a b  c', '{{ inventory_hostname }}', 'ünï©ødé ✓ 😀', '|| touch pwned-or', '> pwned-redir', "%d ' ; touch pwned-pct",
];

function pwned(dirs: string[]): string[] {
  return dirs.flatMap((d) => readdirSync(d).filter((n) => n.startsWith('pwned')).map((n) => path.join(d, n)));
}

const PLAY = `- name: hostile values
  hosts: all
  become: true
  tasks:
    - name: file path
      file: { path: "{{ base }}/file-{{ item }}", state: touch }
      loop: "{{ hostile }}"
    - name: copy content and dest
      copy: { content: "{{ item }}", dest: "{{ base }}/copy-{{ item }}", mode: "0600" }
      loop: "{{ hostile }}"
    - name: template dest and validate
      template: { src: inj.hbs, dest: "{{ base }}/tpl-{{ item }}", validate: [grep, -qF, --, "{{ item }}", "%s"] }
      loop: "{{ hostile }}"
    - name: command argv
      command: { argv: [touch, "{{ base }}/argv-{{ item }}"] }
      loop: "{{ hostile }}"
    - name: command stdin, chdir and creates
      command: { argv: [tee, "stdin-{{ item }}"], stdin: "{{ item }}", chdir: "{{ base }}", creates: "{{ base }}/stdin-{{ item }}" }
      loop: "{{ hostile }}"
    - name: creates skips on the literal path
      command: { argv: [touch, "{{ base }}/never"], creates: "{{ base }}/copy-{{ item }}" }
      loop: "{{ hostile }}"
    - name: command cmd
      command: "echo {{ item }}"
      loop: "{{ hostile }}"
      ignore_errors: true
    - name: shell with shell_quote
      shell: "printf %s {{ shell_quote item }} > {{ base }}/shell-{{ shell_quote item }}"
      loop: "{{ hostile }}"
    - name: stat path
      stat: { path: "{{ base }}/copy-{{ item }}" }
      loop: "{{ hostile }}"
      register: st
      failed_when: "not st.stat.exists"
    - name: wait_for path
      wait_for: { path: "{{ base }}/copy-{{ item }}", timeout: 5 }
      loop: "{{ hostile }}"
    - name: file owner and mode
      file: { path: "{{ base }}/own", state: touch, owner: "{{ item }}", mode: "{{ item }}" }
      loop: "{{ hostile }}"
      ignore_errors: true
    - name: uri url and body
      uri: { url: "{{ url }}?v={{ item }}", method: POST, body: "{{ item }}", timeout: 5 }
      loop: "{{ hostile }}"
      ignore_errors: true
    - name: debug message
      debug: { msg: "{{ item }}" }
      loop: "{{ hostile }}"
    - name: assert message
      assert: { that: "item == item", success_msg: "{{ item }}" }
      loop: "{{ hostile }}"
    - name: fail message
      fail: { msg: "{{ item }}" }
      loop: "{{ hostile }}"
      ignore_errors: true
    - name: set_fact
      set_fact: { got: "{{ item }}" }
      loop: "{{ hostile }}"
    - name: fact to file
      copy: { content: "{{ got }}", dest: "{{ base }}/fact" }
`;

describe.skipIf(!labEnabled())('hostile values reach every module literally and run nothing (SSH with sudo, and local)', () => {
  const side = useSideLab('sfinj', 1);
  let server: Server;
  const bodies: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => (bodies.push(b), res.end('ok')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('file, copy, template, command (argv, cmd, stdin, chdir, creates), shell, stat, wait_for, uri, debug, assert, fail, set_fact', async () => {
    const { lab } = side;
    const h1 = lab.hosts[0]!;
    const localBase = path.join(side.work, 'local-inj');
    mkdirSync(localBase);
    mkdirSync(path.join(h1.dir, 'data', 'inj'), { recursive: true });
    const values = VALUES;
    const port = (server.address() as AddressInfo).port;
    const pw = lab.tester.password;
    const inventory = inventoryOf(lab, {
      h1: { ansible_user: 'tester', ansible_password: pw, ansible_become_password: pw, ansible_ssh_private_key_file: null, base: '/data/inj', url: 'http://127.0.0.1:9/x', omsrun_audit_log: '/data/audit.log' },
    });
    const inv = parse(inventory) as { all: { hosts: Record<string, unknown> } };
    inv.all.hosts.local = { ansible_connection: 'local', base: localBase, url: `http://127.0.0.1:${port}/x`, omsrun_lock_path: `${side.work}/lock`, omsrun_audit_log: `${side.work}/audit.log` };
    const dir = filesIn(side, {
      'inventory.yml': stringify(inv),
      'site.yml': PLAY,
      'inj.hbs': '[{{ item }}]\n',
      'hostile.json': JSON.stringify({ hostile: values }),
    });
    const r = await omsrun(['site.yml', '-i', 'inventory.yml', '-e', '@hostile.json', '--json'], { cwd: dir, isolate: false });
    expect(r.stderr).toBe('');
    const failures = r.stdout.split("\n").filter((l) => l.includes("\"failed\":true") && !l.includes("\"ignored\":true")).map((l) => l.slice(0, 600));
    expect(failures).toEqual([]);
    expect(r.code).toBe(0);

    expect(pwned([dir, localBase, path.join(h1.dir, 'data', 'inj'), path.join(h1.dir, 'home', 'tester'), '/root', '/'])).toEqual([]);
    for (const base of [path.join(h1.dir, 'data', 'inj'), localBase]) {
      for (const v of values) {
        expect(existsSync(path.join(base, `file-${v}`)), `file-${v}`).toBe(true);
        expect(existsSync(path.join(base, `argv-${v}`)), `argv-${v}`).toBe(true);
        expect(readFileSync(path.join(base, `copy-${v}`), 'utf8')).toBe(v);
        expect(readFileSync(path.join(base, `tpl-${v}`), 'utf8')).toBe(`[${v}]\n`);
        expect(readFileSync(path.join(base, `shell-${v}`), 'utf8')).toBe(v);
        expect(readFileSync(path.join(base, `stdin-${v}`), 'utf8')).toBe(v);
      }
      expect(readFileSync(path.join(base, 'fact'), 'utf8')).toBe(values.at(-1));
      expect(existsSync(path.join(base, 'own'))).toBe(false);
      expect(existsSync(path.join(base, 'never'))).toBe(false);
    }
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; host?: string; task?: { name: string }; result?: { msg?: string; results?: { msg?: string; item?: unknown }[] } });
    const msgs = (task: string, host: string) =>
      events.find((e) => e.kind === 'host_task_result' && e.task?.name === task && e.host === host)?.result?.results?.map((x) => x.msg);
    for (const host of ['h1', 'local']) {
      expect(msgs('debug message', host)).toEqual(values);
      expect(msgs('assert message', host)).toEqual(values);
      expect(msgs('fail message', host)).toEqual(values);
    }
    expect(bodies).toEqual(values);
  }, 180_000);
});
