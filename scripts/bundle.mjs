// Bundles the CLI into a few files (dist/bin/). Node's ESM loader resolves and links each of the
// ~400 modules of Ink, React and our own code one by one: that alone took the wizard's first
// frame from ~0.45 s to ~1 s (measured by `npm run bench -- --only wizard`). The library face
// (dist/index.js, for apps) stays tsc's plain output.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist/bin',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Code split at dynamic imports, so subcommands never load the wizard (Ink, React).
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // chromadb is only used by the library face; react-devtools-core only by Ink with DEV=true.
  external: ['chromadb', 'react-devtools-core'],
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
