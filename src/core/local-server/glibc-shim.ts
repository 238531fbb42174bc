import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MigrateError } from '../util/errors.js';

const run = promisify(execFile);

/** The server binary in chromadb-js-bindings needs glibc symbols first shipped in 2.39. */
const REQUIRED_GLIBC = '2.39';

export function runtimeGlibc(): string | null {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ?? null;
}

export function glibcIsTooOld(version: string | null): boolean {
  if (version === null) return false; // not glibc (musl, macOS, Windows): let the binary speak for itself
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = REQUIRED_GLIBC.split('.').map(Number);
  return major < needMajor || (major === needMajor && minor < needMinor);
}

function shimCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'chroma-migrate', 'glibc-trixie');
}

export interface GlibcShim {
  /** The newer dynamic loader, used to start node with the newer libraries. */
  loader: string;
  libraryPath: string;
}

function shimPaths(dir: string): GlibcShim {
  const libraryPath = join(dir, 'root', 'usr', 'lib', 'x86_64-linux-gnu');
  return { loader: join(libraryPath, 'ld-linux-x86-64.so.2'), libraryPath };
}

/**
 * On an older Debian/Ubuntu (glibc < 2.39) we borrow Debian trixie's libc, libstdc++ and libgcc
 * into a private cache folder and start node through trixie's loader. The system's apt setup is
 * never touched: apt runs against a private sources list, lists and cache.
 */
export async function ensureGlibcShim(dir = shimCacheDir()): Promise<GlibcShim> {
  const paths = shimPaths(dir);
  if (existsSync(paths.loader) && existsSync(join(paths.libraryPath, 'libstdc++.so.6'))) return paths;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw tooOldError('the automatic fix only exists for x86-64 Linux');
  }
  const work = `${dir}.tmp-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  try {
    await mkdir(join(work, 'lists', 'partial'), { recursive: true });
    await mkdir(join(work, 'cache', 'archives', 'partial'), { recursive: true });
    await mkdir(join(work, 'debs'), { recursive: true });
    const sources = join(work, 'sources.list');
    await writeFile(sources, 'deb http://deb.debian.org/debian trixie main\n');
    const aptOptions = [
      '-o', `Dir::Etc::SourceList=${sources}`,
      '-o', 'Dir::Etc::SourceParts=/dev/null',
      '-o', `Dir::State::Lists=${join(work, 'lists')}`,
      '-o', `Dir::Cache=${join(work, 'cache')}`,
      '-o', 'Debug::NoLocking=1',
      '-q',
    ];
    await run('apt-get', [...aptOptions, 'update'], { timeout: 180_000 });
    await run('apt-get', [...aptOptions, 'download', 'libc6', 'libstdc++6', 'libgcc-s1'], {
      cwd: join(work, 'debs'),
      timeout: 180_000,
    });
    for (const deb of await readdir(join(work, 'debs'))) {
      await run('dpkg', ['-x', join(work, 'debs', deb), join(work, 'root')]);
    }
    await rm(join(work, 'lists'), { recursive: true, force: true });
    await rm(join(work, 'cache'), { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir); // atomic: a half-fetched shim is never mistaken for a whole one
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw tooOldError(`fetching newer libraries with apt-get failed (${describe(error)})`, error);
  }
  return paths;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '')?.slice(0, 200) ?? 'unknown error';
}

function tooOldError(reason: string, cause?: unknown): MigrateError {
  return new MigrateError(
    'SERVER_START',
    `The Chroma server in the chromadb package needs glibc ${REQUIRED_GLIBC} or newer; this system has ${runtimeGlibc() ?? 'an unknown libc'}, and ${reason}.`,
    'Run Chroma in Docker instead (docker run -p 8000:8000 -v ./chroma-data:/data chromadb/chroma), ' +
      'or use a newer OS (Debian 13, Ubuntu 24.04 or later), then point chroma-migrate at it with --url.',
    { cause },
  );
}
