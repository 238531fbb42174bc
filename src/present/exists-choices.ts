import type { ExistsChoice } from '../core/operations/import.js';
import { count, inQuotes } from '../core/util/format.js';

/**
 * What to do with a target collection that already holds records, in the order both faces offer
 * it. Enter alone must never delete: the first choice is the default, so the destructive one is last.
 */
export function existsChoices(records: number, inBackup?: number): Array<{ label: string; value: ExistsChoice }> {
  const held = inBackup === undefined ? `${count(records)} records` : `${count(records)} records now, ${count(inBackup)} in the backup`;
  return [
    { label: 'Append: upsert the backup into it (same ids are overwritten)', value: 'append' },
    { label: 'Cancel: change nothing', value: 'abort' },
    { label: `Delete it (${held}) and recreate it, then import`, value: 'recreate' },
  ];
}

/**
 * The question about a collection that exists. The backup's own source named as such: restoring
 * into it is what backups are for, but a recreate there loses whatever was added since.
 */
export function existsQuestion(info: { collection: string; count: number; inBackup?: number }): string {
  const found = `Collection ${inQuotes(info.collection)} already exists on the target with ${count(info.count)} records.`;
  if (info.inBackup === undefined) return `${found} What now?`;
  return `${found} It is where this backup was taken, and the backup holds ${count(info.inBackup)} records of it: recreating it loses whatever was added or changed there since. What now?`;
}
