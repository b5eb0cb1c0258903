#!/usr/bin/env node
// Records what Ansible's `ansible-inventory --list` reports for each case of test/fixtures/inventory-compat/cases.json;
// test/inventory/ansible-compat.test.ts compares omsrun against these files, without Ansible.
// Needs ansible-inventory on the PATH (Debian: apt-get install ansible). Usage: node scripts/record-inventory-compat.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/inventory-compat');
const cases = JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8'));
const env = { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true', ANSIBLE_NOCOLOR: '1' };
mkdirSync(path.join(dir, 'expected'), { recursive: true });
const version = execFileSync('ansible-inventory', ['--version'], { env, encoding: 'utf8' }).split('\n')[0];
writeFileSync(path.join(dir, 'expected/ansible-version.txt'), `${version}\n`);
for (const c of cases) {
  const args = [...c.sources.flatMap((s) => ['-i', s]), '--list'];
  const out = execFileSync('ansible-inventory', args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  JSON.parse(out);
  writeFileSync(path.join(dir, 'expected', `${c.name}.json`), out.endsWith('\n') ? out : `${out}\n`);
  console.log(`${c.name}: recorded with ${version}`);
}
