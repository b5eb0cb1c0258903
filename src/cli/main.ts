// Entry point: parse, run, and turn user mistakes into one clear message and exit code 4.
import { CommanderError } from 'commander';
import { ConfigError, ConfigErrors, ExitCode, InterruptedError, OmsrunError } from '../core/errors.js';
import { Redactor } from '../core/secrets.js';
import { vaultSession } from '../vault/index.js';
import { registerOmsInitCommand } from './oms-init-command.js';
import { buildProgram } from './options.js';
import { runCommand } from './run-command.js';
import { registerUnlockCommand } from './unlock-command.js';
import { registerVaultCommand } from './vault-command.js';

async function main(argv: string[]): Promise<void> {
  // A closed pipe (`omsrun ... --json | head`) ends the run quietly, not with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const program = buildProgram(runCommand).exitOverride();
  registerVaultCommand(program);
  registerUnlockCommand(program);
  registerOmsInitCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

// Errors can quote the value that was wrong; one that came out of the vault is masked (the run masks more, later).
function printError(text: string): void {
  const redactor = new Redactor();
  for (const s of vaultSession().secrets) redactor.add(s);
  process.stderr.write(`${redactor.mask(text)}\n`);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.invalidInput;
  }
  if (err instanceof InterruptedError) return ExitCode.interrupted;
  if (err instanceof ConfigError || err instanceof ConfigErrors || err instanceof OmsrunError) {
    printError(`omsrun: error: ${err.message}`);
    return ExitCode.invalidInput;
  }
  const where = process.sourceMapsEnabled ? '' : ' (OMSRUN_DEBUG=1 maps the stack to the source)';
  printError(`omsrun: internal error (please report it${where}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return ExitCode.internal;
}

await main(process.argv);
