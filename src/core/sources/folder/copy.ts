/**
 * The temporary copy a data folder is served from. Serving the folder itself would change it:
 * the server writes chroma.sqlite3 on every start (a lock row, its migrations — a folder written
 * by an older 1.x is migrated in place and the older server refuses it afterwards), and no
 * read-only mode exists (SQLite's mode=ro and immutable=1 both abort the start).
 */
import { constants } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { MigrateError } from '../../util/errors.js';
import { formatBytes } from './bytes.js';
import type { FolderContents } from './inspect.js';

/** Room left over beyond the copy: the server's log, a migration's rewrite of the sqlite, the OS. */
const MARGIN_BYTES = 64 * 1024 * 1024;
export const COPY_PREFIX = 'chroma-migrate-folder-';
/**
 * In each copy, first of all: the pid and host of the run that made it, so a later run knows a
 * copy whose run is gone (kill -9 skips the clean-up) from one a live run still serves.
 */
export const OWNER_FILE = 'owner.pid';

export interface FolderCopy {
  /** The data folder to serve. */
  data: string;
  /** The temporary folder around it (log and copy): remove it to clean up. */
  root: string;
}

/** Where a copy of `source` may go: the system's temp folder, else beside the source. */
export function copyParents(source: string): string[] {
  return [...new Set([tmpdir(), dirname(resolve(source))])];
}

/** Where the copy goes: the first of copyParents with room. */
async function chooseParent(source: string, bytes: number): Promise<string> {
  const need = bytes + MARGIN_BYTES;
  const candidates = copyParents(source);
  const free: string[] = [];
  for (const candidate of candidates) {
    const info = await statfs(candidate).catch(() => null);
    if (!info) continue;
    const available = info.bavail * info.bsize;
    if (available >= need) return candidate;
    free.push(`${formatBytes(available)} free in ${candidate}`);
  }
  throw new MigrateError(
    'IO',
    `Not enough disk space for the temporary copy of ${source}: it needs ${formatBytes(need)} (${formatBytes(bytes)} of data and ${formatBytes(MARGIN_BYTES)} to spare), and there is ${free.join(', ') || 'no writable temp folder'}.`,
    'Free some space, or point TMPDIR at a disk with room (TMPDIR=/mnt/big chroma-migrate …). The folder is copied because serving it in place would change it.',
  );
}

/** Size and change time of every copied file: a write during the copy shows as a difference. */
async function fingerprint(dir: string, entries: string[]): Promise<string> {
  const parts: string[] = [];
  const walk = async (path: string, name: string): Promise<void> => {
    const info = await stat(path).catch(() => null);
    if (!info || !info.isDirectory()) {
      parts.push(info ? `${name}:${info.size}:${info.mtimeMs}` : `${name}:gone`);
      return;
    }
    for (const child of (await readdir(path)).sort()) await walk(join(path, child), `${name}/${child}`);
  };
  for (const name of [...entries].sort()) await walk(join(dir, name), name);
  return parts.join('\n');
}

export async function copyFolder(source: string, contents: FolderContents): Promise<FolderCopy> {
  const parent = await chooseParent(source, contents.bytes);
  const root = await mkdtemp(join(parent, COPY_PREFIX));
  const data = join(root, 'data');
  try {
    await writeFile(join(root, OWNER_FILE), `${process.pid}\n${hostname()}\n`);
    await mkdir(data);
    const before = await fingerprint(source, contents.entries);
    for (const name of contents.entries) {
      // A clone where the filesystem can (btrfs, xfs, APFS): instant and no extra space; a plain copy elsewhere.
      await cp(join(source, name), join(data, name), { recursive: true, mode: constants.COPYFILE_FICLONE, preserveTimestamps: true });
    }
    if ((await fingerprint(source, contents.entries)) !== before) {
      throw new MigrateError(
        'BAD_INPUT',
        `${source} changed while it was being copied: some program is writing to it.`,
        'Stop the app or Chroma server that uses this folder, then run the command again.',
      );
    }
    return { data, root };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    if (error instanceof MigrateError) throw error;
    const detail = error as NodeJS.ErrnoException;
    throw new MigrateError('IO', `Could not copy ${source} to a temporary folder (${detail.code ?? detail.message}).`, detail.code === 'ENOSPC' ? 'The disk filled up: free some space or point TMPDIR at a disk with room.' : 'Check that the folder can be read.', { cause: error });
  }
}
