// Vault failures are user errors (exit 4) whose text never holds a password or plaintext.
import { OmsrunError } from '../core/errors.js';

export class VaultError extends OmsrunError {
  override readonly name = 'VaultError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`vault: ${message}`, options);
  }
}
