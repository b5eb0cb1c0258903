// Every module, by name and alias: the loader validates against it, the executor runs from it.
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
import { getentModule } from '../getent.js';
import { groupModule } from '../group.js';
import { iniFileModule } from '../ini-file.js';
import { lineinfileModule } from '../lineinfile.js';
import type { Module } from './module.js';
import { mysqlQueryModule } from '../mysql-query.js';
import { omsSettingsModule } from '../oms-settings.js';
import { replaceModule } from '../replace.js';
import { packageModule } from '../package.js';
import { serviceModule } from '../service.js';
import { setFactModule } from '../set-fact.js';
import { setupModule } from '../setup.js';
import { shellModule } from '../shell.js';
import { statModule } from '../stat.js';
import { sysctlModule } from '../sysctl.js';
import { systemdModule } from '../systemd.js';
import { templateModule } from '../template.js';
import { uriModule } from '../uri.js';
import { userModule } from '../user.js';
import { waitForModule } from '../wait-for.js';
import { yumModule } from '../yum.js';

const all: Module[] = [
  aptModule,
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
  getentModule,
  groupModule,
  iniFileModule,
  lineinfileModule,
  mysqlQueryModule,
  omsSettingsModule,
  replaceModule,
  packageModule,
  serviceModule,
  setFactModule,
  setupModule,
  shellModule,
  statModule,
  sysctlModule,
  systemdModule,
  templateModule,
  uriModule,
  userModule,
  waitForModule,
  yumModule,
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
