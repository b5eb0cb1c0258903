// Where the vault password comes from: a file (or a script), the environment, or the terminal.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError } from '../core/errors.js';
import { shownPath } from './display.js';
import { promptHidden, type PromptStreams } from './prompt.js';
import { VaultError } from './vault-error.js';

export const VAULT_PASSWORD_ENV = 'OMSRUN_VAULT_PASSWORD';

/** Where to look for the vault password, in this order. */
export interface VaultPasswordOptions {
  /** `--vault-password-file FILE`: its first line, or the stdout of the file when it is executable. */
  passwordFile?: string;
  /** Environment variable holding the password. @defaultValue 'OMSRUN_VAULT_PASSWORD' */
  env?: string;
  /** Ask on the terminal (without echo) when stdin is a TTY and nothing else gave a password. */
  prompt: boolean;
  /** Ask twice and compare (for a new password). @defaultValue false */
  confirm?: boolean;
  /** What needs the password, shown when none can be found. @defaultValue 'encrypted data' */
  purpose?: string;
  /** Environment to read. @defaultValue process.env */
  environ?: NodeJS.ProcessEnv;
  /** Terminal streams for the prompt. @defaultValue process.stdin / process.stderr */
  streams?: PromptStreams;
  /** How long a password script may run. @defaultValue 60000 */
  scriptTimeoutMs?: number;
}

// First source that gives a password wins; a missing or empty source is an error, not a fallthrough.
export async function resolveVaultPassword(o: VaultPasswordOptions): Promise<string> {
  if (o.passwordFile !== undefined) return fromFile(o.passwordFile, o.scriptTimeoutMs ?? 60_000);
  const envName = o.env ?? VAULT_PASSWORD_ENV;
  const fromEnv = (o.environ ?? process.env)[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const streams = o.streams ?? { input: process.stdin, output: process.stderr };
  if (!o.prompt || !streams.input.isTTY) {
    throw new VaultError(
      `${o.purpose ?? 'encrypted data'} needs the vault password and none was given: ` +
        `use --vault-password-file FILE or set ${envName} (or run from a terminal to be asked)`,
    );
  }
  const first = await promptHidden('Vault password: ', streams);
  if (first === '') throw new VaultError('the vault password is empty');
  if (o.confirm && (await promptHidden('Confirm vault password: ', streams)) !== first) {
    throw new VaultError('the two passwords do not match');
  }
  return first;
}

/** Where `--vault-password-file` or `--vault-id` say the password is. */
export interface VaultPasswordSource {
  /** The password file (or script), if one was named. */
  passwordFile?: string;
  /** Set to `{}` by `--vault-id LABEL@prompt`, so the prompt is not pre-empted by the environment. */
  environ?: NodeJS.ProcessEnv;
  /** The LABEL of `--vault-id LABEL@SOURCE`. */
  label?: string;
}

// Ansible's `--vault-id LABEL@FILE|prompt` is accepted as another way to name the password; omsrun opens every value with one.
export function vaultPasswordSource(passwordFile: string | undefined, vaultIds: readonly string[] = []): VaultPasswordSource {
  if (vaultIds.length === 0) return { passwordFile };
  if (vaultIds.length > 1) {
    throw new VaultError(`--vault-id was given ${vaultIds.length} times: omsrun opens every vault value with one password, so give it once`);
  }
  if (passwordFile !== undefined) throw new VaultError('use --vault-id or --vault-password-file, not both');
  const id = vaultIds[0]!;
  const at = id.indexOf('@');
  const label = at <= 0 ? undefined : id.slice(0, at);
  const source = id.slice(at + 1);
  if (source === '') throw new VaultError(`--vault-id ${JSON.stringify(id)}: expected LABEL@FILE, LABEL@prompt or FILE`);
  const named = label === undefined ? {} : { label };
  return source === 'prompt' ? { ...named, environ: {} } : { ...named, passwordFile: source };
}

async function fromFile(file: string, timeoutMs: number): Promise<string> {
  const shown = shownPath(file);
  let mode: number;
  let isFile: boolean;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new VaultError(`password file ${shown}: expected a file, got a folder`);
    mode = st.mode;
    isFile = st.isFile();
  } catch (err) {
    if (err instanceof VaultError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new VaultError(`password file ${shown}: ${code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? 'error'})`}`, { cause: err });
  }
  // Pipes such as `<(pass show vault)` are read like files.
  const executable = process.platform !== 'win32' && isFile && (mode & (constants.S_IXUSR | constants.S_IXGRP | constants.S_IXOTH)) !== 0;
  const text = executable ? await runScript(file, shown, timeoutMs) : await readFile(file, 'utf8');
  const password = firstLine(text);
  if (password === '') throw new VaultError(`password file ${shown}: ${executable ? 'the script printed' : 'it holds'} an empty password`);
  return password;
}

function firstLine(text: string): string {
  const nl = text.search(/\r?\n/);
  return nl === -1 ? text : text.slice(0, nl);
}

function runScript(file: string, shown: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve(file), [], { stdio: ['inherit', 'pipe', 'inherit'], timeout: timeoutMs });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (err) => reject(new VaultError(`password script ${shown}: cannot run it (${(err as NodeJS.ErrnoException).code ?? err.message})`, { cause: err })));
    child.on('close', (code, signal) => {
      if (signal === 'SIGINT') reject(new InterruptedError());
      else if (code !== 0) reject(new VaultError(`password script ${shown} failed (${signal ? `killed by ${signal}` : `exit code ${code}`})`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
