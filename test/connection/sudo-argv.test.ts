// What an exec with become turns into on each transport: the module cases stop at the exec options, this table goes on to the argv.
import { describe, expect, it } from 'vitest';
import type { Become } from '../../src/connection/connection.js';
import { becomeArgv } from '../../src/connection/become.js';
import { remoteArgv } from '../../src/connection/ssh/remote-command.js';

const LOCAL_MARKERS = { prompt: '[P]', success: '[OK]' };
const SSH_MARKERS = { prompt: '[P]', ready: 'READY' };
/** The SSH wrapper: reports its pid and login shell, then execs argv. */
const WRAP = 'echo "READY $$ ${SHELL:-}" >&2; exec "$@"';
const WRAP_CD = 'echo "READY $$ ${SHELL:-}" >&2; cd -- "$1" && shift && exec "$@"';
/** The local wrapper under a sudo password: marks the moment stdin stops belonging to sudo. */
const LOCAL_PW = `echo '[OK]' >&2; exec "$@"`;
const STAT = ['/bin/sh', '-c', 'p=$1 c=$2\nstat -- "$p"', 'sh', '/etc/app', '0'];

interface Row {
  name: string;
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  become?: Become;
  /** The login user of the local transport. @defaultValue 'deploy' */
  user?: string;
  local: string[];
  ssh: string[];
}

const rows: Row[] = [
  { name: 'no become', argv: ['id', '-un'], local: ['id', '-un'], ssh: ['sh', '-c', WRAP, 'sh', 'id', '-un'] },
  {
    name: 'become root without a password: sudo -n, never a prompt',
    argv: ['id', '-un'],
    become: { user: 'root' },
    local: ['sudo', '-n', '-u', 'root', '--', 'id', '-un'],
    ssh: ['sudo', '-n', '-u', 'root', '--', 'sh', '-c', WRAP, 'sh', 'id', '-un'],
  },
  {
    name: 'become with a password: sudo -S with the prompt marker, the password on stdin only',
    argv: ['id', '-un'],
    become: { user: 'postgres', password: 's3cret' },
    local: ['sudo', '-S', '-p', '[P]', '-u', 'postgres', '--', '/bin/sh', '-c', LOCAL_PW, 'sh', 'id', '-un'],
    ssh: ['sudo', '-S', '-p', '[P]', '-u', 'postgres', '--', 'sh', '-c', WRAP, 'sh', 'id', '-un'],
  },
  {
    name: 'an empty become user means root',
    argv: ['id'],
    become: { user: '' },
    local: ['sudo', '-n', '-u', 'root', '--', 'id'],
    ssh: ['sudo', '-n', '-u', 'root', '--', 'sh', '-c', WRAP, 'sh', 'id'],
  },
  {
    name: 'becoming the local login user needs no sudo locally; SSH cannot know its user and always asks sudo',
    argv: ['id'],
    become: { user: 'root' },
    user: 'root',
    local: ['id'],
    ssh: ['sudo', '-n', '-u', 'root', '--', 'sh', '-c', WRAP, 'sh', 'id'],
  },
  {
    name: "omsrun's own sh -c script runs as the SSH wrapper itself, under sudo too",
    argv: STAT,
    become: { user: 'root' },
    local: ['sudo', '-n', '-u', 'root', '--', ...STAT],
    ssh: ['sudo', '-n', '-u', 'root', '--', 'sh', '-c', 'echo "READY $$ ${SHELL:-}" >&2\np=$1 c=$2\nstat -- "$p"', 'sh', '/etc/app', '0'],
  },
  {
    name: 'cwd and env travel as the wrapper arguments on SSH (local passes them to spawn)',
    argv: ['make'],
    cwd: '/srv/app',
    env: { LANG: 'C' },
    become: { user: 'app' },
    local: ['sudo', '-n', '-u', 'app', '--', 'make'],
    ssh: ['sudo', '-n', '-u', 'app', '--', 'sh', '-c', WRAP_CD, 'sh', '/srv/app', 'env', 'LANG=C', 'make'],
  },
];

function built(r: Row): Pick<Row, 'local' | 'ssh'> {
  return {
    local: becomeArgv(r.argv, r.become, r.user ?? 'deploy', LOCAL_MARKERS).argv,
    ssh: remoteArgv(r.argv, { cwd: r.cwd, env: r.env, become: r.become }, SSH_MARKERS),
  };
}

describe('sudo argv per transport', () => {
  for (const r of rows) {
    it(r.name, () => expect(built(r)).toEqual({ local: r.local, ssh: r.ssh }));
  }

  it('no argv ever holds the password', () => {
    for (const r of rows.filter((row) => row.become?.password)) {
      const { local, ssh } = built(r);
      expect([...local, ...ssh].filter((a) => a.includes(r.become?.password as string))).toEqual([]);
    }
  });
});
