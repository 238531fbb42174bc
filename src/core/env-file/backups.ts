import { chmod, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MigrateError } from '../util/errors.js';
import { shellWord } from '../util/format.js';
import { ioError } from './file.js';

export interface EnvBackup {
  path: string;
  /** When it was taken, from its name (the name survives copies; mtimes do not). */
  date: Date;
  bytes: number;
}

/** `.env.backup-2026-11-25T10-49-07Z`: sorts by time, no colons (Windows, scp). */
export function backupPath(envPath: string, now: Date, attempt = 0): string {
  const stamp = `${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
  return `${envPath}.backup-${stamp}${attempt > 0 ? `-${attempt}` : ''}`;
}

const BACKUP_SUFFIX = /^\.backup-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z(?:-(\d+))?$/;

/**
 * Copies the file's exact bytes next to it, owner-only (it holds the same secrets). Never
 * overwrites: two backups in the same second get -1, -2….
 */
export async function saveBackup(envPath: string, bytes: Buffer, now = new Date()): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const path = backupPath(envPath, now, attempt);
    try {
      await writeFile(path, bytes, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw ioError(error, `Could not save a backup of ${envPath} as ${path}; nothing was changed`, `Make ${dirname(path)} writable and run again.`);
    }
    // The umask may have taken bits away, never added them; make it exactly 0600.
    await chmod(path, 0o600).catch((error: unknown) => {
      throw ioError(error, `Could not make the backup ${path} private (mode 0600)`, `Run chmod 600 ${shellWord(path)} yourself, then run again.`);
    });
    return path;
  }
  throw new MigrateError('IO', `Could not find a free backup name next to ${envPath}.`, `Remove old ${basename(envPath)}.backup-* files and run again.`);
}

/** Backups of envPath in its folder, newest first. */
export async function listBackups(envPath: string): Promise<EnvBackup[]> {
  const folder = dirname(envPath);
  const name = basename(envPath);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(error, `Could not list ${folder}`, `Check that ${folder} is a readable folder.`);
  }
  const backups: (EnvBackup & { attempt: number })[] = [];
  for (const candidate of names) {
    if (!candidate.startsWith(`${name}.backup-`)) continue;
    const match = BACKUP_SUFFIX.exec(candidate.slice(name.length));
    if (!match) continue;
    const path = join(folder, candidate);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    backups.push({ path, date: new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`), bytes: info.size, attempt: Number(match[5] ?? 0) });
  }
  backups.sort((a, b) => b.date.getTime() - a.date.getTime() || b.attempt - a.attempt);
  return backups.map(({ attempt: _attempt, ...backup }) => backup);
}
