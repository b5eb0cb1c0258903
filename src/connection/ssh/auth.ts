// Authentication for one hop: key file, ssh-agent, password, keyboard-interactive (in that order).
import { readFileSync } from 'node:fs';
import type { AuthenticationType, ConnectConfig } from 'ssh2';
import { ConnectionError } from '../../core/errors.js';
import { ssh2Lib } from './ssh2-lib.js';
import type { SshAuthMethod, SshTarget } from './target.js';

type AuthPart = Pick<ConnectConfig, 'username' | 'privateKey' | 'passphrase' | 'agent' | 'password' | 'tryKeyboard' | 'authHandler'>;

// Reads and checks the private key up front, so a bad passphrase is a clear message, not "all methods failed".
export function loadPrivateKey(target: SshTarget): Buffer | undefined {
  if (!target.privateKeyFile) return undefined;
  let key: Buffer;
  try {
    key = readFileSync(target.privateKeyFile);
  } catch (err) {
    throw new ConnectionError(target.host, `cannot read private key ${target.privateKeyFile}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ssh2Lib().utils.parseKey(key, target.passphrase);
  if (parsed instanceof Error) {
    const why = /passphrase|encrypted/i.test(parsed.message)
      ? target.passphrase ? 'wrong passphrase' : 'the key is encrypted and no passphrase was given'
      : parsed.message;
    throw new ConnectionError(target.host, `cannot use private key ${target.privateKeyFile}: ${why}`, { cause: parsed });
  }
  return key;
}

// The methods to try, in order: key file, agent, password, keyboard-interactive (filtered by authMethods).
export function authMethods(target: SshTarget): SshAuthMethod[] {
  const order: SshAuthMethod[] = [];
  if (target.privateKeyFile) order.push('publickey');
  if (target.agent) order.push('agent');
  if (target.password !== undefined) order.push('password', 'keyboard-interactive');
  const allowed = target.authMethods;
  return allowed ? order.filter((m) => allowed.includes(m)) : order;
}

// The auth fields of ssh2's ConnectConfig, with an explicit method order.
export function authConfig(target: SshTarget): AuthPart {
  const methods = authMethods(target);
  const privateKey = methods.includes('publickey') ? loadPrivateKey(target) : undefined;
  return {
    username: target.user,
    privateKey,
    passphrase: target.passphrase,
    agent: target.agent,
    password: target.password,
    tryKeyboard: methods.includes('keyboard-interactive'),
    authHandler: methods.length ? (methods as AuthenticationType[]) : ['none'],
  };
}

// Answers keyboard-interactive prompts: every hidden prompt (a password question) gets the password.
export function keyboardAnswers(password: string | undefined, prompts: { prompt: string; echo?: boolean }[]): string[] {
  return prompts.map((p) => (password !== undefined && (!p.echo || /password/i.test(p.prompt)) ? password : ''));
}

// The methods tried, for an "authentication failed" message.
export function describeAuth(target: SshTarget): string {
  const m = authMethods(target).map((x) => (x === 'publickey' ? `key ${target.privateKeyFile}` : x === 'agent' ? 'ssh-agent' : x));
  return m.length ? m.join(', ') : 'no credentials (set a key, an agent or a password)';
}
