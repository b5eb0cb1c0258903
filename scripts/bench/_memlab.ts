import { freeSideSubnet, labUp } from '../lab/lab-api.js';
import { writeInventory } from './tools.js';
const lab = await labUp({ hosts: 200, name: 'bpym', dir: '/tmp/bpym-lab', subnet: await freeSideSubnet(), concurrency: 6 });
for (const n of [10, 50, 200]) writeInventory(lab, lab.hosts.slice(0, n), `/tmp/bpy/mem/inv-${n}.yml`);
console.log('up', lab.upMs);
