// `omsrun vault ...`: encrypt, decrypt, view and edit vault files, and encrypt single values for YAML.
import type { Command } from 'commander';
import {
  ANSIBLE_VAULT_PREFIX,
  VaultError,
  ansibleVaultHeader,
  decryptText,
  describeAnsibleFormat,
  editInPrivateTemp,
  encryptText,
  isAnsibleVaultText,
  isVaultText,
  needsVaultPassword,
  readTextFile,
  rekeyText,
  resolveVaultPassword,
  shownPath,
  vaultLabel,
  vaultPasswordSource,
  writeFileAtomic,
} from '../vault/index.js';
import type { PromptStreams } from '../vault/index.js';

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
  vaultId: string[];
}

// Adds `vault` and its subcommands to the program; errors are VaultErrors (exit code 4).
export function registerVaultCommand(program: Command, io: VaultIo = {}): Command {
  const out = io.stdout ?? process.stdout;
  const env = io.env ?? process.env;
  const password = (o: PasswordOpts, confirm: boolean, files: string[] = []) => {
    const source = vaultPasswordSource(o.vaultPasswordFile, o.vaultId);
    return resolveVaultPassword({
      passwordFile: source.passwordFile,
      environ: source.environ ?? env,
      prompt: true,
      confirm,
      streams: io.terminal,
      purpose: files.length > 0 ? files.map((f) => shownPath(f)).join(', ') : undefined,
    });
  };
  // `--label` wins; else the LABEL of `--vault-id LABEL@FILE`, as ansible-vault would write it.
  const labelOf = (o: PasswordOpts & { label?: string }) => o.label ?? vaultPasswordSource(o.vaultPasswordFile, o.vaultId).label;
  const vault = program.command('vault').description('encrypt and decrypt secrets kept in the project (files and single values)');
  // A bad --vault-id is a command-line error even when no password turns out to be needed.
  vault.hook('preAction', (_vault, action) => {
    const o = action.opts<Partial<PasswordOpts>>();
    vaultPasswordSource(o.vaultPasswordFile, o.vaultId);
  });
  const withPassword = (c: Command) =>
    c
      .option('--vault-password-file <file>', 'read the password from FILE (or run FILE when it is executable)')
      .option('--vault-id <id>', "Ansible's LABEL@FILE or LABEL@prompt: another way to give the one password", (v: string, p: string[]) => [...p, v], []);

  withPassword(vault.command('encrypt').argument('<files...>', 'plain files to encrypt in place'))
    .description('encrypt files in place')
    .option('--label <label>', 'label stored in the header (authenticated)')
    .action(async (files: string[], o: PasswordOpts & { label?: string }) => {
      const texts = await Promise.all(files.map(readTextFile));
      texts.forEach((t, i) => {
        if (isVaultText(t)) throw new VaultError(`${shownPath(files[i]!)} is already encrypted`);
      });
      const pw = await password(o, true);
      const label = labelOf(o);
      for (const [i, f] of files.entries()) {
        await writeFileAtomic(f, encryptText(texts[i]!, pw, { label }));
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
      if (isAnsibleVaultText(text)) {
        const format = describeAnsibleFormat(ansibleVaultHeader(text, shownPath(file)));
        throw new VaultError(`${shownPath(file)} is ${format}: run \`omsrun vault rekey ${shownPath(file)}\` first to turn it into omsrun's format (Ansible cannot read it after that)`);
      }
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
      out.write(formatInlineVault(encryptText(plain, pw, { label: labelOf(o) }), o.name));
    });

  withPassword(vault.command('rekey').argument('<files...>', 'vault files, or YAML files with !vault values, to rewrite in place'))
    .description("turn Ansible Vault files and !vault values into omsrun's format in place; other text is left as it is")
    .option('--new-vault-password-file <file>', 'encrypt with the password in FILE instead (then omsrun-format values are re-encrypted too)')
    .action(async (files: string[], o: PasswordOpts & { newVaultPasswordFile?: string }) => {
      const texts = await Promise.all(files.map(readTextFile));
      const newPassword =
        o.newVaultPasswordFile === undefined ? undefined : await resolveVaultPassword({ passwordFile: o.newVaultPasswordFile, prompt: false });
      // Without a new password only Ansible Vault text is touched, so only files holding some need the password.
      const locked = files.filter((_, i) => needsVaultPassword(texts[i]!) && (newPassword !== undefined || texts[i]!.includes(ANSIBLE_VAULT_PREFIX)));
      const pw = locked.length > 0 ? await password(o, false, locked) : '';
      const results = texts.map((t, i) => rekeyText(t, { password: pw, newPassword, display: shownPath(files[i]!) }));
      for (const [i, f] of files.entries()) {
        const r = results[i]!;
        if (r.count === 0) {
          out.write(`unchanged: ${shownPath(f)} (${newPassword === undefined ? 'no Ansible Vault text' : 'nothing encrypted'})\n`);
          continue;
        }
        await writeFileAtomic(f, r.text);
        out.write(`rekeyed: ${shownPath(f)}${r.kind === 'file' ? '' : ` (${r.count} value${r.count === 1 ? '' : 's'})`}\n`);
      }
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
