import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { MigrateError } from '../util/errors.js';
import type { DeployFile } from './files.js';

export interface WrittenFile {
  path: string;
  outcome: 'created' | 'replaced' | 'unchanged';
  /** The user's previous version, kept when it differed. */
  backup?: string;
}

/**
 * Writes each file atomically. A file already there with other content (the user may have
 * edited it) is kept as NAME.backup-<time> first: nothing of theirs is lost.
 */
export async function writeDeployFiles(dir: string, files: readonly DeployFile[], now = new Date()): Promise<WrittenFile[]> {
  const folder = resolve(dir);
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw new MigrateError('IO', `Could not create the folder ${folder}: ${(error as Error).message}.`, 'Choose another folder with --write DIR.');
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const written: WrittenFile[] = [];
  for (const file of files) {
    const path = join(folder, file.name);
    const before = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw new MigrateError('IO', `Could not read ${path}: ${error.message}.`, 'Check the folder\'s permissions, or choose another with --write DIR.');
    });
    if (before === file.text) {
      written.push({ path, outcome: 'unchanged' });
      continue;
    }
    let backup: string | undefined;
    if (before !== null) {
      backup = `${path}.backup-${stamp}`;
      await copyFile(path, backup);
    }
    try {
      await writeFileAtomic(path, file.text, { mode: 0o644 });
    } catch (error) {
      throw new MigrateError('IO', `Could not write ${path}: ${(error as Error).message}.`, 'Check the folder\'s permissions, or choose another with --write DIR.');
    }
    written.push({ path, outcome: before === null ? 'created' : 'replaced', backup });
  }
  return written;
}
