import { execFileSync, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/core/errors.js';
import { VaultError, resolveVaultPassword } from '../../src/vault/index.js';
import type { PromptStreams } from '../../src/vault/index.js';
import { errorOf, tree } from './tmp.js';

const NO_PW =
  'vault: encrypted data needs the vault password and none was given: use --vault-password-file FILE or set OMSRUN_VAULT_PASSWORD (or run from a terminal to be asked)';

// A terminal stand-in: one answer typed (in two chunks) per prompt shown; what was shown is collected.
function terminal(keys: string[]): PromptStreams & { shown: () => string; raw: boolean[] } {
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (r: boolean) => raw.push(r) });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (c: Buffer) => (shown += c.toString()));
  let i = 0;
  const typeNext = () => {
    const answer = keys[i++];
    if (answer === undefined) return;
    const half = Math.ceil(answer.length / 2);
    setTimeout(() => input.write(answer.slice(0, half)), 2);
    setTimeout(() => input.write(answer.slice(half)), 4);
  };
  output.on('data', (c: Buffer) => c.toString().includes('password: ') && typeNext());
  return { input, output, raw, shown: () => shown };
}

describe('vault password sources', () => {
  it('reads the first line of a password file, without its newline', async () => {
    tree({ 'pw.txt': 'from-file\nsecond line\n', 'crlf.txt': 'crlf-pw\r\n', 'bare.txt': 'bare' });
    expect(await resolveVaultPassword({ passwordFile: 'pw.txt', prompt: false, environ: { OMSRUN_VAULT_PASSWORD: 'env' } })).toBe('from-file');
    expect(await resolveVaultPassword({ passwordFile: 'crlf.txt', prompt: false })).toBe('crlf-pw');
    expect(await resolveVaultPassword({ passwordFile: 'bare.txt', prompt: false })).toBe('bare');
  });

  it('runs an executable password file and uses its output', async () => {
    tree({ 'pw.sh': ['#!/bin/sh\necho "from-$((40 + 2))"\n', 0o755], 'fail.sh': ['#!/bin/sh\nexit 3\n', 0o755] });
    expect(await resolveVaultPassword({ passwordFile: 'pw.sh', prompt: false })).toBe('from-42');
    expect((await errorOf(() => resolveVaultPassword({ passwordFile: 'fail.sh', prompt: false }))).message).toBe(
      'vault: password script fail.sh failed (exit code 3)',
    );
  });

  it('reports a missing, empty or folder password file', async () => {
    tree({ 'empty.txt': '\n', 'dir/x': '' });
    const msg = async (f: string) => (await errorOf(() => resolveVaultPassword({ passwordFile: f, prompt: false }))).message;
    expect(await msg('nope.txt')).toBe('vault: password file nope.txt: file not found');
    expect(await msg('empty.txt')).toBe('vault: password file empty.txt: it holds an empty password');
    expect(await msg('dir')).toBe('vault: password file dir: expected a file, got a folder');
  });

  it('reads a named pipe, as `--vault-password-file <(pass show vault)` gives', async () => {
    tree({});
    execFileSync('mkfifo', ['-m', '0600', 'pipe']);
    const writer = spawn('/bin/sh', ['-c', 'printf "from-pipe\\n" > pipe']);
    const written = new Promise((resolve) => writer.on('close', resolve));
    expect(await resolveVaultPassword({ passwordFile: 'pipe', prompt: false })).toBe('from-pipe');
    expect(await written).toBe(0);
  });

  it('falls back to the environment variable, by default OMSRUN_VAULT_PASSWORD', async () => {
    expect(await resolveVaultPassword({ prompt: false, environ: { OMSRUN_VAULT_PASSWORD: 'env-pw' } })).toBe('env-pw');
    expect(await resolveVaultPassword({ prompt: false, env: 'MY_PW', environ: { MY_PW: 'mine', OMSRUN_VAULT_PASSWORD: 'x' } })).toBe('mine');
  });

  it('explains how to give a password when there is no terminal', async () => {
    const err = await errorOf(() => resolveVaultPassword({ prompt: true, environ: {}, streams: { input: new PassThrough(), output: new PassThrough() } }));
    expect(err).toBeInstanceOf(VaultError);
    expect(err.message).toBe(NO_PW);
    const named = await errorOf(() => resolveVaultPassword({ prompt: false, environ: { OMSRUN_VAULT_PASSWORD: '' }, purpose: 'vars/prod.yml' }));
    expect(named.message).toBe(NO_PW.replace('encrypted data', 'vars/prod.yml'));
  });

  it('asks on the terminal without echo, handling backspace, and restores the terminal', async () => {
    const t = terminal(['pasx\u007fs\r']);
    expect(await resolveVaultPassword({ prompt: true, environ: {}, streams: t })).toBe('pass');
    expect(t.shown()).toBe('Vault password: \n');
    expect(t.raw).toEqual([true, false]);
  });

  it('asks twice when confirming and refuses a mismatch', async () => {
    const ok = terminal(['new-pw\r', 'new-pw\r']);
    expect(await resolveVaultPassword({ prompt: true, confirm: true, environ: {}, streams: ok })).toBe('new-pw');
    expect(ok.shown()).toBe('Vault password: \nConfirm vault password: \n');
    const bad = terminal(['one\r', 'two\r']);
    expect((await errorOf(() => resolveVaultPassword({ prompt: true, confirm: true, environ: {}, streams: bad }))).message).toBe(
      'vault: the two passwords do not match',
    );
  });

  it('stops on Ctrl-C', async () => {
    const t = terminal(['abc\u0003']);
    expect(await errorOf(() => resolveVaultPassword({ prompt: true, environ: {}, streams: t }))).toBeInstanceOf(InterruptedError);
    expect(t.raw).toEqual([true, false]);
  });
});
