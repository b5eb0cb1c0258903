import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_HOSTS, runYaml } from '../helpers/run-playbook.js';

const PLAY = "- hosts: all\n  tasks:\n    - name: touch\n      file: { path: '@DIR@/f-{{ inventory_hostname }}', state: touch }\n";

describe('deploy lock', () => {
  it('takes the lock on every host and releases it at the end', async () => {
    const r = await runYaml(PLAY, { inventory: LOCAL_HOSTS, lock: true, extraVars: { omsrun_lock_path: '/tmp/omsrun-test-lock-unused' } });
    expect(r.summary.stats.h1).toMatchObject({ changed: 1, failed: 0 });
    expect(existsSync('/tmp/omsrun-test-lock-unused')).toBe(false);
  });

  it('stops a host that another run holds, naming the holder and how to release it', async () => {
    const lockDir = `/tmp/omsrun-test-lock-${process.pid}`;
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(`${lockDir}/holder`, JSON.stringify({ run_id: 'other', user: 'alice', controller: 'ops1', pid: 4242, playbook: 'playbooks/deploy.yml', started: '2026-11-22T01:00:00Z' }));
    try {
      const r = await runYaml(PLAY, { inventory: LOCAL_HOSTS, lock: true, extraVars: { omsrun_lock_path: lockDir } });
      const lock = r.results('deploy lock');
      expect(Object.keys(lock).sort()).toEqual(['h1', 'h2', 'h3']);
      expect(lock.h1!.msg).toBe(
        'locked by another run: alice@ops1 (pid 4242) running playbooks/deploy.yml since 2026-11-22T01:00:00Z; wait for it (--lock-wait SECONDS) or, if it crashed, release it with: omsrun unlock -i INVENTORY -l h1',
      );
      expect(r.ran('h1')).toEqual(['deploy lock']);
      expect(existsSync(`${r.dir}/f-h1`)).toBe(false);
      expect(JSON.parse(readFileSync(`${lockDir}/holder`, 'utf8')).run_id).toBe('other');
    } finally {
      const { rmSync } = await import('node:fs');
      rmSync(lockDir, { recursive: true, force: true });
    }
  });
});

describe('deploy locks of a whole run, all or none', () => {
  const lockOf = (h: string) => `/tmp/omsrun-test-lock-${process.pid}-${h}`;
  const INVENTORY = `all:
  vars:
    ansible_connection: local
  children:
    web:
      hosts:
        h1: { omsrun_lock_path: ${lockOf('h1')} }
        h2: { omsrun_lock_path: ${lockOf('h2')} }
    db:
      hosts:
        h3: { omsrun_lock_path: ${lockOf('h3')} }
`;
  // Two plays, the first in batches of one: every lock is taken before the first task of the first batch.
  const PLAYS = `- hosts: web
  serial: 1
  tasks:
    - name: look at the db lock
      stat: { path: ${lockOf('h3')} }
      register: db_lock
    - name: touch
      file: { path: '@DIR@/f-{{ inventory_hostname }}', state: touch }
      failed_when: not db_lock.stat.exists
- hosts: db
  tasks:
    - name: touch
      file: { path: '@DIR@/f-{{ inventory_hostname }}', state: touch }
`;
  const clear = () => ['h1', 'h2', 'h3'].forEach((h) => rmSync(lockOf(h), { recursive: true, force: true }));
  beforeEach(clear);
  afterEach(clear);

  it('holds the lock of a later play\'s host from before the first task of the first batch, and releases all at the end', async () => {
    const r = await runYaml(PLAYS, { inventory: INVENTORY, lock: true });
    for (const h of ['h1', 'h2', 'h3']) expect(r.summary.stats[h]).toMatchObject({ changed: 1, failed: 0 });
    for (const h of ['h1', 'h2', 'h3']) expect(existsSync(lockOf(h)), h).toBe(false);
  });

  it('a host of a later play held by another run stops every host before anything runs, holding none', async () => {
    mkdirSync(lockOf('h3'));
    writeFileSync(`${lockOf('h3')}/holder`, JSON.stringify({ run_id: 'other', user: 'alice', controller: 'ops1', pid: 4242, playbook: 'deploy.yml', started: '2026-11-22T01:00:00Z' }));
    const r = await runYaml(PLAYS, { inventory: INVENTORY, lock: true });
    const held = 'locked by another run: alice@ops1 (pid 4242) running deploy.yml since 2026-11-22T01:00:00Z; wait for it (--lock-wait SECONDS) or, if it crashed, release it with: omsrun unlock -i INVENTORY -l h3';
    const msgs = Object.fromEntries(Object.entries(r.results('deploy lock')).map(([h, res]) => [h, res.msg]));
    expect(msgs).toEqual({ h1: `not started: h3 is ${held}`, h2: `not started: h3 is ${held}`, h3: held });
    for (const h of ['h1', 'h2', 'h3']) {
      expect(r.ran(h)).toEqual(['deploy lock']);
      expect(existsSync(`${r.dir}/f-${h}`)).toBe(false);
    }
    expect(existsSync(lockOf('h1')) || existsSync(lockOf('h2'))).toBe(false);
    expect(JSON.parse(readFileSync(`${lockOf('h3')}/holder`, 'utf8')).run_id).toBe('other');
  });
});

describe('audit log on the host', () => {
  it('appends one record per host and run with the result and the changed tasks, secrets masked', async () => {
    const play = `- hosts: web
  vars:
    db_password: Sup3r-Secret
    omsrun_audit_log: "@DIR@/audit-{{ inventory_hostname }}.log"
  tasks:
    - name: write Sup3r-Secret
      copy: { content: x, dest: "@DIR@/a-{{ inventory_hostname }}" }
    - name: same
      command: "true"
      changed_when: false
`;
    const r = await runYaml(play, { inventory: LOCAL_HOSTS, audit: true, secrets: ['Sup3r-Secret'] });
    const text = readFileSync(`${r.dir}/audit-h1.log`, 'utf8');
    expect(text).not.toContain('Sup3r-Secret');
    const rec = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(rec).toMatchObject({ host: 'h1', user: 'tester', playbook: 'site.yml', result: 'ok', check: false, changed_tasks: ['write ********'] });
    expect(rec.stats).toMatchObject({ ok: 2, changed: 1, failed: 0 });
    expect(existsSync(`${r.dir}/audit-h3.log`)).toBe(false);
  });
});
