import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ChannelLostError } from '../../src/connection/ssh/exec-channel.js';
import {
  CommandError, ConfigError, ConfigErrors, ConnectionError, fromSystemError, InterruptedError, OmsrunError, SystemError,
} from '../../src/core/errors.js';
import { HostPatternError } from '../../src/inventory/host-pattern.js';
import { DockerError } from '../../src/modules/support/docker-cli.js';
import { SplitArgsError } from '../../src/modules/support/split-args.js';
import { HelperError } from '../../src/template/helpers.js';
import { VaultError } from '../../src/vault/index.js';

describe('the error tree', () => {
  it.each([
    { error: new ConfigError('expected a number, got "x"', { keyPath: 'port' }), message: 'port: expected a number, got "x"' },
    { error: new ConfigErrors([new ConfigError('a'), new ConfigError('b')]), message: 'a\nb' },
    { error: new ConnectionError('web1', 'connection refused'), message: 'web1: connection refused' },
    { error: new CommandError('mkdir failed', 1, '', 'denied'), message: 'mkdir failed' },
    { error: new InterruptedError(), message: 'interrupted' },
    { error: new VaultError('wrong password'), message: 'vault: wrong password' },
    { error: new DockerError('docker load failed (rc 1): no space'), message: 'docker load failed (rc 1): no space' },
    { error: new SplitArgsError('unterminated single quote in: a \'b'), message: 'unterminated single quote in: a \'b' },
    { error: new ChannelLostError('the connection closed while the command was running', true), message: 'the connection closed while the command was running' },
    { error: new HelperError('join expects a list'), message: 'join expects a list' },
    { error: new HostPatternError('host range in "web[1:" has no closing ]'), message: 'host range in "web[1:" has no closing ]' },
    { error: new SystemError('cannot read /x: permission denied'), message: 'cannot read /x: permission denied' },
  ])('$error.name is an OmsrunError', ({ error, message }) => {
    expect(error).toBeInstanceOf(OmsrunError);
    expect(error.message).toBe(message);
  });

  it('keeps the detail of a connection error apart from the host name', () => {
    const err = new ConnectionError('web1', 'connection refused');
    expect(err.detail).toBe('connection refused');
    expect(err.host).toBe('web1');
  });
});

const osError = (path: string) => readFile(path).then(() => undefined, (err: unknown) => err);

describe('fromSystemError', () => {
  it.each([
    { what: 'cannot read /nope', path: '/nope', message: 'cannot read /nope: no such file or directory' },
    { what: 'cannot read /tmp', path: '/tmp', message: 'cannot read /tmp: expected a file, got a folder' },
  ])('$message', async ({ what, path, message }) => {
    const err = fromSystemError(what, await osError(path));
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).message).toBe(message);
  });

  it('leaves bugs and OmsrunErrors as they are', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const known = new CommandError('mkdir failed', 1, '', '');
    expect(fromSystemError('cannot read /x', bug)).toBe(bug);
    expect(fromSystemError('cannot read /x', known)).toBe(known);
  });
});
