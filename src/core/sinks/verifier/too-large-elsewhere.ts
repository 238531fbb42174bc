/**
 * Records a rejects file says another address refused as too large (413): verify does not excuse
 * them (rejects-trust.ts), and when the target lacks one, its verdict names the address that
 * refused it, so that "missing" reads as what it is: never sent here, not lost here.
 */
import { refusingAddress } from '../target/rejects-trust.js';
import type { RefusedRecord } from '../target/rejects.js';
import { LISTED, type CollectionVerdict } from './checker.js';

/**
 * What a RecordChecker tells of each missing id (its `onMissing`): those of `lines` (one
 * collection's, by id) are noted in the verdict with the address that refused them. Undefined
 * when the collection has none.
 */
export function noteTooLargeElsewhere(verdict: CollectionVerdict, lines: ReadonlyMap<string, RefusedRecord> | undefined, file: string): ((id: string) => void) | undefined {
  if (!lines || lines.size === 0) return undefined;
  return (id) => {
    const line = lines.get(id);
    const by = line && refusingAddress(line);
    if (!by) return;
    const note = (verdict.tooLargeElsewhere ??= { count: 0, ids: [], by: [], file });
    note.count++;
    if (note.ids.length < LISTED) note.ids.push(id);
    if (!note.by.includes(by)) note.by.push(by);
  };
}
