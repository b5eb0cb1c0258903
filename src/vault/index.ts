// The vault's public face: encryption, passwords, YAML hooks, the run's session and the YAML files read through it.
export { VAULT_HEADER, clearKeyCache, decryptText, encryptText, isVaultText, vaultLabel } from './cipher.js';
export type { EncryptOptions } from './cipher.js';
export { ANSIBLE_VAULT_PREFIX, ansibleVaultHeader, describeAnsibleFormat, isAnsibleVaultText } from './ansible-vault.js';
export type { AnsibleVaultHeader } from './ansible-vault.js';
export { VaultError } from './vault-error.js';
export { VAULT_PASSWORD_ENV, resolveVaultPassword, vaultPasswordSource } from './password.js';
export type { VaultPasswordOptions, VaultPasswordSource } from './password.js';
export { rekeyText } from './rekey.js';
export type { RekeyOptions, RekeyResult } from './rekey.js';
export { VAULT_TAG, maybeDecryptFile, needsVaultPassword, scalarsOf, vaultCustomTags, vaultErrorFromYaml } from './yaml-tags.js';
export type { VaultYamlOptions } from './yaml-tags.js';
export { VaultSession, setVaultSession, vaultSession } from './session.js';
export { loadVarsFile, loadYamlFile } from './yaml-file.js';
export type { PreparedYaml } from './session.js';
export { editInPrivateTemp, readTextFile, writeFileAtomic } from './file-ops.js';
export { shownPath } from './display.js';
export type { PromptStreams } from './prompt.js';
