// `npm run bundle`: the CLI as one ES module (dist/cli/main.bundle.js), which Node loads far faster than hundreds of
// files. ssh2, mysql2 and undici stay outside and load on first use.
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// zod's namespace re-exports all of its ~40 message locales, which then load on every start (~30 ms here); omsrun
// speaks English, which zod registers by itself, so the namespace keeps only `en`.
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (a) => (/[\\/]zod[\\/]/.test(a.importer) ? { path: 'zod-locales', namespace: 'omsrun-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'omsrun-stub' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/cli/main.bundle.js',
  sourcemap: true,
  sourcesContent: false,
  external: ['ssh2', 'mysql2', 'undici'],
  logLevel: 'warning',
  // Bundled CommonJS dependencies still call require().
  banner: { js: "import { createRequire as __omsrunRequire } from 'node:module'; const require = __omsrunRequire(import.meta.url);" },
  plugins: [englishOnly],
});

// V8 keeps a script's source in memory for lazy compilation, as one byte per character only when every character is
// Latin-1: one Cyrillic letter in a jexl regex literal (and a few in comments) doubled the bundle's 2.2 MB to 4.3 MB of
// heap. esbuild escapes strings but not regex literals or comments; \uXXXX means the same in both.
const out = 'dist/cli/main.bundle.js';
const text = readFileSync(out, 'utf8');
const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (ascii !== text) writeFileSync(out, ascii);
