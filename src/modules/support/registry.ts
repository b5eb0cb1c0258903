// Every module, by name and alias: the loader validates against it, the executor runs from it.
import { addHostModule } from '../add-host.js';
import { aptRepositoryModule } from '../apt-repository.js';
import { aptModule } from '../apt.js';
import { assertModule } from '../assert.js';
import { authorizedKeyModule } from '../authorized-key.js';
import { blockinfileModule } from '../blockinfile.js';
import { commandModule } from '../command.js';
import { copyModule } from '../copy.js';
import { cronModule } from '../cron.js';
import { debugModule } from '../debug.js';
import { dnfModule } from '../dnf.js';
import { dockerContainerModule } from '../docker-container.js';
import { dockerExecModule } from '../docker-exec.js';
import { dockerImageLoadModule } from '../docker-image-load.js';
import { failModule } from '../fail.js';
import { fetchModule } from '../fetch.js';
import { fileModule } from '../file.js';
import { findModule } from '../find.js';
import { getUrlModule } from '../get-url.js';
import { getentModule } from '../getent.js';
import { gitModule } from '../git.js';
import { groupByModule } from '../group-by.js';
import { groupModule } from '../group.js';
import { includeVarsModule } from '../include-vars.js';
import { iniFileModule } from '../ini-file.js';
import { lineinfileModule } from '../lineinfile.js';
import { metaModule } from '../meta.js';
import { modprobeModule } from '../modprobe.js';
import { mountModule } from '../mount.js';
import { mysqlDbModule } from '../mysql-db.js';
import { mysqlQueryModule } from '../mysql-query.js';
import { mysqlUserModule } from '../mysql-user.js';
import { omsSettingsModule } from '../oms-settings.js';
import { packageFactsModule } from '../package-facts.js';
import { packageModule } from '../package.js';
import { pauseModule } from '../pause.js';
import { rawModule } from '../raw.js';
import { rebootModule } from '../reboot.js';
import { replaceModule } from '../replace.js';
import { scriptModule } from '../script.js';
import { serviceModule } from '../service.js';
import { setFactModule } from '../set-fact.js';
import { setupModule } from '../setup.js';
import { shellModule } from '../shell.js';
import { slurpModule } from '../slurp.js';
import { statModule } from '../stat.js';
import { sysctlModule } from '../sysctl.js';
import { systemdModule } from '../systemd.js';
import { templateModule } from '../template.js';
import { unarchiveModule } from '../unarchive.js';
import { uriModule } from '../uri.js';
import { userModule } from '../user.js';
import { waitForConnectionModule } from '../wait-for-connection.js';
import { waitForModule } from '../wait-for.js';
import { yumRepositoryModule } from '../yum-repository.js';
import { yumModule } from '../yum.js';
import type { Module } from './module.js';

const all: Module[] = [
  addHostModule,
  aptModule,
  aptRepositoryModule,
  assertModule,
  authorizedKeyModule,
  blockinfileModule,
  commandModule,
  copyModule,
  cronModule,
  debugModule,
  dnfModule,
  dockerContainerModule,
  dockerExecModule,
  dockerImageLoadModule,
  failModule,
  fetchModule,
  fileModule,
  findModule,
  getentModule,
  getUrlModule,
  gitModule,
  groupByModule,
  groupModule,
  includeVarsModule,
  iniFileModule,
  lineinfileModule,
  metaModule,
  modprobeModule,
  mountModule,
  mysqlDbModule,
  mysqlQueryModule,
  mysqlUserModule,
  omsSettingsModule,
  packageFactsModule,
  packageModule,
  pauseModule,
  rawModule,
  rebootModule,
  replaceModule,
  scriptModule,
  serviceModule,
  setFactModule,
  setupModule,
  shellModule,
  slurpModule,
  statModule,
  sysctlModule,
  systemdModule,
  templateModule,
  unarchiveModule,
  uriModule,
  userModule,
  waitForConnectionModule,
  waitForModule,
  yumModule,
  yumRepositoryModule,
] as Module[];

const byName = new Map<string, Module>();
for (const m of all) {
  byName.set(m.name, m);
  for (const a of m.aliases ?? []) byName.set(a, m);
}

export function getModule(name: string): Module | undefined {
  return byName.get(name);
}

export function moduleNames(): string[] {
  return [...byName.keys()].sort();
}

// For the generated reference and JSON Schemas: each module once, aliases not repeated.
export function allModules(): readonly Module[] {
  return all;
}
