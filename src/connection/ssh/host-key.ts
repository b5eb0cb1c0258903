// Turns a host key policy into an ssh2 hostVerifier that remembers why it refused.
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  keyLabel,
  keyTypeOf,
  knownHostName,
  knownHostsFor,
} from './known-hosts.js';

/** strict: only known keys; accept-new: record unknown keys; off: accept anything (explicit only). */
export type HostKeyPolicy = 'strict' | 'accept-new' | 'off';

/** The verifier handed to ssh2 plus what it decided. */
export interface HostKeyVerifier {
  verify: (key: Buffer) => boolean;
  /** Set when verify refused a key: the message the user reads. */
  rejection?: string;
  /** Key types already in known_hosts for this host (to prefer them in negotiation). */
  knownTypes: string[];
}

const BAR = '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@';

// The loud warning OpenSSH prints when a host's key is not the recorded one.
export function changedKeyMessage(addr: string, port: number, key: Buffer, file: string, line: number): string {
  const label = keyLabel(keyTypeOf(key));
  return [
    'host key verification failed.',
    BAR,
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    BAR,
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
    'It is also possible that a host key has just been changed.',
    `The fingerprint for the ${label} key sent by the remote host ${addr} port ${port} is`,
    fingerprint(key),
    `Offending ${label} key in ${file}:${line}`,
    'omsrun refuses to connect. If the change is expected, remove the old key with',
    `  ssh-keygen -R '${knownHostName(addr, port)}' -f ${file}`,
    'then verify and record the new one.',
  ].join('\n');
}

// Why an unknown key is refused, and the commands that would trust it.
export function unknownKeyMessage(addr: string, port: number, key: Buffer, file: string): string {
  const type = keyTypeOf(key);
  const t = type.startsWith('ecdsa') ? 'ecdsa' : type.replace(/^ssh-/, '');
  return [
    `host key for ${addr} port ${port} is not known (${keyLabel(type)} key ${fingerprint(key)} not in ${file}).`,
    `  hint: check the fingerprint, then trust it with: ssh-keyscan -p ${port} -t ${t} ${addr} >> ${file}`,
    '        or re-run with the accept-new host key policy to record it on first connect.',
  ].join('\n');
}

// Builds the verifier for one hop.
export function hostKeyVerifier(policy: HostKeyPolicy, file: string, addr: string, port: number): HostKeyVerifier {
  const name = knownHostName(addr, port);
  const entries = policy === 'off' ? [] : knownHostsFor(file, name);
  const state: HostKeyVerifier = {
    knownTypes: [],
    verify: (key: Buffer): boolean => {
      if (policy === 'off') return true;
      const found = checkHostKey(entries, name, key);
      if (found.status === 'match') return true;
      if (found.status === 'changed' || found.status === 'revoked') {
        state.rejection = changedKeyMessage(addr, port, key, file, found.entry.line);
        return false;
      }
      if (policy === 'accept-new') {
        appendKnownHost(file, name, key);
        return true;
      }
      state.rejection = unknownKeyMessage(addr, port, key, file);
      return false;
    },
  };
  if (policy !== 'off') {
    const probe = entries.filter((e) => e.marker === undefined);
    state.knownTypes = [...new Set(probe.filter((e) => checkHostKey([e], name, e.key).status === 'match').map((e) => e.keyType))];
  }
  return state;
}
