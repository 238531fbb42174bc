/**
 * The oldest Chroma 1.x server still deployed, for the old-and-new round trips: bindings 1.0.1
 * (with chromadb 3.0.10's CLI) has no collection schema and no array metadata. The chromadb
 * package cannot sit twice in one node_modules, so it is installed once into its own folder in
 * the shared cache (exact versions: chromadb's caret range would pull the newest bindings).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const OLD_SERVER = { chromadb: '3.0.10', bindings: '1.0.1' } as const;

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'chroma-migrate', 'servers', `bindings-${OLD_SERVER.bindings}`);
}

function oldChromaCli(): string {
  return join(cacheDir(), 'node_modules', 'chromadb', 'dist', 'cli.mjs');
}

function installed(dir: string): boolean {
  return (
    existsSync(join(dir, 'node_modules', 'chromadb', 'dist', 'cli.mjs')) &&
    existsSync(join(dir, 'node_modules', 'chromadb-js-bindings-linux-x64-gnu', 'package.json'))
  );
}

/**
 * Installs the old server unless it is there, the first time a test asks for it (not in global
 * setup: most runs need only the bundled server). Test files run in parallel workers, so one
 * installs while the others wait on a lock folder; into a temp folder first, so a cut-off
 * install is never taken for a whole one.
 */
export async function ensureOldChroma(): Promise<string> {
  const dir = cacheDir();
  if (installed(dir)) return oldChromaCli();
  await mkdir(join(dir, '..'), { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (installed(dir)) return oldChromaCli();
      // A lock older than the install's own timeout was left by a killed run.
      const age = Date.now() - (await stat(lock).then((info) => info.mtimeMs, () => Date.now()));
      if (age > 360_000) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for another test worker to install the old Chroma server (${lock})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (installed(dir)) return oldChromaCli();
    return await install(dir);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function install(dir: string): Promise<string> {
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
