#!/usr/bin/env node
// One bundled file loads in a fraction of the time of hundreds of modules. Its source map costs ~15 ms to load, so
// stack traces point at src/ only when asked for: OMSRUN_DEBUG=1 (or NODE_OPTIONS=--enable-source-maps).
if (process.env.OMSRUN_DEBUG) process.setSourceMapsEnabled(true);
await import('../dist/cli/main.bundle.js');
