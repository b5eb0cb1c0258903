#!/usr/bin/env node
// One bundled file loads in a fraction of the time of hundreds of modules; its source map keeps stacks pointing at src/.
process.setSourceMapsEnabled(true);
await import('../dist/cli/main.bundle.js');
