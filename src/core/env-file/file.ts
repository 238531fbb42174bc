import { constants, type Stats } from 'node:fs';
import { access, lstat, readFile, readlink, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { MigrateError } from '../util/errors.js';
import { shellWord } from '../util/format.js';
import { notDotenvReason } from './dotenv-shape.js';

export interface EnvFile {
  path: string;
  exists: boolean;
  /** The file exactly as on disk, for backups and restores. */
  bytes: Buffer;
  /** The text to edit: without the byte-order mark, when the file began with one (see `bom`). */
  text: string;
  /** Permission bits to keep when rewriting it. */
  mode: number;
  /**
   * The file began with a UTF-8 byte-order mark. Node's dotenv skips it; python-dotenv reads it as
   * part of the first key ("\ufeffCHROMA_HOST"), so a Python app would not see that key: a rewrite
   * leaves it out (the backup keeps the original bytes).
   */
  bom?: boolean;
}

/** A .env holds secrets: a file we create is readable by its owner only. */
const NEW_FILE_MODE = 0o600;

/**
 * The file's bytes and mode; a missing file reads as empty (env set creates it), and so does a
 * symlink whose target is not there yet (the write creates the target).
 */
export async function readEnvBytes(path: string): Promise<Omit<EnvFile, 'text'>> {
  try {
    const info = await stat(path);
    // Before reading: a pipe's reader takes what its writer serves.
    refuseSpecialFile(path, info);
    const bytes = await readFile(path);
    return { path, exists: true, bytes, mode: info.mode & 0o7777 };
  } catch (error) {
    if (error instanceof MigrateError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path, exists: false, bytes: Buffer.alloc(0), mode: NEW_FILE_MODE };
    throw ioError(error, `Could not read ${path}`, readFix(code, path));
  }
}

/**
 * A .env that is a named pipe (1Password Environments mounts .env files so), a device or a socket
 * is served by a program: a file renamed over it would end that, and leave every secret it served
 * on disk in plain text, in the file and in its backup.
 */
function refuseSpecialFile(path: string, info: Stats): void {
  const kind = info.isFIFO() ? 'a named pipe (FIFO)' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : null;
  if (kind === null) return;
  throw new MigrateError(
    'BAD_INPUT',
    `${path} is ${kind}, not a regular file: a program (a secrets manager such as 1Password Environments) serves its values. Writing a file in its place would end that and leave those secrets on disk in plain text, so nothing was changed.`,
    'Change the Chroma settings where those values come from (the secrets manager\'s entry behind this file), or pass --dotenv with a regular .env file.',
  );
}

/**
 * Where a write to `path` lands: a symlink's target, followed even when it does not exist yet, so
 * the link stays a link (a rename onto the link itself would replace it with a file).
 */
export async function writeTarget(path: string): Promise<string> {
  let current = path;
  for (let hop = 0; hop < 40; hop += 1) {
    const link = await readlink(current).catch(() => null);
    if (link === null) return current;
    current = resolve(dirname(current), link);
  }
  throw new MigrateError('IO', `${path} is a symlink that leads through more than 40 links (a loop?).`, 'Point --dotenv at the file itself.');
}

/** As readEnvBytes, for editing: the text must survive a decode/encode round trip. */
export async function readEnvFile(path: string): Promise<EnvFile> {
  const file = await readEnvBytes(path);
  const decoded = file.bytes.toString('utf8');
  const bom = decoded.startsWith('\ufeff');
  const text = bom ? decoded.slice(1) : decoded;
  // Rewriting text that did not decode would silently replace bytes the user's tools rely on.
  if (!Buffer.from(decoded, 'utf8').equals(file.bytes)) {
    throw new MigrateError('BAD_INPUT', `${path} is not UTF-8 text, so it cannot be edited without changing other bytes in it.`, 'Convert it to UTF-8 (or edit it by hand) and run again.');
  }
  // A shell script or a config of another kind named by mistake: its lines would be rewritten as entries.
  const notDotenv = file.exists ? notDotenvReason(file.bytes) : null;
  if (notDotenv !== null) {
    throw new MigrateError('BAD_INPUT', `${path} is not a .env file (${notDotenv}), so it was not changed.`, "Point --dotenv at the app's .env file (KEY=value lines, comments and blanks).");
  }
  return { ...file, text, ...(bom ? { bom } : {}) };
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
export async function assertWritable(envPath: string): Promise<void> {
  const path = await writeTarget(envPath);
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
export async function writeEnvFile(envPath: string, data: string | Buffer, mode: number): Promise<void> {
  const path = await writeTarget(envPath);
  try {
    // A pipe or device put there since the file was read must not be replaced either.
    const now = await lstat(path).catch(() => undefined);
    if (now) refuseSpecialFile(envPath, now);
    await writeFileAtomic(path, data, { mode });
  } catch (error) {
    if (error instanceof MigrateError) throw error;
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
