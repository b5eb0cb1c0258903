import { describe, expect, it } from 'vitest';
import { sudoArgv } from '../../src/connection/become.js';
import { becomeError, BecomeHandshake, type HandshakeEnd, type HandshakeOptions, type HandshakeStep } from '../../src/connection/become-handshake.js';

describe('sudoArgv', () => {
  it('asks sudo never to prompt without a password, and to prompt with the marker on stderr with one', () => {
    expect(sudoArgv({ user: 'app' }, '[P]')).toEqual(['sudo', '-n', '-u', 'app', '--']);
    expect(sudoArgv({ user: 'root', password: 'secret-pw' }, '[P]')).toEqual(['sudo', '-S', '-p', '[P]', '-u', 'root', '--']);
  });

  it('becomes root when no user is named', () => {
    expect(sudoArgv({ user: '' }, '[P]')).toEqual(['sudo', '-n', '-u', 'root', '--']);
  });
});

const PROMPT = '[omsrun-sudo-0a1b] password:';
const MARK = 'omsrun-ready-0a1b';
const withPassword: HandshakeOptions = { marker: MARK, prompt: PROMPT, sudo: true };
const sudoNoPassword: HandshakeOptions = { marker: MARK, sudo: true };
const noSudo: HandshakeOptions = { marker: MARK };
const LECTURE = '\nWe trust you have received the usual lecture from the local System\nAdministrator. It usually boils down to these three things:\n\n    #1) Respect the privacy of others.\n\n';

const wait: HandshakeStep = { kind: 'wait' };
const send: HandshakeStep = { kind: 'send-password' };
const wrong: HandshakeStep = { kind: 'wrong-password' };
const ready = (pid: number | undefined, shell: string, stderr = ''): HandshakeStep => ({ kind: 'ready', pid, shell, stderr });
const ran: HandshakeEnd = { stderr: '' };

interface Case {
  name: string;
  options: HandshakeOptions;
  /** stderr chunks as they arrive. */
  chunks: string[];
  /** The step after each chunk. */
  steps: HandshakeStep[];
  timedOut?: boolean;
  end: HandshakeEnd;
}

const cases: Case[] = [
  { name: 'no prompt needed (NOPASSWD, or root)', options: withPassword, chunks: [`${MARK} 42 /bin/bash\n`], steps: [ready(42, '/bin/bash')], end: ran },
  { name: 'the password is sent once, at the prompt', options: withPassword, chunks: [PROMPT, `${MARK} 7 \n`], steps: [send, ready(7, '')], end: ran },
  {
    name: 'a prompt split across two chunks',
    options: withPassword,
    chunks: [PROMPT.slice(0, 9), PROMPT.slice(9), `${MARK} 7 /bin/sh\n`],
    steps: [wait, send, ready(7, '/bin/sh')],
    end: ran,
  },
  {
    name: 'a marker line split across chunks, with the command output after it',
    options: withPassword,
    chunks: [`${MARK} 4`, '2 /bin/dash', '\nown text\n'],
    steps: [wait, wait, ready(42, '/bin/dash', 'own text\n')],
    end: ran,
  },
  { name: 'a marker line without pid (the local wrapper)', options: withPassword, chunks: [PROMPT, `${MARK}\n`], steps: [send, ready(undefined, '')], end: ran },
  {
    name: "sudo's lecture before the prompt is not the command's stderr",
    options: withPassword,
    chunks: [LECTURE, PROMPT, `${MARK} 9 /bin/bash\n`],
    steps: [wait, send, ready(9, '/bin/bash')],
    end: ran,
  },
  {
    name: 'output before the marker (sudo or login shell warnings) is dropped, output after it kept',
    options: withPassword,
    chunks: [`sudo: unable to resolve host h1: Name or service not known\n${MARK} 5 /bin/bash\nwarn\n`],
    steps: [ready(5, '/bin/bash', 'warn\n')],
    end: ran,
  },
  {
    name: 'output before the marker without sudo is dropped too',
    options: noSudo,
    chunks: ["bash: warning: setlocale: LC_ALL: cannot change locale (xx)\n", `${MARK} 5 /bin/bash\n`],
    steps: [wait, ready(5, '/bin/bash')],
    end: ran,
  },
  { name: 'wrong password: sudo prompts again', options: withPassword, chunks: [PROMPT, PROMPT], steps: [send, wrong], end: { failure: 'wrong-password', stderr: '' } },
  {
    name: 'wrong password: "Sorry, try again", split across chunks',
    options: withPassword,
    chunks: [PROMPT, '\nSorry, try', ' again.\n', PROMPT],
    steps: [send, wait, wrong, wait],
    end: { failure: 'wrong-password', stderr: '' },
  },
  {
    name: 'wrong password: sudo gives up after one try',
    options: withPassword,
    chunks: [PROMPT, '\nsudo: 1 incorrect password attempt\n'],
    steps: [send, wait],
    end: { failure: 'wrong-password', stderr: '' },
  },
  {
    name: 'password required but none given (sudo -n)',
    options: sudoNoPassword,
    chunks: ['sudo: a password is required\n'],
    steps: [wait],
    end: { failure: 'password-required', stderr: 'sudo: a password is required' },
  },
  {
    name: 'a prompt is never answered when no password was given',
    options: sudoNoPassword,
    chunks: [PROMPT],
    steps: [wait],
    end: { failure: 'refused', stderr: PROMPT },
  },
  {
    name: 'sudo refuses for another reason',
    options: withPassword,
    chunks: ['sudo: unknown user app2\n'],
    steps: [wait],
    end: { failure: 'refused', stderr: 'sudo: unknown user app2' },
  },
  { name: 'timeout waiting for the prompt', options: withPassword, chunks: [], steps: [], timedOut: true, end: { stderr: '' } },
  {
    name: 'timeout after the lecture, before the marker: what sudo said, prompt removed',
    options: withPassword,
    chunks: [LECTURE, PROMPT],
    steps: [wait, send],
    timedOut: true,
    end: { stderr: LECTURE.trim() },
  },
  {
    name: 'no sudo and no marker: what the shell said is the stderr, not a failure',
    options: noSudo,
    chunks: ['This account is currently not available.\n'],
    steps: [wait],
    end: { stderr: 'This account is currently not available.' },
  },
];

