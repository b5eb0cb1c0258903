// The live view at a real terminal (a pty from script(1)): it must redraw on a timer, not once per event.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, workdir } from './cli-helper.js';

const HOSTS = 30;

describe('live view', () => {
  it(`redraws ${HOSTS} hosts a few times a second, not on every event, and ends with the recap`, () => {
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
});
