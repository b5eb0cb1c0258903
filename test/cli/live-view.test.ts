// The live view at a real terminal (a pty from script(1)): it must redraw on a timer, not once per event.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, simulatedBug, workdir } from './cli-helper.js';

const HOSTS = 30;

describe('live view', () => {
  it(`redraws ${HOSTS} hosts about once a second, not on every event, and ends with the recap`, () => {
    const hosts = Array.from({ length: HOSTS }, (_, i) => `    l${i}:`).join('\n');
    const tasks = Array.from({ length: 10 }, (_, i) => `    - name: step ${i}\n      command: 'true'\n      changed_when: false`).join('\n');
    const dir = workdir({
      'inventories/default.yml': `all:\n  vars:\n    ansible_connection: local\n  hosts:\n${hosts}\n`,
      'site.yml': `- hosts: all\n  tasks:\n${tasks}\n`,
    });
    const log = path.join(dir, 'tty.log');
    const cmd = `stty cols 120 rows 40; ${process.execPath} ${BIN} site.yml -f ${HOSTS} -e omsrun_lock_path=${dir}/lock -e omsrun_audit_log=${dir}/audit.log`;
    const env = { ...process.env, CI: '', TERM: 'xterm' };
    const r = spawnSync('script', ['-qec', cmd, log], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const tty = readFileSync(log, 'utf8');
    // Each redraw erases and rewrites every host's line; a redraw per event gave ~1000 of them here.
    const redraws = tty.split('\x1b[2K').length / (HOSTS + 1);
    expect(redraws).toBeGreaterThan(0.9);
    expect(redraws).toBeLessThan(60);
    expect(tty).toContain(`OK: ${HOSTS} hosts, 0 changes in`);
    for (let i = 0; i < HOSTS; i++) expect(tty).toMatch(new RegExp(`l${i} +\\x1b\\[39m : ok=10 `));
  });

  it('fits a terminal shorter than the host list: a summary and the busy hosts, then every host when the play ends', () => {
    const hosts = Array.from({ length: HOSTS }, (_, i) => `    l${i}:`).join('\n');
    const dir = workdir({
      'inventories/default.yml': `all:\n  vars:\n    ansible_connection: local\n  hosts:\n${hosts}\n`,
      'site.yml': "- hosts: all\n  tasks:\n    - name: say hello\n      shell: 'echo hello from {{ inventory_hostname }}'\n",
    });
    const log = path.join(dir, 'tty.log');
    const cmd = `stty cols 80 rows 12; ${process.execPath} ${BIN} site.yml -f ${HOSTS} -e omsrun_lock_path=${dir}/lock -e omsrun_audit_log=${dir}/audit.log`;
    const r = spawnSync('script', ['-qec', cmd, log], { cwd: dir, env: { ...process.env, CI: '', TERM: 'xterm' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const tty = readFileSync(log, 'utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(tty).toContain(`${HOSTS} hosts: ${HOSTS} running, 0 finished`);
    expect(tty).toMatch(/… \d+ more hosts not shown/);
    for (let i = 0; i < HOSTS; i++) expect(tty).toMatch(new RegExp(`✔ l${i} +done  ok=1 changed=1`));
    const board = tty.split(/\r?\n/).filter((line) => /^[◼✔✖] |^\d+ hosts: /.test(line));
    expect(board.length).toBeGreaterThan(HOSTS);
    expect(board.filter((line) => line.length > 80)).toEqual([]);
  });

  it('shows the lost deploy lock of a host that only a later play selects', () => {
    const dir = workdir({
      'inventories/default.yml': 'all:\n  vars:\n    ansible_connection: local\n  children:\n    web:\n      hosts:\n        h1: { omsrun_lock_path: "@DIR@/l1" }\n    db:\n      hosts:\n        h3: { omsrun_lock_path: "@DIR@/l3" }\n',
      'site.yml': "- hosts: web\n  tasks:\n    - command: 'true'\n- hosts: db\n  tasks:\n    - command: 'true'\n",
    });
    mkdirSync(path.join(dir, 'l3'));
    writeFileSync(path.join(dir, 'l3', 'holder'), JSON.stringify({ run_id: 'other', user: 'alice', controller: 'ops1', pid: 4242, playbook: 'deploy.yml', started: '2026-11-22T01:00:00Z' }));
    const log = path.join(dir, 'tty.log');
    const cmd = `stty cols 200 rows 40; ${process.execPath} ${BIN} site.yml -e omsrun_audit_log=${dir}/audit.log`;
    const r = spawnSync('script', ['-qec', cmd, log], { cwd: dir, env: { ...process.env, CI: '', TERM: 'xterm' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    const tty = readFileSync(log, 'utf8');
    expect(tty).toContain('failed: [h3] deploy lock => locked by another run: alice@ops1 (pid 4242) running deploy.yml since 2026-11-22T01:00:00Z;');
    expect(tty).toContain('failed: [h1] deploy lock => not started: h3 is locked by another run: alice@ops1');
  });

  it('gives the terminal back after a bug inside a module, then prints it and exits 70', () => {
    const bug = simulatedBug();
    const dir = workdir(bug.files);
    const log = path.join(dir, 'tty.log');
    const cmd = `stty cols 120 rows 40; ${process.execPath} ${BIN} bug.yml -e omsrun_lock_path=${dir}/lock -e omsrun_audit_log=${dir}/audit.log`;
    const env = { ...process.env, CI: '', TERM: 'xterm', ...bug.env(dir) };
    const r = spawnSync('script', ['-qec', cmd, log], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(70);
    const tty = readFileSync(log, 'utf8');
    expect(tty).toContain("omsrun: internal error (please report it (OMSRUN_DEBUG=1 maps the stack to the source)): TypeError: Cannot read properties of undefined (reading 'length')");
    expect(tty.lastIndexOf('\x1b[?25h')).toBeGreaterThan(tty.lastIndexOf('\x1b[?25l'));
  });
});