describe('BecomeHandshake', () => {
  it.each(cases)('$name', ({ options, chunks, steps, timedOut, end }) => {
    const handshake = new BecomeHandshake(options);
    expect(chunks.map((chunk) => handshake.push(Buffer.from(chunk)))).toEqual(steps);
    expect(handshake.end(timedOut ?? false)).toEqual(end);
  });

  it('keeps a UTF-8 character cut between chunks whole in what it reports', () => {
    const handshake = new BecomeHandshake(sudoNoPassword);
    const bytes = Buffer.from('sudo: utilisateur inconnu « app2 »\n');
    handshake.push(bytes.subarray(0, 27));
    handshake.push(bytes.subarray(27));
    expect(handshake.end(false)).toEqual({ failure: 'refused', stderr: 'sudo: utilisateur inconnu « app2 »' });
  });

  it('lets the command fake neither prompt nor marker once it runs', () => {
    const handshake = new BecomeHandshake(withPassword);
    handshake.push(Buffer.from(`${MARK} 3 /bin/sh\n`));
    expect(handshake.running).toBe(true);
    expect(handshake.push(Buffer.from(`${PROMPT}${PROMPT}Sorry, try again\n`))).toEqual(wait);
    expect(handshake.end(false)).toEqual(ran);
  });
});

describe('becomeError', () => {
  const at = { host: 'h1', become: { user: 'app', password: 'secret-pw' }, stdout: 'out', rc: 1 };
  it.each([
    ['wrong-password', '', 'sudo: incorrect password for become user on h1', ''],
    ['password-required', 'sudo: a password is required', 'sudo: a password is required to become app on h1 (set a become password)', 'sudo: a password is required'],
    ['refused', 'sudo: unknown user app', 'sudo: cannot become app on h1: sudo: unknown user app', 'sudo: unknown user app'],
    ['refused', '', 'sudo: cannot become app on h1: exit code 1', ''],
  ] as const)('%s with %j', (failure, stderr, message, errStderr) => {
    const err = becomeError(failure, stderr, at);
    expect(err).toMatchObject({ message, rc: 1, stdout: 'out', stderr: errStderr });
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain('secret-pw');
  });
});
