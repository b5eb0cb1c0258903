import { CommanderError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildProgram, type CliOptions } from '../../src/cli/options.js';
import { loadInventory } from '../../src/inventory/load.js';
import { selectHosts } from '../../src/inventory/pattern.js';
import { parseExtraVars } from '../../src/template/extra-vars.js';
import { omsrun, workdir } from '../cli/cli-helper.js';
import { clean } from './fuzz-helper.js';

const FLAGS = [
  '-i', '-l', '-t', '--skip-tags', '-e', '-C', '-D', '-f', '--forks', '--forks=0', '-f-1', '--list-hosts', '--list-tasks',
  '--syntax-check', '--start-at-task', '-v', '-vvv', '--json', '--no-color', '--no-lock', '--lock-wait', '--log-dir',
  '--vault-password-file', '--host-key-checking', '--host-key-checking=maybe', '--unknown', '-Z', '--', '-', '-h', '--version',
];
const VALUES = ['site.yml', 'hosts.yml', 'web', 'all', '!web', 'x=1', '@vars.yml', '{a: [', '0', '-3', 'NaN', '1e9', 'off', '', ' ', 'é', '😀', '$(id)', '; rm -rf /', "'", '"', '\n', '*'];
const argv = fc.array(fc.oneof(fc.constantFrom(...FLAGS), fc.constantFrom(...VALUES), fc.string({ maxLength: 8 })), { maxLength: 10 });

const HOSTS = 'all:\n  vars:\n    ansible_connection: local\n  children:\n    web:\n      hosts:\n        h1:\n';
const PLAY = '- hosts: web\n  gather_facts: false\n  tasks:\n    - debug: { msg: hi }\n';

describe('fuzz: the command line', () => {
  it('in-process: 600 random argument vectors parse or fail with a CommanderError, and -e/-l values load cleanly', async () => {
    const dir = workdir({ 'hosts.yml': HOSTS, 'site.yml': PLAY, 'vars.yml': 'a: 1\n' });
    const inv = await loadInventory(`${dir}/hosts.yml`);
    let parsed = 0;
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        let got: { playbook: string; o: CliOptions } | undefined;
        const program = buildProgram(async (playbook, o) => void (got = { playbook, o }))
          .exitOverride()
          .configureOutput({ writeOut: () => {}, writeErr: () => {} });
        try {
          await program.parseAsync(['node', 'omsrun', ...args]);
        } catch (err) {
          if (!(err instanceof CommanderError)) throw new Error(`argv ${JSON.stringify(args)}: ${String(err)}`, { cause: err });
          return;
        }
        if (!got) return;
        parsed++;
        expect(Number.isInteger(got.o.forks) && got.o.forks >= 1).toBe(true);
        expect(Number.isFinite(got.o.lockWait) && got.o.lockWait >= 0).toBe(true);
        expect(['strict', 'accept-new', 'off']).toContain(got.o.hostKeyChecking);
        await clean(() => parseExtraVars(got!.o.extraVars, dir));
        if (got.o.limit !== undefined) await clean(() => selectHosts(inv, got!.o.limit!, dir));
      }),
      { numRuns: 600 },
    );
    console.log(`[fuzz] CLI: 600 argument vectors in-process, ${parsed} reached the run action`);
    expect(parsed).toBeGreaterThan(0);
  });

  it('spawned: 8 random argument vectors through the built binary exit 0/2/3/4 without a stack trace', async () => {
    const dir = workdir({ 'inventories/default.yml': HOSTS, 'hosts.yml': HOSTS, 'site.yml': PLAY, 'vars.yml': 'a: 1\n' });
    const cases = fc.sample(argv.map((a) => ['site.yml', ...a]), { numRuns: 8, seed: 4242 });
    for (const args of cases) {
      const r = await omsrun(args, { cwd: dir, env: { OMSRUN_VAULT_PASSWORD: 'pw' } });
      expect({ args, code: [0, 2, 3, 4].includes(r.code ?? -1) }).toEqual({ args, code: true });
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+|internal error/);
    }
  }, 60_000);
});
