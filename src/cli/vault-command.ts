// `omsrun vault ...`: encrypt, decrypt, view and edit vault files, and encrypt single values for YAML.
import type { Command } from 'commander';
import { shownPath } from '../vault/display.js';
import {
  VaultError,
  decryptText,
  editInPrivateTemp,
  encryptText,
  isVaultText,
  readTextFile,
  resolveVaultPassword,
  vaultLabel,
  writeFileAtomic,
} from '../vault/index.js';
import type { PromptStreams } from '../vault/prompt.js';

/** Streams and environment the vault commands use (tests pass their own). */
export interface VaultIo {
  /** @defaultValue process.stdout */
  stdout?: NodeJS.WritableStream;
  /** Terminal for the password prompt. @defaultValue process.stdin / process.stderr */
  terminal?: PromptStreams;
  /** Source of `encrypt-string` values when none is given. @defaultValue process.stdin */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

interface PasswordOpts {
  vaultPasswordFile?: string;
}

// Adds `vault` and its subcommands to the program; errors are VaultErrors (exit code 4).
export function registerVaultCommand(program: Command, io: VaultIo = {}): Command {
  const out = io.stdout ?? process.stdout;
  const env = io.env ?? process.env;
  const password = (o: PasswordOpts, confirm: boolean, files: string[] = []) =>
    resolveVaultPassword({
      passwordFile: o.vaultPasswordFile,
      prompt: true,
      confirm,
      environ: env,
      streams: io.terminal,
      purpose: files.length > 0 ? files.map((f) => shownPath(f)).join(', ') : undefined,
    });
  const vault = program.command('vault').description('encrypt and decrypt secrets kept in the project (files and single values)');
  const withPassword = (c: Command) =>
    c.option('--vault-password-file <file>', 'read the password from FILE (or run FILE when it is executable)');

  withPassword(vault.command('encrypt').argument('<files...>', 'plain files to encrypt in place'))
    .description('encrypt files in place')
    .option('--label <label>', 'label stored in the header (authenticated)')
    .action(async (files: string[], o: PasswordOpts & { label?: string }) => {
      const texts = await Promise.all(files.map(readTextFile));
      texts.forEach((t, i) => {
        if (isVaultText(t)) throw new VaultError(`${shownPath(files[i]!)} is already encrypted`);
      });
      const pw = await password(o, true);
      for (const [i, f] of files.entries()) {
        await writeFileAtomic(f, encryptText(texts[i]!, pw, { label: o.label }));
        out.write(`encrypted: ${shownPath(f)}\n`);
      }
    });

  withPassword(vault.command('decrypt').argument('<files...>', 'encrypted files to decrypt in place'))
    .description('decrypt files in place')
    .action(async (files: string[], o: PasswordOpts) => {
      const texts = await Promise.all(files.map(readTextFile));
      texts.forEach((t, i) => requireEncrypted(t, files[i]!));
      const pw = await password(o, false, files);
      const plains = texts.map((t, i) => decryptText(t, pw, shownPath(files[i]!)));
      for (const [i, f] of files.entries()) {
        await writeFileAtomic(f, plains[i]!);
        out.write(`decrypted: ${shownPath(f)}\n`);
      }
    });

  withPassword(vault.command('view').argument('<file>', 'encrypted file to print'))
    .description('print the decrypted content of a file')
    .action(async (file: string, o: PasswordOpts) => {
      const text = await readTextFile(file);
      requireEncrypted(text, file);
      out.write(decryptText(text, await password(o, false, [file]), shownPath(file)));
    });

  withPassword(vault.command('edit').argument('<file>', 'encrypted file to edit'))
    .description('edit an encrypted file in $EDITOR and encrypt it again on save')
    .action(async (file: string, o: PasswordOpts) => {
      const text = await readTextFile(file);
      requireEncrypted(text, file);
      const pw = await password(o, false, [file]);
      const plain = decryptText(text, pw, shownPath(file));
      const editor = env.VISUAL || env.EDITOR || 'vi';
      const edited = await editInPrivateTemp(plain, file, { editor });
      if (edited === plain) {
        out.write(`unchanged: ${shownPath(file)}\n`);
        return;
      }
      await writeFileAtomic(file, encryptText(edited, pw, { label: vaultLabel(text) }));
      out.write(`saved: ${shownPath(file)}\n`);
    });

  withPassword(vault.command('encrypt-string').argument('[value]', 'value to encrypt (read from stdin when absent)'))
    .description('encrypt one value and print it as a `!vault |` block to paste into YAML')
    .option('-n, --name <name>', 'variable name to print in front of the block')
    .option('--label <label>', 'label stored in the header (authenticated)')
    .action(async (value: string | undefined, o: PasswordOpts & { name?: string; label?: string }) => {
      const pw = await password(o, true);
      const stdin = io.stdin ?? process.stdin;
      if (value === undefined && stdin.isTTY) (io.terminal?.output ?? process.stderr).write('Value to encrypt (end with Ctrl-D): ');
      const plain = value ?? (await readAll(stdin)).replace(/\r?\n$/, '');
      if (plain === '') throw new VaultError('nothing to encrypt: the value is empty');
      out.write(formatInlineVault(encryptText(plain, pw, { label: o.label }), o.name));
    });
  return vault;
}

// `name: !vault |` followed by the vault text indented two spaces, ready for a vars file.
export function formatInlineVault(vaultText: string, name?: string): string {
  const key = name === undefined ? '' : /^[A-Za-z_][\w.-]*$/.test(name) ? `${name}: ` : `${JSON.stringify(name)}: `;
  const body = vaultText.trimEnd().split('\n').map((l) => `  ${l}`).join('\n');
  return `${key}!vault |\n${body}\n`;
}

function requireEncrypted(text: string, file: string): void {
  if (!isVaultText(text)) throw new VaultError(`${shownPath(file)} is not encrypted`);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}
