// The SSH transport's public surface.
export { SshConnection } from './ssh-connection.js';
export { resolveSshTarget, parseJumpHop } from './ssh-config.js';
export type { SshAuthMethod, SshTarget, SshTargetSpec } from './target.js';
export type { HostKeyPolicy } from './host-key.js';
