import { describe, expect, it } from 'vitest';
import { containerSchema, normalPidsLimit, normalUlimit, parseBind, runArgv, type ContainerArgs } from '../../src/modules/support/docker-args.js';
import type { ContainerInspect } from '../../src/modules/support/docker-cli.js';
import { compareContainer, currentBinds, diffText } from '../../src/modules/support/docker-compare.js';
import { mountRefusal } from '../../src/modules/docker-container.js';
import { dockerContainerModule } from '../../src/modules/docker-container.js';
import { errorLines, execArgv, logTailArgv } from '../../src/modules/docker-exec.js';
import { dockerExecModule } from '../../src/modules/docker-exec.js';
import { dockerImageLoadModule } from '../../src/modules/docker-image-load.js';
import { parseModuleArgs } from '../../src/modules/support/run-module.js';

const IMAGE_ID = 'sha256:c8eb241774e6840c965f63e10599a6a425c458366ca9ac6481d4c00fafc37794';

function args(over: Record<string, unknown> = {}): ContainerArgs {
  return containerSchema.parse({
    name: 'oms',
    image: 'oms-ce-standin:feature_4.2.0-ce',
    network_mode: 'host',
    volumes: ['/data/oms/config.yaml:/home/admin/conf/config.yaml', '/data/oms/oms_logs:/home/admin/logs', '/data/oms/oms_store:/home/ds/store', '/data/oms/oms_run:/home/ds/run'],
    env: { OMS_HOST_IP: '198.18.0.2' },
    privileged: true,
    pids_limit: -1,
    ulimits: ['nproc=65535:65535'],
    tty: true,
    interactive: true,
    ...over,
  });
}

// What Docker 20.10 reports for a container made by runArgv(args()) (PidsLimit null = unlimited).
function inspected(over: Partial<ContainerInspect['HostConfig']> = {}, env = ['OMS_HOST_IP=198.18.0.2', 'PATH=/bin']): ContainerInspect {
  return {
    Id: 'abc',
    Image: IMAGE_ID,
    State: { Status: 'running', Running: true, ExitCode: 0, Error: '' },
    Config: { Cmd: ['/bin/sh'], Env: env, Tty: true, OpenStdin: true },
    HostConfig: {
      NetworkMode: 'host',
      Binds: ['/data/oms/config.yaml:/home/admin/conf/config.yaml', '/data/oms/oms_logs:/home/admin/logs', '/data/oms/oms_store:/home/ds/store', '/data/oms/oms_run:/home/ds/run'],
      Privileged: true,
      PidsLimit: null,
      Ulimits: [{ Name: 'nproc', Hard: 65535, Soft: 65535 }],
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      ...over,
    },
  };
}

describe('docker run argv', () => {
  it('has the documented OMS shape', () => {
    expect(runArgv(args())).toEqual([
      'docker', 'run', '-dit', '--net', 'host',
      '-v', '/data/oms/config.yaml:/home/admin/conf/config.yaml',
      '-v', '/data/oms/oms_logs:/home/admin/logs',
      '-v', '/data/oms/oms_store:/home/ds/store',
      '-v', '/data/oms/oms_run:/home/ds/run',
      '-e', 'OMS_HOST_IP=198.18.0.2',
      '--privileged=true', '--pids-limit', '-1', '--ulimit', 'nproc=65535:65535',
      '--name', 'oms', 'oms-ce-standin:feature_4.2.0-ce',
    ]);
  });

  it('only -d without tty/interactive; restart policy and command; create mode for stopped containers', () => {
    const a = containerSchema.parse({ name: 'w', image: 'img:1', command: ['sleep', 5], restart_policy: 'on-failure:3' });
    expect(runArgv(a)).toEqual(['docker', 'run', '-d', '--restart', 'on-failure:3', '--name', 'w', 'img:1', 'sleep', '5']);
    expect(runArgv({ ...a, tty: true }, 'create')).toEqual(['docker', 'create', '-t', '--restart', 'on-failure:3', '--name', 'w', 'img:1', 'sleep', '5']);
    expect(runArgv(a, 'create')).toEqual(['docker', 'create', '--restart', 'on-failure:3', '--name', 'w', 'img:1', 'sleep', '5']);
  });

  it('normalises binds, ulimits and pids limits', () => {
    expect(parseBind('/a/:/b/c/:ro')).toEqual({ source: '/a', target: '/b/c', readOnly: true });
    expect(normalUlimit('nofile=1024')).toBe('nofile=1024:1024');
    expect([null, undefined, 0, -1, 100].map(normalPidsLimit)).toEqual([-1, -1, -1, -1, 100]);
  });
});

