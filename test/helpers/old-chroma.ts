/**
 * The oldest Chroma 1.x server still deployed, for the old-and-new round trips: bindings 1.0.1
 * (with chromadb 3.0.10's CLI) has no collection schema and no array metadata. The chromadb
 * package cannot sit twice in one node_modules, so it is installed once into its own folder in
 * the shared cache (exact versions: chromadb's caret range would pull the newest bindings).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const OLD_SERVER = { chromadb: '3.0.10', bindings: '1.0.1' } as const;

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'chroma-migrate', 'servers', `bindings-${OLD_SERVER.bindings}`);
}

export function oldChromaCli(): string {
  return join(cacheDir(), 'node_modules', 'chromadb', 'dist', 'cli.mjs');
}

function installed(dir: string): boolean {
  return (
    existsSync(join(dir, 'node_modules', 'chromadb', 'dist', 'cli.mjs')) &&
    existsSync(join(dir, 'node_modules', 'chromadb-js-bindings-linux-x64-gnu', 'package.json'))
  );
}

/** Installs the old server unless it is there; into a temp folder first, so a cut-off install is never taken for a whole one. */
export async function ensureOldChroma(): Promise<string> {
  const dir = cacheDir();
  if (installed(dir)) return oldChromaCli();
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(
    join(staging, 'package.json'),
    JSON.stringify({
      name: 'chroma-migrate-old-server',
      private: true,
      dependencies: { chromadb: OLD_SERVER.chromadb, 'chromadb-js-bindings-linux-x64-gnu': OLD_SERVER.bindings },
    }),
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await promisify(execFile)(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', '--omit=dev'], { cwd: staging, timeout: 300_000 });
  if (!installed(staging)) throw new Error(`npm installed chromadb ${OLD_SERVER.chromadb} into ${staging}, but not its server bindings ${OLD_SERVER.bindings}`);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return oldChromaCli();
}
