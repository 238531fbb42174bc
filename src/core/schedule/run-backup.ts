import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { inspectBackup } from '../backup/read.js';
import { isBackupFileName, nextBackupPath, rotateBackups, shrankALot, type BackupSize, type Rotation } from './rotation.js';
import type { Endpoint } from '../chroma/endpoint.js';
import { MigrateError } from '../util/errors.js';
import { exportCollections } from '../operations/export.js';
import { databasesToBackUp } from './scope.js';
import { ignoreProgress, type ProgressListener } from '../util/progress.js';
import { StateStore } from '../state/store.js';

export { backupFileName, listBackups, rotateBackups } from './rotation.js';

/**
 * The checkpoint of an interrupted backup lives next to the backups, never in the migration
 * state: the export engine records its file as the migration's backup and marks the export
 * step done, which a weekly backup of the new server must not do.
 */
export const BACKUP_STATE_FILE = '.chroma-backup-state.json';

export interface BackupOptions {
  /** The server to back up: the self-hosted target (any Chroma works). */
  source: Endpoint;
  dir: string;
  /** Keep the newest N backups in DIR and delete older ones; undefined keeps them all. */
  keep?: number;
  pageSize?: number;
  concurrency?: number;
  now?: () => Date;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface BackupResult {
  file: string;
  bytes: number;
  /** Each collection, with its database when the backup holds several. */
  collections: Array<{ name: string; database?: string; count: number }>;
  /** An interrupted backup was continued rather than started again. */
  resumed: boolean;
  /** Older backups deleted by --keep, and those left (the new one included). */
  removed: string[];
  kept: string[];
  /** Older backups of this server --keep would have deleted, kept: each holds more than the new one. */
  heldMore: BackupSize[];
  /** Backups in DIR of another server, tenant or database, which --keep leaves alone. */
  others: string[];
  /** The new backup holds far less than one kept (shrankALot): the run fails so that it is seen. */
  shrank: boolean;
}

/**
 * One backup of every collection: the migration's export engine writing to a new timestamped
 * file in DIR, the finished file read back in full (its per-collection end lines and end-of-file
 * line must be there and agree with what was exported), and only then rotation — a backup that
 * fails its check never pushes a good one out.
 */
export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const statePath = join(dir, BACKUP_STATE_FILE);
  const out = (await unfinishedBackup(statePath, dir)) ?? (await nextBackupPath(dir, (options.now ?? (() => new Date()))()));

  const databases = await databasesToBackUp(options.source, options.signal);
  const several = databases.length > 1 || databases[0] !== options.source.database;
  if (several) progress({ type: 'phase', message: `Backing up ${databases.length} databases into one file: ${databases.join(', ')}` });
  const exported = await exportCollections({
    source: options.source,
    ...(several ? { databases } : {}),
    out,
    pageSize: options.pageSize,
    concurrency: options.concurrency,
    statePath,
    signal: options.signal,
    onProgress: progress,
  });

  progress({ type: 'phase', message: `Checking ${basename(out)}` });
  await checkBackup(out, exported.collections, options.signal);

  const size = { file: out, collections: exported.collections.length, records: exported.collections.reduce((sum, entry) => sum + entry.count, 0) };
  let rotation: Rotation = { removed: [], kept: [out], heldMore: [], others: [] };
  if (options.keep !== undefined) {
    rotation = await rotateBackups(dir, options.keep, size, options.signal);
    if (rotation.removed.length > 0) progress({ type: 'phase', message: `Removed ${rotation.removed.length} older backup${rotation.removed.length === 1 ? '' : 's'}` });
  }
  await forgetFinished(statePath);
  const shrank = shrankALot(size, rotation.heldMore);
  return { file: out, bytes: (await stat(out)).size, collections: exported.collections, resumed: exported.resumed, ...rotation, shrank };
}

