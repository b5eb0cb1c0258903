// Keeps one container as wanted: created with the documented flags, re-created only when a field differs.
import { quoteArgv } from '../connection/quote.js';
import type { FileDiff } from '../core/result.js';
import { failed } from './support/common.js';
import { containerSchema, runArgv, type ContainerArgs } from './support/docker-args.js';
import { docker, dockerOk, imageIdOn, inspectContainer, type ContainerInspect } from './support/docker-cli.js';
import { compareContainer, diffText } from './support/docker-compare.js';
import { defineModule, type ModuleContext, type ModuleOutcome, type Plan } from './support/module.js';

type Action = 'create' | 'recreate' | 'start' | 'stop' | 'restart' | 'remove';

interface ContainerPlan {
  action: Action;
  differences: string[];
}

function containerData(c: ContainerInspect | undefined): Record<string, unknown> | null {
  if (!c) return null;
  return { id: c.Id, image_id: c.Image, state: c.State.Status, running: c.State.Running };
}

function data(c: ContainerInspect | undefined, differences: string[]): Record<string, unknown> {
  return { container: containerData(c), differences };
}

// The refusal names both mount lists and the switch that allows it.
export function mountRefusal(name: string, before: string[], after: string[]): string {
  const list = (l: string[]): string => `[${l.join(', ')}]`;
  return `container ${name}: re-creating it would change its mounts from ${list(before)} to ${list(after)}; `
    + 'the host folders normally stay the same across redeploys; set allow_mount_changes: true to re-create it anyway';
}

function ok(c: ContainerInspect | undefined, msg: string): { changes: false; outcome: Partial<ModuleOutcome> } {
  return { changes: false, outcome: { msg, data: data(c, []) } };
}

// Why a container that should run is not running: its state and the tail of its log.
async function notRunning(ctx: ModuleContext, name: string, c: ContainerInspect | undefined): Promise<string> {
  const logs = await docker(ctx, ['logs', '--tail', '20', name]);
  const tail = `${logs.stdout}${logs.stderr}`.trim();
  const why = c ? `${c.State.Status}, exit code ${c.State.ExitCode ?? '?'}${c.State.Error ? `, ${c.State.Error}` : ''}` : 'gone';
  return `container ${name} is not running after start (${why})${tail ? `; last log lines:\n${tail}` : ''}`;
}

// A container whose settings are as wanted (or not compared, without image): started, stopped or restarted as asked.
function runState(a: ContainerArgs, c: ContainerInspect): Plan<ContainerPlan> {
  const running = c.State.Running;
  if (a.state === 'restarted' || (a.restart && running)) return { changes: true, summary: `restart container ${a.name}`, data: { action: 'restart', differences: [] } };
  if (a.state === 'started' && !running) return { changes: true, summary: `start container ${a.name}`, data: { action: 'start', differences: [] } };
  if (a.state === 'stopped' && running) return { changes: true, summary: `stop container ${a.name}`, data: { action: 'stop', differences: [] } };
  return ok(c, `container ${a.name} is ${running ? 'running' : c.State.Status} as wanted`);
}

// check reads `docker inspect` and plans one action; apply carries it out and inspects again.
export const dockerContainerModule = defineModule<ContainerArgs, ContainerPlan>({
  name: 'docker_container',
  description: 'Creates, re-creates (only when settings differ), starts, stops or removes a container, with the documented `docker run` flags.',
  schema: containerSchema,
  check: async (a, ctx) => {
    const c = await inspectContainer(ctx, a.name);
    if (a.state === 'absent') {
      if (!c) return ok(c, `container ${a.name} is absent`);
      return { changes: true, summary: `remove container ${a.name}`, data: { action: 'remove', differences: [] } };
    }
    if (a.image === undefined) {
      if (!c) return { changes: false, outcome: failed(`container ${a.name} does not exist and no image is given to create it`, { data: data(c, []) }) };
      return runState(a, c);
    }
    const image = a.image;
    const imageId = await imageIdOn(ctx, image);
    if (!imageId) return { changes: false, outcome: failed(`image ${image} is not on ${ctx.host}; load it first (docker_image_load)`, { data: data(c, []) }) };
    const mode = a.state === 'stopped' ? 'create' : 'run';
    if (!c) {
      const diff: FileDiff[] = [{ path: `container ${a.name}`, before: '', after: `${quoteArgv(runArgv(a, mode))}\n` }];
      return { changes: true, summary: `create container ${a.name} from ${image}`, diff, data: { action: 'create', differences: [] } };
    }
    const cmp = compareContainer(a, imageId, c);
    const differences = cmp.diffs.map((d) => d.field);
    if (differences.length > 0) {
      if (cmp.mounts && !a.allow_mount_changes) {
        return { changes: false, outcome: failed(mountRefusal(a.name, cmp.mounts.before, cmp.mounts.after), { data: data(c, differences) }) };
      }
      const diff: FileDiff[] = [{ path: `container ${a.name}`, before: diffText(cmp.diffs, 'before'), after: diffText(cmp.diffs, 'after') }];
      return { changes: true, summary: `re-create container ${a.name}: ${differences.join(', ')} differ`, diff, data: { action: 'recreate', differences } };
    }
    return runState(a, c);
  },
  apply: async (a, plan, ctx) => {
    if (!plan) throw new Error('docker_container: apply without a plan');
    const { action, differences } = plan;
    const mode = a.state === 'stopped' ? 'create' : 'run';
    if (action === 'remove' || action === 'recreate') await dockerOk(ctx, ['rm', '-f', a.name]);
    if (action === 'create' || action === 'recreate') {
      const argv = runArgv(a, mode);
      await dockerOk(ctx, argv.slice(1));
    }
    if (action === 'start') await dockerOk(ctx, ['start', a.name]);
    if (action === 'stop') await dockerOk(ctx, ['stop', a.name]);
    if (action === 'restart') await dockerOk(ctx, ['restart', a.name]);
    const c = action === 'remove' ? undefined : await inspectContainer(ctx, a.name);
    if (mode === 'run' && action !== 'remove' && !c?.State.Running) {
      return failed(await notRunning(ctx, a.name, c), { changed: true, data: data(c, differences) });
    }
    const verb = { create: 'created', recreate: 're-created', start: 'started', stop: 'stopped', restart: 'restarted', remove: 'removed' }[action];
    const why = action === 'recreate' ? ` (${differences.join(', ')} differed)` : '';
    return { changed: true, msg: `${verb} container ${a.name}${why}`, data: data(c, differences) };
  },
});
