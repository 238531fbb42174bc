/**
 * Copies of data folders left by runs that were killed (kill -9 skips `close`), and the servers
 * still serving them: the server stopped, the copy deleted, in every place a copy is made (the
 * temp folder and beside the folder). Only what this tool made: a folder named as copy.ts names
 * them, holding the owner file (or the server's lock) that names a run on this machine which has
 * gone. A copy whose run is alive, or cannot be told, is left alone.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { lockHolderOf, processAlive } from '../../util/file-lock.js';
import { serverProcesses, stopServerAt, stopServing } from '../../local-server/pid-file.js';
import { COPY_PREFIX, OWNER_FILE } from './copy.js';

const COPY_NAME = new RegExp(`^${COPY_PREFIX}[A-Za-z0-9]{6}$`);
const STOP_MS = 3_000;

export async function sweepAbandonedCopies(parents: readonly string[]): Promise<void> {
  // First the servers, wherever their copy is (gone already, under an older version's clean-up):
  // one left running holds its folder's usual port.
  for (const server of await serverProcesses()) {
    const root = dirname(server.path);
    if (basename(server.path) !== 'data' || !COPY_NAME.test(basename(root))) continue;
    if (existsSync(root) && !(await abandoned(root))) continue;
    await stopServing(server.pid, server.path, { timeoutMs: STOP_MS }).catch(() => undefined);
  }
  for (const parent of new Set(parents.map((path) => resolve(path)))) {
    const names = await readdir(parent).catch(() => [] as string[]);
    for (const name of names.filter((entry) => COPY_NAME.test(entry))) {
      const root = join(parent, name);
      if (!(await abandoned(root))) continue;
      // Elsewhere than Linux the pid file is how its server is found.
      const stopped = await stopServerAt(join(root, 'data'), { timeoutMs: STOP_MS }).catch(() => null);
      if (stopped?.kind === 'unchecked' || stopped?.kind === 'not-yours') continue;
      await rm(root, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

interface Owner {
  pid: number;
  /** null: not written (an older version's copy). */
  host: string | null;
}

/** Made by a run on this machine that has gone. */
async function abandoned(root: string): Promise<boolean> {
  const owner = await ownerOf(root);
  if (owner === null) return false;
  const lock = await lockHolder(root);
  // An older version wrote no host; its lock on the copy names one, and the temp folder is this machine's.
  const host = owner.host ?? (lock?.pid === owner.pid ? lock.host : null) ?? (dirname(root) === resolve(tmpdir()) ? hostname() : null);
  if (host !== hostname()) return false;
  return !processAlive(owner.pid) && (lock === null || lock.host !== hostname() || !processAlive(lock.pid));
}

async function ownerOf(root: string): Promise<Owner | null> {
  const text = await readFile(join(root, OWNER_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  const [pidLine, hostLine] = text.split('\n');
  const pid = Number(pidLine?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, host: hostLine?.trim() ? hostLine.trim() : null };
}

/** The run that holds the copy's server lock (local-server/chroma-server.ts), if any. */
function lockHolder(root: string): Promise<{ pid: number; host: string } | null> {
  return lockHolderOf(join(root, 'data', 'chroma-server'));
}

