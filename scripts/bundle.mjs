// `npm run bundle`: the CLI as one ES module (dist/cli/main.bundle.js), which Node loads far faster than hundreds of
// files. ssh2, mysql2 and undici stay outside and load on first use.
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
