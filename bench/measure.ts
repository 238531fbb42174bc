import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ChildReport, ChildSpec } from './child.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
// Inside node_modules so the bundle's imports of dependencies resolve as they do from src/.
const BUNDLED_CHILD = fileURLToPath(new URL('../node_modules/.cache/chroma-migrate-bench/child.mjs', import.meta.url));

let bundling: Promise<string> | null = null;

/**
 * bench/child.ts and our sources as one file for plain node, as `npx chroma-migrate` runs the
 * product: under tsx the same child idles ~40 MB higher (its loader and esbuild), which is
 * memory the product does not use. Dependencies stay as installed.
 */
function bundledChild(): Promise<string> {
  bundling ??= build({
    entryPoints: [CHILD],
    outfile: BUNDLED_CHILD,
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  }).then(() => BUNDLED_CHILD);
  return bundling;
}

/** Runs bench/child.ts (bundled, under plain node) and returns its report. */
export async function runChild(mode: 'import' | 'export' | 'copy' | 'verify' | 'idle', spec: Partial<ChildSpec> = {}): Promise<ChildReport> {
  // BENCH_CPU_PROF=DIR: each child writes a V8 CPU profile there (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...profile, await bundledChild(), mode, JSON.stringify(spec)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) return resolve(JSON.parse(line) as ChildReport);
      reject(new Error(`bench child (${mode}) exited with ${code}: ${err.trim().slice(-2000)}`));
    });
  });
}
