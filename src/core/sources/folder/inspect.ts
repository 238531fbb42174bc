/**
 * What is in a folder given as a Chroma data folder, decided before any server sees it: the
 * bundled server "opens" an empty folder, a 0-byte file, a Chroma 0.3 DuckDB folder or another
 * program's SQLite file without complaint (it makes a new, empty database there), so a start
 * alone proves nothing. Only the files Chroma owns are listed for the copy: chroma.sqlite3 with
 * its journal files, and the segment folders (named by UUID).
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrateError } from '../../util/errors.js';

export const SQLITE_FILE = 'chroma.sqlite3';
const SQLITE_COMPANIONS = ['-journal', '-wal', '-shm'].map((suffix) => `${SQLITE_FILE}${suffix}`);
const SQLITE_MAGIC = 'SQLite format 3\0';
const SEGMENT_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DUCKDB_FILES = ['chroma-collections.parquet', 'chroma-embeddings.parquet'];

export interface FolderContents {
  /** Names inside the folder to copy (files and segment folders). */
  entries: string[];
  /** Their size in bytes, all files counted. */
  bytes: number;
}

export async function inspectFolder(dir: string): Promise<FolderContents> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new MigrateError('NOT_FOUND', `There is no folder at ${dir}.`, 'Pass the folder your app gave PersistentClient(path=…) or mounted as the Chroma volume (it holds chroma.sqlite3).');
  if (!info.isDirectory()) {
    throw new MigrateError('BAD_INPUT', `${dir} is a file, not a folder.`, `Pass the folder that holds ${SQLITE_FILE}${dir.endsWith(SQLITE_FILE) ? ' (its parent folder)' : ''}.`);
  }
  const names = await readdir(dir);
  if (DUCKDB_FILES.some((name) => names.includes(name))) {
    throw new MigrateError(
      'BAD_INPUT',
      `${dir} is a Chroma 0.3 folder (DuckDB and Parquet files such as chroma-collections.parquet): no Chroma 1.x server can read it, and this tool cannot either.`,
      "Convert it to the 0.4+ format first with Chroma's own pip tool (`pip install chroma-migrate`, which shares this tool's name), open it once with Chroma 0.4–0.6, then pass the converted folder.",
    );
  }
  if (!names.includes(SQLITE_FILE)) {
    throw new MigrateError(
      'NOT_FOUND',
      names.length === 0 ? `${dir} is empty: there is no Chroma data in it.` : `${dir} holds no ${SQLITE_FILE}, so it is not a Chroma data folder.`,
      `Pass the folder that holds ${SQLITE_FILE} (the path given to PersistentClient, or the server's persist path — /data in the 1.x Docker image, /chroma/chroma in 0.x).`,
    );
  }
  await checkSqliteHeader(join(dir, SQLITE_FILE));
  const entries: string[] = [];
  for (const name of names) {
    if (name === SQLITE_FILE || SQLITE_COMPANIONS.includes(name)) entries.push(name);
    else if (SEGMENT_NAME.test(name) && (await stat(join(dir, name))).isDirectory()) entries.push(name);
  }
  return { entries, bytes: await sizeOf(dir, entries) };
}

async function checkSqliteHeader(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) {
      throw new MigrateError('BAD_INPUT', `${file} is empty (0 bytes): the folder holds no Chroma data.`, 'It may be a copy that was cut short, or a folder an app created but never wrote to. Pass the folder with the data.');
    }
    const head = Buffer.alloc(16);
    await handle.read(head, 0, 16, 0);
    if (head.toString('latin1') !== SQLITE_MAGIC) {
      throw new MigrateError('BAD_INPUT', `${file} is not a Chroma database (it is not an SQLite file).`, 'Check the path; if the folder was copied from elsewhere, copy it again whole.');
    }
  } finally {
    await handle.close();
  }
}

async function sizeOf(dir: string, entries: string[]): Promise<number> {
  let bytes = 0;
  for (const name of entries) {
    const path = join(dir, name);
    const info = await stat(path);
    if (info.isDirectory()) bytes += await sizeOf(path, await readdir(path));
    else bytes += info.size;
  }
  return bytes;
}
