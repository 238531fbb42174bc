import type { ExistsChoice } from '../core/operations/import.js';
import { count } from '../core/util/format.js';

/**
 * What to do with a target collection that already holds records, in the order both faces offer
 * it. Enter alone must never delete: the first choice is the default, so the destructive one is last.
 */
export function existsChoices(records: number): Array<{ label: string; value: ExistsChoice }> {
  return [
    { label: 'Append: upsert the backup into it (same ids are overwritten)', value: 'append' },
    { label: 'Cancel: change nothing', value: 'abort' },
    { label: `Delete it (${count(records)} records) and recreate it, then import`, value: 'recreate' },
  ];
}
