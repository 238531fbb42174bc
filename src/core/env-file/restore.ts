import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'dotenv';
import { MigrateError } from '../util/errors.js';
import { shellWord } from '../util/format.js';
import { listBackups } from './backups.js';
import { diffEnv, type EnvChange } from './diff.js';
import { notDotenvReason } from './dotenv-shape.js';
import { ioError, readEnvBytes, type EnvFile } from './file.js';

export interface RestorePlan {
  /** The backup to put back. */
  source: string;
  bytes: Buffer;
  /** The file as it is now, to back up and to check unchanged before writing. */
  current: Omit<EnvFile, 'text'>;
  changes: EnvChange[];
  identical: boolean;
  /** When the backup was taken, if it is one of the file's own. */
  savedAt: Date | null;
}

/** A bare name from a backup list is looked for next to the .env file when it is not in the current folder. */
function locateBackup(choice: string, envPath: string): string {
  const direct = resolve(choice);
  const beside = join(dirname(envPath), choice);
  return existsSync(direct) || !existsSync(beside) ? direct : beside;
}

/** What restoring `choice` ("latest" or a path) over the .env at `path` would change, without writing. */
export async function planRestore(path: string, choice: string): Promise<RestorePlan> {
  // First: a .env that is no regular file (a pipe) is refused before any backup is looked at.
  const current = await readEnvBytes(path);
  const backups = await listBackups(path);
  const source = choice === 'latest' ? backups[0]?.path : locateBackup(choice, path);
  if (source === undefined) throw new MigrateError('NOT_FOUND', `There are no backups of ${path} yet.`, 'Backups are made by chroma-migrate env set and rollback.');
  const listCommand = `chroma-migrate rollback --list${path === resolve('.env') ? '' : ` --dotenv ${shellWord(path)}`}`;
  const bytes = await readFile(source).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MigrateError('NOT_FOUND', `There is no backup at ${source}.`, `${listCommand} shows the backups of ${path}.`);
    throw ioError(error, `Could not read the backup ${source}`, `Check the permissions of ${source}.`);
  });
  const notDotenv = notDotenvReason(bytes);
  if (notDotenv !== null) {
    throw new MigrateError(
      'BAD_INPUT',
      `${source} is not a .env file (${notDotenv}), so it was not put in place of ${path}. Nothing was changed.`,
      `Pick one of the backups ${listCommand} shows. A file that really is your .env can be copied over it by hand.`,
    );
  }
  const changes = diffEnv(current.exists ? parse(current.bytes) : {}, parse(bytes));
  const savedAt = backups.find((backup) => backup.path === source)?.date ?? null;
  return { source, bytes, current, changes, identical: current.exists && current.bytes.equals(bytes), savedAt };
}
