import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CommandError, ConnectionError, InterruptedError, OmsrunError } from '../../src/core/errors.js';
import { defineModule } from '../../src/modules/support/module.js';
import { allModules, getModule, moduleNames } from '../../src/modules/support/registry.js';
import { parseModuleArgs, runModule } from '../../src/modules/support/run-module.js';
import { waitForModule } from '../../src/modules/wait-for.js';
import { makeContext } from '../helpers/module-context.js';
import { runYaml } from '../helpers/run-playbook.js';

const applied: string[] = [];
const fake = defineModule<{ x: string }, string>({
  name: 'fake',
  description: 'test',
  schema: z.strictObject({ x: z.string().describe('x') }),
  check: async (a) => {
    if (a.x === 'same') return { changes: false, outcome: { msg: 'nothing' } };
    if (a.x === 'boom') throw new CommandError('host said no', 1, '', 'no');
    if (a.x === 'bug') return { changes: false, outcome: { msg: (undefined as unknown as string).trim() } };
    if (a.x === 'lost') throw new ConnectionError('h1', 'gone');
    return { changes: true, summary: `set ${a.x}`, data: a.x, diff: [{ path: '/p', before: 'a', after: a.x }] };
  },
  apply: async (_a, plan) => {
    if (plan === 'halt') throw new InterruptedError();
    applied.push(plan ?? '');
    return { changed: true, msg: 'done' };
  },
});

describe('runModule', () => {
  it('maps a plan to an outcome in normal, check and diff modes', async () => {
    applied.length = 0;
    expect(await runModule(fake, { x: 'same' }, makeContext())).toEqual({ changed: false, msg: 'nothing' });
    expect(await runModule(fake, { x: 'b' }, makeContext({ checkMode: true }))).toEqual({ changed: true, msg: 'set b' });
    expect(await runModule(fake, { x: 'b' }, makeContext({ checkMode: true, diffMode: true }))).toEqual({
      changed: true,
      msg: 'set b',
      diff: [{ path: '/p', before: 'a', after: 'b' }],
    });
    expect(applied).toEqual([]);
    expect(await runModule(fake, { x: 'c' }, makeContext())).toEqual({ changed: true, msg: 'done' });
    expect(await runModule(fake, { x: 'd' }, makeContext({ diffMode: true }))).toMatchObject({ diff: [{ after: 'd' }] });
    expect(applied).toEqual(['c', 'd']);
  });

  it('turns host errors into a failed outcome and lets interrupts, lost hosts and bugs through', async () => {
    expect(await runModule(fake, { x: 'boom' }, makeContext())).toEqual({ changed: false, failed: true, msg: 'host said no' });
    await expect(runModule(fake, { x: 'lost' }, makeContext())).rejects.toBeInstanceOf(ConnectionError);
    await expect(runModule(fake, { x: 'halt' }, makeContext())).rejects.toBeInstanceOf(InterruptedError);
    await expect(runModule(fake, { x: 'bug' }, makeContext())).rejects.toBeInstanceOf(TypeError);
  });
});

describe('run-time argument errors read like load-time ones', () => {
  const where = { file: 'site.yml', line: 4, col: 7, task: 'wait' };
  it.each([
    { module: fake, args: { x: [3] }, message: 'site.yml:4:7 task "wait": args.x: expected a string, got a list' },
    { module: fake, args: { x: 'a', other: 1 }, message: 'site.yml:4:7 task "wait": args.other: unknown key "other"' },
    { module: fake, args: {}, message: 'site.yml:4:7 task "wait": args: missing required key "x"' },
    { module: waitForModule, args: { port: 80, timeout: 'abc' }, message: 'site.yml:4:7 task "wait": args.timeout: expected a number, got "abc"' },
    { module: waitForModule, args: { port: 80, state: 'up' }, message: 'site.yml:4:7 task "wait": args.state: expected one of started, stopped, present, absent, got "up"' },
    { module: waitForModule, args: { port: 80, sleeep: 1 }, message: 'site.yml:4:7 task "wait": args.sleeep: unknown key "sleeep"\n  hint: did you mean "sleep"?' },
    {
      module: waitForModule,
      args: { port: 80, timeout: 'x', delay: 'y' },
      message: 'site.yml:4:7 task "wait": args.timeout: expected a number, got "x"\nsite.yml:4:7 task "wait": args.delay: expected a number, got "y"',
    },
  ])('$message', ({ module, args, message }) => {
    let thrown: unknown;
    try {
      parseModuleArgs(module as typeof fake, args, where);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(OmsrunError);
    expect((thrown as OmsrunError).message).toBe(message);
  });

  it('fails the task with that message when a templated value has the wrong type', async () => {
    const run = await runYaml('- hosts: localhost\n  vars: { t: abc }\n  tasks:\n    - name: wait\n      wait_for: { path: /, timeout: "{{ t }}" }\n');
    expect(run.results('wait').localhost).toMatchObject({
      status: 'failed',
      msg: `${run.dir}/site.yml:4:7 task "wait": args.timeout: expected a number, got "abc"`,
    });
  });
});

describe('registry', () => {
  it('lists every module and alias, each with described fields', () => {
    expect(moduleNames()).toEqual([
      'add_host', 'apt', 'apt_repository', 'assert', 'authorized_key', 'blockinfile', 'command', 'copy', 'cron',
      'debug', 'dnf', 'docker_container', 'docker_exec', 'docker_image_load', 'fail', 'fetch', 'file', 'find',
      'gather_facts', 'get_url', 'getent', 'git', 'group', 'group_by', 'http', 'include_vars', 'ini_file',
      'lineinfile', 'meta', 'modprobe', 'mount', 'mysql_db', 'mysql_query', 'mysql_user', 'oms_settings', 'package',
      'package_facts', 'pause', 'raw', 'reboot', 'replace', 'script', 'service', 'set_fact', 'setup', 'shell',
      'slurp', 'stat', 'sysctl', 'systemd', 'systemd_service', 'template', 'unarchive', 'uri', 'user', 'wait_for',
      'wait_for_connection', 'yum', 'yum_repository',
    ]);
    expect(getModule('nope')).toBeUndefined();
    for (const m of allModules()) {
      const schema = z.toJSONSchema(m.schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string }>; description?: string };
      const props = Object.entries(schema.properties ?? {});
      for (const [key, p] of props) expect(p.description, `${m.name}.${key}`).toBeTruthy();
      if (props.length === 0) expect(schema.description, m.name).toBeTruthy();
    }
  });
});
