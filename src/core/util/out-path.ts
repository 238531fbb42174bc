import { lstat, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MigrateError } from './errors.js';

/**
 * A file the CLI writes (a backup and its .partial) must be a new path or a regular file in a
 * folder that exists: the writer renames its finished file over it, which would replace a
 * device node (/dev/full became a 13 KB file) or fail deep inside on a folder.
 */
export async function checkWritablePath(path: string, flag = '--out'): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new MigrateError('IO', `Cannot use ${flag} ${path}: ${error.message}.`, 'Check the path and its permissions.', { cause: error });
  });
  if (info === null) {
    // A dangling symbolic link stat cannot follow is not a new path either.
    if (await lstat(path).then(() => true, () => false)) throw refused(path, flag, 'a link to nothing');
    await checkFolder(path, flag);
    return;
  }
  if (info.isFile()) return;
  if (info.isDirectory()) throw refused(path, flag, 'a folder', `Name the file to write inside it, e.g. ${flag} ${path.replace(/\/+$/, '')}/backup.jsonl.gz`);
  throw refused(path, flag, info.isFIFO() ? 'a named pipe (FIFO)' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isSocket() ? 'a socket' : 'not a regular file');
}

async function checkFolder(path: string, flag: string): Promise<void> {
  const folder = dirname(path);
  const info = await stat(folder).catch(() => null);
  if (info === null) throw new MigrateError('BAD_INPUT', `The folder ${folder} for ${flag} does not exist.`, `Create it first (mkdir -p '${folder}'), or choose another path.`);
  if (!info.isDirectory()) throw new MigrateError('BAD_INPUT', `${folder} (the folder for ${flag}) is not a folder.`, 'Choose a path inside an existing folder.');
}

function refused(path: string, flag: string, what: string, fix = `${flag} takes the path of a backup file to create (or a regular file to replace), e.g. ${flag} backup.jsonl.gz`): MigrateError {
  return new MigrateError('BAD_INPUT', `${flag} ${path} is ${what}, not a file chroma-migrate can write a backup to.`, fix);
}
