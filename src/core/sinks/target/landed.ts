/**
 * What a collection holds once every batch is in: its count, and how many of the backup's records
 * it lacks. An import, whose feed can read its records again, sends what the target lacks once
 * more and counts again: a run resumed past records lost since (deleted on the target, or a
 * checkpoint ahead of what landed) brings them back, as its words promise, instead of naming
 * the same missing records on every run. They go out as the pages did (a record the target
 * refuses even alone is set aside under --skip-invalid), so the mend stops no import the pages would not.
 */
import type { BackupRecord } from '../../model/record.js';
import { inQuotes } from '../../util/format.js';
import { countMissingIds } from '../verifier/missing-ids.js';
import type { RecordFeed, TargetSession } from './session.js';

export interface Landed {
  name: string;
  collectionId: string;
  /** Nothing or not only this run's records are there (appended, or the same command again): the count alone cannot tell. */
  byIds: boolean;
  expected: number;
  refused: Set<string>;
  /**
   * Sends records as the pages went out (write.ts): in smaller requests after a 413, and a record
   * refused even alone set aside (--skip-invalid, joining `refused`) or the import stopped, named.
   */
  send: (records: BackupRecord[]) => Promise<void>;
  call: <T>(work: () => Promise<T>) => Promise<T>;
}

export async function landedCount(context: TargetSession, feed: RecordFeed, landed: Landed): Promise<{ count: number; missing: number }> {
  const { api, options, progress } = context;
  const signal = options.signal;
  const countNow = () => landed.call(() => api.count(landed.collectionId, { signal }));
  const count = await countNow();
  if (!landed.byIds && count === landed.expected) return { count, missing: 0 };
  if (!feed.again) return { count, missing: Math.max(0, landed.expected - count) };
  const again = feed.again;
  const missingIds = (onMissing?: (records: BackupRecord[]) => Promise<void>) =>
    countMissingIds(api, landed.collectionId, withoutRefused(again(), landed.refused), signal, onMissing).catch((error: unknown) => {
      throw context.explain(error);
    });
  const sent = await missingIds(landed.send);
  if (sent === 0) return { count, missing: 0 };
  progress({ type: 'warning', message: `${inQuotes(landed.name)}: ${sent} of the backup's records were not on the target (lost since an earlier run sent them); sent them again.` });
  return { count: await countNow(), missing: await missingIds() };
}

/** The records again, less those set aside as refused (they are not on the target, by choice). */
async function* withoutRefused(batches: AsyncIterable<BackupRecord[]>, refused: Set<string>): AsyncIterable<BackupRecord[]> {
  for await (const batch of batches) yield refused.size > 0 ? batch.filter((record) => !refused.has(record.id)) : batch;
}
