import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { omsrun, workdir } from './cli-helper.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('playbooks/tour.yml on localhost', () => {
  it('uses every engine feature, changes things once, and a second run changes nothing', async () => {
    const dir = workdir({});
    const args = ['playbooks/tour.yml', '-i', 'local', '-e', `tour_root=${dir}/tour`, '--log-dir', `${dir}/runs`, '-e', `omsrun_lock_path=${dir}/.lock`, '-e', `omsrun_audit_log=${dir}/audit.log`];
    const first = await omsrun([...args, '--diff'], { cwd: ROOT, isolate: false });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/localhost : ok=\d+ +changed=[1-9]\d* +failed=0 +skipped=0 +unreachable=0 +rescued=1 +ignored=1/);
    expect(first.stdout).toContain('RUNNING HANDLER [announce config change]');
    expect(first.stdout).not.toContain("p@ss: w#rd");
    const config = `${dir}/tour/conf/app.yaml`;
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(readFileSync(config, 'utf8')).toContain('db_password: "p@ss: w#rd \'x\' \\"y\\" *z"');

    const second = await omsrun(args, { cwd: ROOT, isolate: false });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/localhost : ok=\d+ +changed=0 +failed=0/);
    expect(second.stdout).not.toContain('RUNNING HANDLER');
    expect(second.stdout).toContain('OK: 1 host, 0 changes in');

    const audit = readFileSync(`${dir}/runs/audit.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { result: string; changed_tasks: string[] });
    expect(audit.map((a) => a.result)).toEqual(['ok', 'ok']);
    expect(audit[1]!.changed_tasks).toEqual([]);
    expect(readFileSync(`${dir}/audit.log`, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('check mode on a fresh root reports changes and writes nothing', async () => {
    const dir = workdir({});
    const r = await omsrun(['playbooks/tour.yml', '-i', 'local', '-C', '-e', `tour_root=${dir}/tour`, '--log-dir', `${dir}/runs`, '--no-lock', '-e', `omsrun_audit_log=${dir}/audit.log`], {
      cwd: ROOT,
      isolate: false,
    });
    expect(r.stdout).toContain('CHECK MODE: nothing will be changed');
    expect(() => statSync(`${dir}/tour`)).toThrow();
  });
});
