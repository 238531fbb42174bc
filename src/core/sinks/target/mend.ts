/**
 * A copy run again once its export and every import had finished (only its verify was left):
 * the target may have lost since what the copy sent it (a collection deleted by hand or through
 * another address of the same server, records deleted). Verifying alone would then fail the
 * same way on every run. So each collection goes through the target writer once more, fed from
 * the finished backup, as the same import again would: one gone is created with the settings the
 * file records and filled; one found is sent nothing from the start, and what it lacks of the
 * file is sent again (landed.ts). Nothing is deleted: records added there meanwhile stay.
 */
import { readRecords } from '../../backup/read.js';
import type { BackupRecord, BackupSummary, CollectionHeader } from '../../model/record.js';
import { MigrateError } from '../../util/errors.js';
import { count, inQuotes } from '../../util/format.js';
import { DEFAULT_PARALLEL, inParallel } from '../../util/pool.js';
import { readRejectedIds, rejectsPath } from './rejects.js';
import { openTarget, recordImportStep, type CollectionImportResult, type RecordFeed, type TargetOptions, type TargetSession } from './session.js';
import { importCollection } from './write.js';

export interface MendOptions extends Pick<TargetOptions, 'target' | 'batchSize' | 'concurrency' | 'dropSparse' | 'statePath' | 'signal' | 'onProgress'> {
  /** The finished backup the copy wrote, and the fingerprint its checkpoints are keyed by. */
  backup: string;
  fingerprint: string;
  /** The collections the copy finished, by their names in the file (and at the source). */
  collections: string[];
  /** The (one) collection's name on the target, when the copy renamed it. */
  renameTo?: string;
  parallel?: number;
  /** The source's collection ids by name: a target collection with one is the source itself, never written to. */
  sourceIds: ReadonlyMap<string, string>;
  /** The backup as inspectBackup read it: the caller's, which the verify after the mend reads too. */
  summary: BackupSummary;
}

/** Each finished collection checked against the file and sent what the target lost; step 5 saved after. */
export async function mendFinishedCopy(options: MendOptions): Promise<CollectionImportResult[]> {
  // Nothing to ask: a collection found is the copy's own (RecordFeed.mend), and none is deleted.
  const target = await openTarget({ ...options, ifExists: 'abort' });
  const headers = options.collections.map((name) => {
    const header = options.summary.collections.find((found) => found.name === name);
    if (!header) throw new MigrateError('BAD_STATE', `${options.backup} holds no collection ${inQuotes(name)}, though the copy that wrote it finished it.`, 'Start the copy afresh with another --out.');
    return header;
  });
  // Set aside as refused when the copy sent them (--skip-invalid): not sent again, not expected.
  const rejected = await readRejectedIds(rejectsPath(options.backup), options.target.database);
  const results = await inParallel(headers, options.parallel ?? DEFAULT_PARALLEL, (header) => mendCollection(target, header, options, rejected.get(options.renameTo ?? header.name)));
  await recordImportStep(target.store, options.backup, options.target, results);
  return results;
}

async function mendCollection(target: TargetSession, header: CollectionHeader, options: MendOptions, refused: Set<string> | undefined): Promise<CollectionImportResult> {
  const { backup, signal } = options;
  const name = options.renameTo ?? header.name;
  const sourceId = options.sourceIds.get(header.name);
  const feed: RecordFeed = {
    backup,
    fingerprint: options.fingerprint,
    mend: true,
    // A finished import resumes at its last record: nothing is left to send, and the file is not read through only to skip it all.
    records: (skip) => (skip >= header.count ? noRecords() : readRecords(backup, header, { skip, batchSize: target.batchSize, signal })),
    again: () => readRecords(backup, header, { batchSize: 300, signal }),
    ...(refused ? { refused } : {}),
    ...(sourceId ? { sourceCollectionId: sourceId } : {}),
  };
  const result = await importCollection(target, header, name, feed);
  if (result.action === 'created') {
    target.progress({ type: 'warning', message: `${inQuotes(name)} was not on the target (deleted since the copy sent it); created it again with the backup's settings and sent the backup's ${count(result.expected)} records.` });
  }
  return result;
}

async function* noRecords(): AsyncGenerator<BackupRecord[]> {}
