// The commands omsrun's tasks run to apply bench/omsrun/site.yml, per host, for the blind ssh2 floor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FloorCommand } from './floor.js';

const ROOT = '/data/app';
const BASE_VARS = { app_root: ROOT, app_name: 'bench', app_version: '1.4.2', app_port: '8080', app_workers: '4' };

function render(file: string, vars: Record<string, string>): string {
  return readFileSync(file, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? '');
}

const write = (dest: string, content: string, mode: string): FloorCommand =>
  ({ cmd: `cat > ${dest}.tmp && chmod ${mode} ${dest}.tmp && mv ${dest}.tmp ${dest}`, stdin: content });

// The 21 commands for one host, in task order: no reads before writes, no checks.
export function floorCommands(benchDir: string, host: { name: string; ip: string }): FloorCommand[] {
  const vars = { ...BASE_VARS, inventory_hostname: host.name, ansible_host: host.ip };
  const tpl = (f: string): string => render(join(benchDir, 'omsrun', 'templates', f), vars);
  const file = (f: string): string => readFileSync(join(benchDir, 'omsrun', 'files', f), 'utf8');
  const v = BASE_VARS.app_version;
  return [
    { cmd: `mkdir -p ${ROOT} && chmod 0755 ${ROOT}` },
    { cmd: `mkdir -p ${ROOT}/conf && chmod 0755 ${ROOT}/conf` },
    { cmd: `mkdir -p ${ROOT}/logs && chmod 0750 ${ROOT}/logs` },
    { cmd: `mkdir -p ${ROOT}/releases && chmod 0755 ${ROOT}/releases` },
    { cmd: `mkdir -p ${ROOT}/shared && chmod 0755 ${ROOT}/shared` },
    write(`${ROOT}/conf/app.conf`, tpl('app.conf'), '0644'),
    write(`${ROOT}/conf/app.env`, tpl('app.env'), '0600'),
    write(`${ROOT}/conf/proxy.conf`, tpl('proxy.conf'), '0644'),
    write(`${ROOT}/VERSION`, `${v}\n`, '0644'),
    write(`${ROOT}/run.sh`, file('run.sh'), '0755'),
    write(`${ROOT}/conf/logrotate.conf`, file('logrotate.conf'), '0644'),
    { cmd: `touch ${ROOT}/logs/app.log` },
    { cmd: `mkdir -p ${ROOT}/releases/${v} && echo ${v} > ${ROOT}/releases/${v}/RELEASE` },
    { cmd: `ln -sfn releases/${v} ${ROOT}/current` },
    { cmd: `mkdir -p ${ROOT}/shared/cache` },
    { cmd: `stat -c '%f %s %U %G' ${ROOT}/conf/app.conf && sha256sum ${ROOT}/conf/app.conf` },
    { cmd: `test -e ${ROOT}/VERSION` },
    { cmd: `timeout 5 bash -c 'exec 3<>/dev/tcp/${host.ip}/22'` },
    { cmd: `cat ${ROOT}/VERSION` },
    { cmd: `grep -q 'port = ${BASE_VARS.app_port}' ${ROOT}/conf/app.conf` },
    { cmd: `rm -rf ${ROOT}/tmp` },
  ];
}
