import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { MigrateError } from '../util/errors.js';
import { shellWord } from '../util/format.js';
import { notDotenvReason } from './dotenv-shape.js';

export interface EnvFile {
  path: string;
  exists: boolean;
  /** The file exactly as on disk, for backups and restores. */
  bytes: Buffer;
  text: string;
  /** Permission bits to keep when rewriting it. */
  mode: number;
}

/** A .env holds secrets: a file we create is readable by its owner only. */
const NEW_FILE_MODE = 0o600;

/** The file's bytes and mode; a missing file reads as empty (env set creates it). */
export async function readEnvBytes(path: string): Promise<Omit<EnvFile, 'text'>> {
  try {
    const bytes = await readFile(path);
    const mode = (await stat(path)).mode & 0o7777;
    return { path, exists: true, bytes, mode };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path, exists: false, bytes: Buffer.alloc(0), mode: NEW_FILE_MODE };
    throw ioError(error, `Could not read ${path}`, readFix(code, path));
  }
}

/** As readEnvBytes, for editing: the text must survive a decode/encode round trip. */
export async function readEnvFile(path: string): Promise<EnvFile> {
  const file = await readEnvBytes(path);
  const text = file.bytes.toString('utf8');
  // Rewriting text that did not decode would silently replace bytes the user's tools rely on.
  if (!Buffer.from(text, 'utf8').equals(file.bytes)) {
    throw new MigrateError('BAD_INPUT', `${path} is not UTF-8 text, so it cannot be edited without changing other bytes in it.`, 'Convert it to UTF-8 (or edit it by hand) and run again.');
  }
  // A shell script or a config of another kind named by mistake: its lines would be rewritten as entries.
  const notDotenv = file.exists ? notDotenvReason(file.bytes) : null;
  if (notDotenv !== null) {
    throw new MigrateError('BAD_INPUT', `${path} is not a .env file (${notDotenv}), so it was not changed.`, "Point --dotenv at the app's .env file (KEY=value lines, comments and blanks).");
  }
  return { ...file, text };
}

/** The prompt may wait a while: an edit made meanwhile (in an editor, say) must not be overwritten. */
export async function assertUnchanged(file: Omit<EnvFile, 'text'>): Promise<void> {
  const now = await readEnvBytes(file.path);
  if (now.exists !== file.exists || !now.bytes.equals(file.bytes)) {
    throw new MigrateError('IO', `${file.path} changed while chroma-migrate was waiting; nothing was written.`, 'Run the command again to see the change against the file as it is now.');
  }
}

/**
 * Checked before asking anything, so the user never confirms a change that cannot be saved.
 * A file or folder without any write bit counts as locked even for root: someone did that on
 * purpose, and the atomic rename would otherwise replace a read-only file without complaint.
 */
export async function assertWritable(path: string): Promise<void> {
  const folder = dirname(path);
  const folderStat = await stat(folder).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    throw ioError(error, `Cannot write ${path}: ${code === 'ENOTDIR' ? 'part of that path is a file, not a folder' : `the folder ${folder} is not there`}`, 'Pass --dotenv with the path of your project\'s .env.');
  });
  if (!folderStat.isDirectory()) {
    throw new MigrateError('IO', `Cannot write ${path}: ${folder} is a file, not a folder.`, 'Pass --dotenv with the path of your project\'s .env.');
  }
  if (!(await writable(folder, folderStat.mode))) {
    throw new MigrateError(
      'IO',
      `Cannot write ${path}: the folder ${folder} is read-only (the new file and its backup are written next to the old one). Nothing was changed.`,
      `Make the folder writable (chmod u+w ${shellWord(folder)}) and run again.`,
    );
  }
  const fileStat = await stat(path).catch(() => undefined);
  if (fileStat?.isDirectory()) throw new MigrateError('IO', `${path} is a folder, not a .env file.`, 'Pass --dotenv with the path of the file itself.');
  if (fileStat && !(await writable(path, fileStat.mode))) {
    throw new MigrateError('IO', `Cannot write ${path}: the file is read-only. Nothing was changed.`, `Make it writable (chmod u+w ${shellWord(path)}) and run again.`);
  }
}

async function writable(path: string, mode: number): Promise<boolean> {
  if ((mode & 0o222) === 0) return false;
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
}

/** Temp file + fsync + rename: a crash or a full disk leaves the old file, never half of the new one. */
export async function writeEnvFile(path: string, data: string | Buffer, mode: number): Promise<void> {
  try {
    await writeFileAtomic(path, data, { mode });
  } catch (error) {
    throw ioError(error, `Could not write ${path}; the file on disk is unchanged`, readFix((error as NodeJS.ErrnoException).code, path));
  }
}

export function ioError(error: unknown, what: string, fix: string): MigrateError {
  const code = (error as NodeJS.ErrnoException).code;
  return new MigrateError('IO', `${what} (${code ?? (error as Error).message}).`, fix, { cause: error });
}

function readFix(code: string | undefined, path: string): string {
  if (code === 'EACCES' || code === 'EPERM') return `Check the permissions of ${path} and its folder.`;
  if (code === 'EROFS') return 'That file system is read-only; point --dotenv at a writable copy.';
  if (code === 'ENOSPC') return 'The disk is full; free some space and run again.';
  if (code === 'ENOTDIR') return 'Part of that path is a file, not a folder: pass --dotenv with the path of your project\'s .env.';
  if (code === 'EISDIR') return `${path} is a folder: pass --dotenv with the path of the file itself.`;
  return `Check ${path} and run again.`;
}
