/**
 * The backup of a data folder never goes inside that folder: written as DIR/chroma.sqlite3 it
 * replaced Chroma's own database with the backup, and any file there is Chroma's to own. Both
 * paths are compared as the disk resolves them (links followed), the backup's by its nearest
 * folder that exists: it is often not written yet.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { MigrateError } from '../../util/errors.js';
import { shellWord } from '../../util/format.js';

export async function refuseOutInside(folder: string, out: string, flag = '--out'): Promise<void> {
  const dir = await realpath(resolve(folder)).catch(() => resolve(folder));
  const file = await onDisk(resolve(out));
  const inside = relative(dir, file);
  if (inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside))) {
    throw new MigrateError(
      'USAGE',
      `${flag} ${out} is inside the data folder being read (${dir}): the backup would be written among Chroma's own files${basename(file).startsWith('chroma.sqlite3') ? ', over its database' : ''}. Nothing was read or written.`,
      `Write the backup outside that folder, e.g. ${flag} ${shellWord(join(dirname(dir), 'chroma-backup.jsonl.gz'))}.`,
    );
  }
}

/** The path as the disk resolves it: a link followed, or, for a file not there yet, its nearest folder that is. */
async function onDisk(path: string): Promise<string> {
  const whole = await realpath(path).catch(() => null);
  if (whole !== null) return whole;
  const parent = dirname(path);
  if (parent === path) return path;
  return join(await onDisk(parent), basename(path));
}
