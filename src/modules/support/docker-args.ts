// docker_container's arguments and the pure builder of its `docker run` command line.
import { z } from 'zod';
import { DockerError } from './docker-cli.js';

const scalar = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

/** `HOST:CONTAINER[:ro|rw]`. */
const VOLUME = /^([^:]+):([^:]+)(?::(ro|rw))?$/;
/** `name=soft[:hard]`. */
const ULIMIT = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/;
/** `no`, `always`, `unless-stopped`, `on-failure[:N]`. */
const RESTART = /^(no|always|unless-stopped|on-failure(?::\d+)?)$/;

// Names and arguments are the shared OMS contract: playbooks call docker_container with exactly these.
export const containerSchema = z
  .strictObject({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, { error: 'expected a container name (letters, digits, _ . -)' }).describe('Container name.'),
    image: z.string().min(1).optional().describe('Image reference (REPO:TAG or ID); it must already be on the node. Needed to create the container; without it an existing container is only started, stopped, restarted or removed, never compared.'),
    command: z.array(scalar).optional().describe('Command and arguments after the image (replaces the image CMD).'),
    network_mode: z.string().min(1).optional().describe('Network mode, e.g. host (`--net host`).'),
    volumes: z.array(z.string().regex(VOLUME, { error: 'expected HOST:CONTAINER or HOST:CONTAINER:ro' })).optional().describe('Bind mounts, `HOST:CONTAINER[:ro]`.'),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' }), scalar).optional().describe('Environment variables (`-e K=V`); only these keys are compared.'),
    privileged: z.boolean().optional().describe('Run with `--privileged=true`.'),
    pids_limit: z.number().int().optional().describe('`--pids-limit`; -1 (or 0) means unlimited.'),
    ulimits: z.array(z.string().regex(ULIMIT, { error: 'expected name=soft:hard, e.g. nproc=65535:65535' })).optional().describe('`--ulimit` values, `name=soft:hard`.'),
    tty: z.boolean().optional().describe('Allocate a terminal (`-t`).'),
    interactive: z.boolean().optional().describe('Keep stdin open (`-i`).'),
    restart_policy: z.string().regex(RESTART, { error: 'expected no, always, unless-stopped or on-failure[:N]' }).optional().describe('`--restart` policy.'),
    state: z.enum(['started', 'stopped', 'absent', 'restarted']).default('started').describe('started (default), stopped, absent or restarted.'),
    restart: z.boolean().default(false).describe('With state started: restart the container even when nothing about it changed (a stopped one is started).'),
    allow_mount_changes: z.boolean().default(false).describe('Allow re-creating the container when an existing mount would go away or change (the host folders normally stay the same across redeploys); adding mounts needs no permission.'),
  })
  .refine((a) => !a.restart || a.state === 'started', { error: 'expected restart only with state started (state restarted restarts by itself)', path: ['restart'] });

// Parsed arguments, defaults filled in.
export type ContainerArgs = z.infer<typeof containerSchema>;

/** A parsed bind mount. */
export interface Bind {
  source: string;
  target: string;
  readOnly: boolean;
}

// `HOST:CONTAINER[:ro]` as a bind, trailing slashes dropped so `/a/` and `/a` compare equal.
export function parseBind(spec: string): Bind {
  const m = VOLUME.exec(spec);
  if (!m) throw new DockerError(`not a bind mount: ${spec}`);
  const trim = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  return { source: trim(m[1] as string), target: trim(m[2] as string), readOnly: m[3] === 'ro' };
}

// The one text form binds are compared and shown in.
export function bindText(b: Bind): string {
  return `${b.source}:${b.target}${b.readOnly ? ':ro' : ''}`;
}

// `nproc=65535` means soft and hard both 65535.
export function normalUlimit(spec: string): string {
  const m = ULIMIT.exec(spec);
  if (!m) throw new DockerError(`not a ulimit: ${spec}`);
  return `${m[1]}=${m[2]}:${m[3] ?? m[2]}`;
}

// Docker reports unlimited as 0, -1 or null depending on the version: all are -1 here.
export function normalPidsLimit(n: number | null | undefined): number {
  return n === null || n === undefined || n <= 0 ? -1 : n;
}

// `docker run` (or `docker create` for a stopped container) in the documented OMS shape:
// docker run -d[i][t] --net host -v ... -e K=V --privileged=true --pids-limit -1 --ulimit ... --name NAME IMAGE [CMD...]
export function runArgv(a: ContainerArgs, mode: 'run' | 'create' = 'run'): string[] {
  const flags = `${mode === 'run' ? 'd' : ''}${a.interactive ? 'i' : ''}${a.tty ? 't' : ''}`;
  const argv = ['docker', mode];
  if (flags) argv.push(`-${flags}`);
  if (a.network_mode !== undefined) argv.push('--net', a.network_mode);
  for (const v of a.volumes ?? []) argv.push('-v', v);
  for (const [k, v] of Object.entries(a.env ?? {})) argv.push('-e', `${k}=${v}`);
  if (a.privileged !== undefined) argv.push(`--privileged=${a.privileged}`);
  if (a.pids_limit !== undefined) argv.push('--pids-limit', String(a.pids_limit));
  for (const u of a.ulimits ?? []) argv.push('--ulimit', u);
  if (a.restart_policy !== undefined) argv.push('--restart', a.restart_policy);
  argv.push('--name', a.name, a.image as string, ...(a.command ?? []));
  return argv;
}