describe('inspect comparison', () => {
  it('a container made from the same settings has no differences', () => {
    expect(compareContainer(args(), IMAGE_ID, inspected())).toEqual({ diffs: [] });
    expect(compareContainer(args({ pids_limit: 0 }), IMAGE_ID, inspected({ PidsLimit: -1 })).diffs).toEqual([]);
    expect(compareContainer(args({ pids_limit: -1 }), IMAGE_ID, inspected({ PidsLimit: 0 })).diffs).toEqual([]);
  });

  it('names each differing field with its before and after', () => {
    const a = args({ env: { OMS_HOST_IP: '198.18.0.3', NEW: 'x' }, privileged: false, ulimits: ['nproc=1000'], restart_policy: 'always', command: ['sleep', '1'] });
    const cmp = compareContainer(a, 'sha256:other', inspected({ PidsLimit: 4096 }));
    expect(cmp.diffs.map((d) => d.field)).toEqual(['image', 'command', 'env.OMS_HOST_IP', 'env.NEW', 'privileged', 'pids_limit', 'ulimits', 'restart_policy']);
    expect(diffText(cmp.diffs.slice(2, 4), 'before')).toBe('env.OMS_HOST_IP: "198.18.0.2"\nenv.NEW: (unset)\n');
    expect(diffText(cmp.diffs.slice(2, 4), 'after')).toBe('env.OMS_HOST_IP: "198.18.0.3"\nenv.NEW: "x"\n');
    expect(compareContainer(args({ pids_limit: 100 }), IMAGE_ID, inspected()).diffs).toEqual([{ field: 'pids_limit', before: '-1', after: '100' }]);
    expect(compareContainer(args({ network_mode: 'bridge', tty: false }), IMAGE_ID, inspected()).diffs.map((d) => d.field)).toEqual(['network_mode', 'tty']);
  });

  it('mount changes are reported apart; order and trailing slashes do not matter', () => {
    const same = args({ volumes: ['/data/oms/oms_run/:/home/ds/run', '/data/oms/oms_store:/home/ds/store', '/data/oms/oms_logs:/home/admin/logs', '/data/oms/config.yaml:/home/admin/conf/config.yaml'] });
    expect(compareContainer(same, IMAGE_ID, inspected()).diffs).toEqual([]);
    const moved = args({ volumes: ['/data/x:/home/admin/logs:ro'] });
    const cmp = compareContainer(moved, IMAGE_ID, inspected({ Binds: ['/data/y:/home/admin/logs'] }));
    expect(cmp.mounts).toEqual({ before: ['/data/y:/home/admin/logs'], after: ['/data/x:/home/admin/logs:ro'] });
    expect(mountRefusal('oms', cmp.mounts!.before, cmp.mounts!.after)).toBe(
      'container oms: re-creating it would change its mounts from [/data/y:/home/admin/logs] to [/data/x:/home/admin/logs:ro]; '
      + 'the host folders normally stay the same across redeploys; set allow_mount_changes: true to re-create it anyway',
    );
  });

  it('adding a mount (HTTPS certificates later) re-creates without asking; existing mounts stay', () => {
    const base = ['/data/oms/oms_run:/home/ds/run', '/data/oms/oms_store:/home/ds/store', '/data/oms/oms_logs:/home/admin/logs', '/data/oms/config.yaml:/home/admin/conf/config.yaml'];
    const withCert = args({ volumes: [...base, '/data/oms/https_crt:/etc/pki/nginx/oms_server.crt'] });
    const cmp = compareContainer(withCert, IMAGE_ID, inspected());
    expect(cmp.mounts).toBeUndefined();
    expect(cmp.diffs.map((d) => d.field)).toEqual(['volumes']);
  });

  it('reads binds from Mounts when HostConfig.Binds is empty; restart policy names', () => {
    const c = inspected({ Binds: null, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
    c.Mounts = [{ Type: 'bind', Source: '/s', Destination: '/d', RW: false }, { Type: 'volume', Source: '/v', Destination: '/x', RW: true }];
    expect(currentBinds(c)).toEqual(['/s:/d:ro']);
    expect(compareContainer(args({ volumes: undefined, restart_policy: 'on-failure:2' }), IMAGE_ID, c).diffs).toEqual([]);
    expect(compareContainer(args({ volumes: undefined, restart_policy: 'no' }), IMAGE_ID, inspected({ RestartPolicy: { Name: '' } })).diffs).toEqual([]);
  });
});

describe('docker_exec command lines', () => {
  it('argv or bash -c', () => {
    expect(execArgv({ container: 'oms', argv: ['bash', '/root/docker_init.sh'] })).toEqual(['docker', 'exec', 'oms', 'bash', '/root/docker_init.sh']);
    expect(execArgv({ container: 'oms', cmd: 'echo $HOME; ls' })).toEqual(['docker', 'exec', 'oms', 'bash', '-c', 'echo $HOME; ls']);
  });

  it('passes the glob as data, never inside the script', () => {
    const argv = logTailArgv('oms', "/home/admin/logs/docker_init*.log'; rm -rf /");
    expect(argv.slice(0, 5)).toEqual(['docker', 'exec', 'oms', 'sh', '-c']);
    expect(argv[5]).not.toContain('docker_init');
    expect(argv.slice(6)).toEqual(['sh', "/home/admin/logs/docker_init*.log'; rm -rf /", '40']);
  });

  it('error lines leave out the ignored patterns', () => {
    const out = 'ok\nERROR 1235 (0A000): Modify large text/lob column not supported\nERROR 2003: cannot connect\nall failed here\n';
    expect(errorLines(out, ['ERROR 1235'])).toEqual(['ERROR 2003: cannot connect', 'all failed here']);
  });
});

describe('argument errors', () => {
  it('name the field and what was expected', () => {
    const where = { file: 'site.yml', line: 3, col: 7, task: 'oms' };
    expect(() => parseModuleArgs(dockerContainerModule, { name: 'oms', state: 'stopped', restart: true }, where)).toThrow('site.yml:3:7 task "oms": args.restart: expected restart only with state started (state restarted restarts by itself)');
    expect(() => parseModuleArgs(dockerContainerModule, { name: 'oms', image: 'i', volumes: ['/a'] }, where)).toThrow('site.yml:3:7 task "oms": args.volumes[0]: expected HOST:CONTAINER or HOST:CONTAINER:ro');
    expect(() => parseModuleArgs(dockerContainerModule, { name: 'oms', image: 'i', ulimits: ['nproc'] }, where)).toThrow('site.yml:3:7 task "oms": args.ulimits[0]: expected name=soft:hard, e.g. nproc=65535:65535');
    expect(() => parseModuleArgs(dockerExecModule, { container: 'c' }, where)).toThrow('site.yml:3:7 task "oms": args: expected exactly one of argv or cmd');
    expect(() => parseModuleArgs(dockerExecModule, { container: 'c', cmd: 'x', ignore_patterns: ['('] }, where)).toThrow(/^site\.yml:3:7 task "oms": args\.ignore_patterns\[0\]: expected a regular expression: /);
    expect(() => parseModuleArgs(dockerImageLoadModule, { archive: 'a', remote_archive: 'b' }, where)).toThrow('site.yml:3:7 task "oms": args: expected exactly one of archive or remote_archive');
    expect(parseModuleArgs(dockerContainerModule, { name: 'oms', state: 'absent' }).state).toBe('absent');
  });
});