/** An interrupted backup of ours that can continue, so a rerun does not leave a stray partial file. */
async function unfinishedBackup(statePath: string, dir: string): Promise<string | undefined> {
  const store = await StateStore.open(statePath);
  const entry = store.current.exports.find((checkpoint) => !checkpoint.done && existsSync(checkpoint.partial) && backupOf(checkpoint.out, dir) !== undefined);
  if (entry) return backupOf(entry.out, dir);
  // A several-database backup stopped between two databases: its folder of parts is there, no part is open.
  const folders = (await readdir(dir)).filter((name) => name.endsWith(PARTS) && isBackupFileName(name.slice(0, -PARTS.length))).sort();
  const last = folders.at(-1);
  return last === undefined || existsSync(join(dir, last.slice(0, -PARTS.length))) ? undefined : join(dir, last.slice(0, -PARTS.length));
}

/** A several-database backup keeps each database's part in FILE.databases/ until it is whole. */
const PARTS = '.databases';

/** The backup in DIR an export checkpoint belongs to: the file itself, or one whose part it is. */
function backupOf(out: string, dir: string): string | undefined {
  if (dirname(out) === dir && isBackupFileName(basename(out))) return out;
  const folder = dirname(out);
  const file = folder.slice(0, -PARTS.length);
  return folder.endsWith(PARTS) && dirname(folder) === dir && isBackupFileName(basename(file)) ? file : undefined;
}

async function checkBackup(file: string, exported: BackupResult['collections'], signal?: AbortSignal): Promise<void> {
  let problem: string | null = null;
  const named = (entry: { name: string; database?: string; count: number }) => `${entry.database === undefined ? '' : `${entry.database}/`}${entry.name} ${entry.count}`;
  try {
    const summary = await inspectBackup(file, { signal });
    const found = summary.collections.map(named).join(', ');
    const expected = exported.map(named).join(', ');
    if (found !== expected) problem = `it holds ${found || 'no collections'}, but the export wrote ${expected || 'none'}`;
  } catch (error) {
    if (signal?.aborted) throw error;
    problem = (error as Error).message;
  }
  if (problem === null) return;
  // Out of rotation's sight, kept for a look: it is not a backup to restore from.
  await rename(file, `${file}.bad`).catch(() => undefined);
  throw new MigrateError('MISMATCH', `The new backup failed its check: ${problem}.`, `It was renamed to ${basename(file)}.bad and no older backup was removed. Check the disk, then run the backup again.`);
}

/** The backup state would otherwise grow by one entry a week for ever. */
async function forgetFinished(statePath: string): Promise<void> {
  const store = await StateStore.open(statePath);
  await store.update((state) => ({ ...state, exports: state.exports.filter((entry) => !entry.done) }));
}

export interface CronOptions {
  /** The project folder: where .env is, so the job finds the server and its token. */
  cwd: string;
  dir: string;
  keep?: number;
  /** Extra flags for the backup command (never a token: the job reads it from .env). */
  flags?: string[];
  /** Default: Sundays at 03:00. */
  schedule?: string;
  /**
   * The node binary and the CLI's script, absolute: cron runs with PATH=/usr/bin:/bin and no
   * HOME, where neither `npx` (a registry look-up) nor nvm's node can be found.
   */
  node: string;
  script: string;
}

/**
 * One crontab line that runs the backup weekly from the project folder, appending to
 * DIR/backup.log. The log's folder is made first: the redirection is opened before the backup
 * would create it, and a missing folder would fail the job before it starts.
 */
export function cronLine(options: CronOptions): string {
  const dir = resolve(options.cwd, options.dir);
  const flags = (options.flags ?? []).map((flag) => (/^[A-Za-z0-9_@+=:,./-]+$/.test(flag) ? flag : cronQuote(flag)));
  const args = ['--dir', cronQuote(dir), ...(options.keep !== undefined ? ['--keep', String(options.keep)] : []), ...flags];
  const program = `${cronQuote(options.node)} ${cronQuote(options.script)}`;
  return `${options.schedule ?? '0 3 * * 0'} cd ${cronQuote(resolve(options.cwd))} && mkdir -p ${cronQuote(dir)} && ${program} backup ${args.join(' ')} >> ${cronQuote(join(dir, 'backup.log'))} 2>&1`;
}

/**
 * Single-quoted for sh, and with "%" escaped: in a crontab an unescaped "%" ends the command
 * and starts its standard input, even inside quotes (cron removes the backslash).
 */
function cronQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`.replace(/%/g, '\\%');
}
