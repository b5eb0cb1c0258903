// One vault per run: the password is asked for once, on first need, and every decrypted value is kept for masking.
import type { ScalarTag } from 'yaml';
import { resolveVaultPassword, type VaultPasswordOptions } from './password.js';
import { maybeDecryptFile, needsVaultPassword, vaultCustomTags } from './yaml-tags.js';
import { VaultError } from './vault-error.js';

/** YAML text ready for `parseDocument`, with the tags that decrypt `!vault` values. */
export interface PreparedYaml {
  text: string;
  customTags: ScalarTag[];
}

export class VaultSession {
  /** Every value decrypted so far; add them to the run's Redactor. */
  readonly secrets = new Set<string>();
  private pending: Promise<string> | undefined;
  private known: string | undefined;

  constructor(private readonly options: VaultPasswordOptions) {}

  /** Resolves the password once; later calls reuse it (a failure is not cached). */
  async password(purpose?: string): Promise<string> {
    if (this.known !== undefined) return this.known;
    this.pending ??= resolveVaultPassword({ ...this.options, purpose: purpose ?? this.options.purpose });
    try {
      this.known = await this.pending;
      return this.known;
    } finally {
      this.pending = undefined;
    }
  }

  /** The password resolved earlier by {@link password}. */
  passwordNow(): string {
    if (this.known === undefined) throw new VaultError('internal: the vault password was used before it was resolved');
    return this.known;
  }

  /** Decrypts a whole vault file and returns the tags for inline values; asks for the password only if needed. */
  async prepare(text: string, display: string): Promise<PreparedYaml> {
    if (needsVaultPassword(text)) await this.password(display);
    const getPassword = () => this.passwordNow();
    // Command output is streamed line by line, so each line of a multi-line value is a secret of its own.
    const onSecret = (v: string) => {
      this.secrets.add(v);
      if (v.includes('\n')) for (const line of v.split(/\r?\n/)) if (line.trim() !== '') this.secrets.add(line);
    };
    return { text: maybeDecryptFile(text, display, getPassword, { onSecret }), customTags: vaultCustomTags(getPassword, { onSecret }) };
  }
}

let current: VaultSession | undefined;

// The CLI installs the run's session; loaders deep in the tree find it here.
export function setVaultSession(session: VaultSession | undefined): void {
  current = session;
}

// Without a CLI-installed session: environment variable, then a prompt when on a terminal.
export function vaultSession(): VaultSession {
  current ??= new VaultSession({ prompt: Boolean(process.stdin.isTTY) });
  return current;
}
