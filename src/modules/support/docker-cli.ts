// The docker modules talk to the engine only through the `docker` CLI on the node, as argv.
import type { ExecOptions, ExecResult } from '../../connection/connection.js';
import { OmsrunError } from '../../core/errors.js';
import type { ModuleContext } from './module.js';

/** docker (the CLI, or an image archive) failed in a way the module reports as the task's failure. */
export class DockerError extends OmsrunError {
  override readonly name = 'DockerError';
  constructor(message: string, readonly result?: ExecResult) {
    super(message);
  }
}

// Runs `docker ARGS...` with the task's become, abort signal and (unless given) its timeout.
export function docker(ctx: ModuleContext, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return ctx.conn.exec(['docker', ...args], { become: ctx.become, signal: ctx.signal, timeoutMs: ctx.timeoutMs, env: ctx.env, ...opts });
}

// Like docker(), but a non-zero rc throws a DockerError naming the command and its stderr.
export async function dockerOk(ctx: ModuleContext, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await docker(ctx, args, opts);
  if (r.rc !== 0) throw new DockerError(`docker ${args[0]} failed (rc ${r.rc}): ${(r.stderr || r.stdout).trim()}`, r);
  return r;
}

// `docker image inspect` of one reference: its ID, or undefined when the node lacks it.
export async function imageIdOn(ctx: ModuleContext, ref: string): Promise<string | undefined> {
  const r = await docker(ctx, ['image', 'inspect', '--format', '{{.Id}}', ref]);
  if (r.rc === 0) return r.stdout.trim();
  if (/no such image/i.test(r.stderr)) return undefined;
  throw new DockerError(`docker image inspect ${ref} failed (rc ${r.rc}): ${r.stderr.trim()}`, r);
}

/** The part of `docker container inspect` the modules read. */
export interface ContainerInspect {
  Id: string;
  Image: string;
  State: { Status: string; Running: boolean; ExitCode?: number; Error?: string };
  Config: { Cmd?: string[] | null; Env?: string[] | null; Tty?: boolean; OpenStdin?: boolean };
  HostConfig: {
    NetworkMode?: string;
    Binds?: string[] | null;
    Privileged?: boolean;
    PidsLimit?: number | null;
    Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  };
  Mounts?: { Type?: string; Source?: string; Destination?: string; RW?: boolean }[];
}

// `docker container inspect NAME`, or undefined when there is no such container.
export async function inspectContainer(ctx: ModuleContext, name: string): Promise<ContainerInspect | undefined> {
  const r = await docker(ctx, ['container', 'inspect', name]);
  if (r.rc !== 0) {
    if (/no such (container|object)/i.test(r.stderr)) return undefined;
    throw new DockerError(`docker container inspect ${name} failed (rc ${r.rc}): ${r.stderr.trim()}`, r);
  }
  const list = JSON.parse(r.stdout) as ContainerInspect[];
  return list[0];
}
