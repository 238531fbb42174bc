import type { BackupResult } from '../../core/schedule/run-backup.js';
import { count, plural, shown } from '../../core/util/format.js';
import { commandText } from '../resume-command.js';

/**
 * What a scheduled backup wrote, kept and removed, and how to restore it: into the server it
 * was read from (`from`), unless another is named.
 */
export function backupReport(result: BackupResult, keep: number | undefined, from: { url: string; database: string }): string[] {
  const records = result.collections.reduce((sum, entry) => sum + entry.count, 0);
  const mb = (result.bytes / 1024 / 1024).toFixed(1);
  const lines = [
    `✓ Backup ${result.file} (${mb} MB): ${plural(result.collections.length, 'collection')}, ${count(records)} records, checked${result.resumed ? ' (continued an interrupted backup)' : ''}`,
    ...result.collections.map((entry) => `  ${entry.database === undefined ? '' : `[${shown(entry.database)}] `}${shown(entry.name)}: ${count(entry.count)} records`),
  ];
  // Each collection is exact as of its own reading: those read before the interruption may miss changes since.
  if (result.resumed) lines.push('  The collections finished before the interruption are as the server held them then; changes since are in the next backup (or delete this one and run again for one moment).');
  if (keep !== undefined) {
    const removed = result.removed.length > 0 ? `, removed ${result.removed.join(', ')}` : '';
    lines.push(`Keeping the newest ${keep}: ${plural(result.kept.length, 'backup')} in the folder${removed}`);
  }
  // A file of several databases recreates each under its own name; one database goes back where it was.
  const several = result.collections.some((entry) => entry.database !== undefined);
  const database = several || from.database === 'default_database' ? [] : ['--target-database', from.database];
  lines.push(`Restore with: ${commandText('import', ['--input', result.file, '--url', from.url, ...database])}`);
  return lines;
}
