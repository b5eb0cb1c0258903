// Writes docs/modules.md and docs/schemas/*.json from the module schemas.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { moduleJsonSchema, moduleReference } from '../src/docs/module-reference.js';
import { allModules } from '../src/modules/support/registry.js';

const root = path.resolve(import.meta.dirname, '..');
writeFileSync(path.join(root, 'docs/modules.md'), moduleReference());
mkdirSync(path.join(root, 'docs/schemas'), { recursive: true });
const modules = Object.fromEntries(allModules().map((m) => [m.name, moduleJsonSchema(m)]));
writeFileSync(path.join(root, 'docs/schemas/modules.json'), `${JSON.stringify(modules, null, 2)}\n`);
console.log(`wrote docs/modules.md and docs/schemas/modules.json (${allModules().length} modules)`);
