// Bundles the CLI into a few files (dist/bin/). Node's ESM loader resolves and links each of the
// ~400 modules of Ink, React and our own code one by one: that alone took the wizard's first
// frame from ~0.45 s to ~1 s (measured by `npm run bench -- --only wizard`). The library face
// (dist/index.js, for apps) stays tsc's plain output.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

// Chunk names carry a content hash: without this, every build leaves the last one's chunks behind.
await rm('dist/bin', { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/bin/cli.ts' },
  outdir: 'dist/bin',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Code split at dynamic imports, so subcommands never load the wizard (Ink, React).
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Stacks need only the mappings (file:line in src/); the sources themselves would triple the package.
  sourcesContent: false,
  // chromadb is only used by the library face; react-devtools-core only by Ink with DEV=true.
  external: ['chromadb', 'react-devtools-core'],
  // Bundled CommonJS dependencies call require() for Node's built-ins, and read __filename
  // (write-file-atomic names its temp files with it): give them both, as Node gives CommonJS.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __pathDirname } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __pathDirname(__filename);',
    ].join(' '),
  },
  // Minified, and React/Ink's development code dropped at build time rather than skipped at run
  // time: ~0.1 s less to parse before the first frame (measured, 10 starts each). Names are kept
  // for readable errors; the source maps lead back to src/.
  minify: true,
  keepNames: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  // src/cli.ts also sets NODE_ENV at run time, for the unbundled build and tsx; here it is moot.
  logOverride: { 'assign-to-define': 'silent' },
  logLevel: 'warning',
});
