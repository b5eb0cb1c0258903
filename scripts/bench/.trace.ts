import { readFileSync, writeFileSync } from 'node:fs';
import { readState } from '../lab/lab-api.js';
import { floorCommands } from './floor-plan.js';
import { writeInventory } from './tools.js';
const lab = readState('/tmp/omsrun-bprof-lab')!;
const n = Number(process.argv[2] ?? 5);
const hosts = lab.hosts.slice(0, n);
writeFileSync('/tmp/bprof-plan.json', JSON.stringify({ keyFile: lab.keyFile, knownHosts: lab.knownHosts, hosts: hosts.map((h) => ({ ip: h.ip, commands: floorCommands('/work/main/bench', h) })) }));
writeInventory(lab, hosts, `/tmp/bprof-inv-${n}.yml`);
