// Runs the built CLI (bin/omsrun.js → dist/) as a user would, in a temp folder.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

export const BIN = path.resolve(import.meta.dirname, '../../bin/omsrun.js');
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function workdir(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'omsrun-cli-')));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text.replaceAll('@DIR@', dir));
  }
  return dir;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Tests run in parallel on one machine: each keeps its deploy lock and audit log in its own folder.
function isolation(cwd: string): string[] {
  if (!cwd.startsWith(tmpdir())) return [];
  return ['-e', `omsrun_lock_path=${cwd}/.lock`, '-e', `omsrun_audit_log=${cwd}/audit.log`];
}

export function omsrun(args: string[], o: { cwd: string; isolate?: boolean; env?: Record<string, string>; onStdout?: (chunk: string, kill: (sig: NodeJS.Signals) => void) => void }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, ...(o.isolate === false ? [] : isolation(o.cwd))], {
      cwd: o.cwd,
      env: { ...process.env, NO_COLOR: '1', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      o.onStdout?.(stdout, (sig) => child.kill(sig));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Files and environment that plant a bug inside a module: preloaded, the hook makes JSON.stringify (which `debug`
 * calls on a mapping msg) read a property of undefined for a value carrying `simulated_bug`, a TypeError as a real
 * slip would throw. The playbook `bug.yml` runs it on localhost.
 */
export function simulatedBug(): { files: Record<string, string>; env: (dir: string) => Record<string, string> } {
  const hook = [
    'const stringify = JSON.stringify;',
    'JSON.stringify = function (value, ...rest) {',
    "  if (value !== null && typeof value === 'object' && Object.hasOwn(value, 'simulated_bug')) return undefined.length;",
    '  return stringify.call(this, value, ...rest);',
    '};',
  ].join('\n');
  return {
    files: { 'bug.mjs': hook, 'bug.yml': '- hosts: localhost\n  tasks:\n    - name: buggy\n      debug:\n        msg: { simulated_bug: true }\n' },
    env: (dir) => ({ NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${path.join(dir, 'bug.mjs')}`.trim() }),
  };
}
