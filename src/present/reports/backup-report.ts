import type { BackupResult } from '../../core/schedule/run-backup.js';
import { count, plural, shown } from '../../core/util/format.js';
import { commandText, targetPlaceFlags } from '../resume-command.js';

/**
 * What a scheduled backup wrote, kept and removed, and how to restore it: into the server it
 * was read from (`from`), unless another is named.
 */
export function backupReport(result: BackupResult, keep: number | undefined, from: { url: string; tenant?: string; database: string }): string[] {
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
    lines.push(`Keeping the newest ${keep} of this server's: ${plural(result.kept.length, 'backup')} in the folder${removed}`);
    lines.push(...keptLines(result, from));
  }
  lines.push(`Restore with: ${restoreCommand(result.file, result.collections.some((entry) => entry.database !== undefined), from)}`);
  return lines;
}

/** Older backups --keep left, and why. */
function keptLines(result: BackupResult, from: { url: string; database: string }): string[] {
  const lines: string[] = [];
  if (result.others.length > 0) {
    lines.push(`${plural(result.others.length, 'older backup')} in the folder ${result.others.length === 1 ? 'was' : 'were'} taken from another server, tenant or database: --keep leaves ${result.others.length === 1 ? 'it' : 'them'} alone.`);
  }
  const records = result.collections.reduce((sum, entry) => sum + entry.count, 0);
  const now = `${plural(result.collections.length, 'collection')}, ${count(records)} records`;
  for (const older of result.heldMore) {
    lines.push(`! Kept ${older.file}: it holds ${plural(older.collections, 'collection')}, ${count(older.records)} records; the new backup ${now}. --keep never removes a backup that holds more than the new one.`);
  }
  const largest = result.heldMore.reduce<BackupResult['heldMore'][number] | undefined>((best, older) => (best === undefined || older.records > best.records ? older : best), undefined);
  if (largest === undefined) return lines;
  if (!result.shrank) return [...lines, '  If the server holds less on purpose, delete the older backup by hand; until then --keep leaves it.'];
  return [
    ...lines,
    '✗ The server holds far less than when that backup was taken (a redeploy without a volume looks like this).',
    `  If that is not on purpose, bring its data back with: ${restoreCommand(largest.file, largest.databases?.length !== 1, { ...from, database: largest.databases?.[0] ?? from.database })}`,
    '  If it is, delete the older backup by hand; until then each backup run says this and exits 1.',
  ];
}

/** A file of several databases recreates each under its own name; one database goes back where it was. */
function restoreCommand(file: string, several: boolean, from: { url: string; tenant?: string; database: string }): string {
  return commandText('import', ['--input', file, '--url', from.url, ...targetPlaceFlags(from.tenant, several ? undefined : from.database)]);
}
