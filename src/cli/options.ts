// The command line, parsed by commander; numbers and lists validated here.
import { Command, InvalidArgumentError, Option } from 'commander';
import { createRequire } from 'node:module';
import { DEFAULT_LOG_DIR } from '../report/run-log.js';

export interface CliOptions {
  /** Every `-i`, in order (names, paths, scripts, `host1,host2,` lists); empty means the default inventory. */
  inventory: string[];
  limit?: string;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check: boolean;
  diff: boolean;
  forks: number;
  listHosts: boolean;
  listTasks: boolean;
  syntaxCheck: boolean;
  startAtTask?: string;
  verbose: number;
  json: boolean;
  color: boolean;
  hostKeyChecking: 'strict' | 'accept-new' | 'off';
  vaultPasswordFile?: string;
  vaultIds: string[];
  lock: boolean;
  lockWait: number;
  logDir: string;
}

export const DEFAULT_FORKS = 50;

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number of seconds, got "${value}"`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function commaList(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** Builds the `omsrun` program; `action` receives the playbook path and options. */
export function buildProgram(action: (playbook: string, options: CliOptions) => Promise<void>): Command {
  const program = new Command('omsrun').enablePositionalOptions();
  program
    .description('Run YAML playbooks of idempotent tasks on hosts over SSH, in parallel, with live progress.')
    .version(version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .argument('<playbook>', 'playbook file (e.g. playbooks/deploy.yml)')
    .option('-i, --inventory <name>', 'inventory: a name (inventories/NAME.yml, .ini or NAME/), a path (YAML, INI, folder or executable script) or host1,host2, (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'limit hosts: names, groups, globs, !exclusions, &intersections, @retry-file')
    .option('-t, --tags <tags>', 'only run tasks with these tags (comma separated, repeatable)', commaList, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma separated, repeatable)', commaList, [])
    .option('-e, --extra-vars <vars>', 'extra variables: k=v, a JSON/YAML mapping, or @file.yml (repeatable)', collect, [])
    .option('-C, --check', 'check mode: report what would change, change nothing', false)
    .option('-D, --diff', 'show unified diffs of changed files', false)
    .option('-f, --forks <n>', `how many hosts to work on at once (default ${DEFAULT_FORKS})`, positiveInt, DEFAULT_FORKS)
    .option('--list-hosts', 'list the hosts each play would run on, then exit', false)
    .option('--list-tasks', 'list the tasks each play would run, then exit', false)
    .option('--syntax-check', 'validate inventory, playbook, vars files and templates, then exit', false)
    .option('--start-at-task <name>', 'start the playbook at the task with this name')
    .option('-v, --verbose', 'more output: -v results, -vv live command output, -vvv connection details', (_v, n: number) => n + 1, 0)
    .option('--json', 'write one JSON event per line to stdout instead of the human view', false)
    .option('--no-color', 'plain output without colours or the live view')
    .option('--no-lock', 'do not take the per-host deploy lock')
    .option('--lock-wait <seconds>', 'wait this long for other runs\' deploy locks (default 0: stop at once)', seconds, 0)
    .option('--log-dir <dir>', 'where run logs and the audit log are written', DEFAULT_LOG_DIR)
    .option('--vault-password-file <file>', 'read the vault password from FILE (or run FILE when executable); else $OMSRUN_VAULT_PASSWORD, else a prompt')
    .option('--vault-id <id>', "Ansible's LABEL@FILE or LABEL@prompt: another way to give the one vault password", collect, [])
    .addOption(
      new Option('--host-key-checking <mode>', 'SSH host key policy').choices(['strict', 'accept-new', 'off']).default('strict'),
    )
    .showHelpAfterError('(run omsrun --help for usage)')
    .action(async (playbook: string, opts: Record<string, unknown>) => {
      await action(playbook, {
        inventory: opts.inventory as string[],
        limit: opts.limit as string | undefined,
        tags: opts.tags as string[],
        skipTags: opts.skipTags as string[],
        extraVars: opts.extraVars as string[],
        check: Boolean(opts.check),
        diff: Boolean(opts.diff),
        forks: opts.forks as number,
        listHosts: Boolean(opts.listHosts),
        listTasks: Boolean(opts.listTasks),
        syntaxCheck: Boolean(opts.syntaxCheck),
        startAtTask: opts.startAtTask as string | undefined,
        verbose: opts.verbose as number,
        json: Boolean(opts.json),
        color: opts.color !== false,
        hostKeyChecking: opts.hostKeyChecking as CliOptions['hostKeyChecking'],
        vaultPasswordFile: opts.vaultPasswordFile as string | undefined,
        vaultIds: opts.vaultId as string[],
        lock: opts.lock !== false,
        lockWait: opts.lockWait as number,
        logDir: opts.logDir as string,
      });
    });
  return program;
}
