import type { BackupRecord, CollectionHeader } from '../../model/record.js';
import { spaceOf } from '../../chroma/api.js';
import { addressOf } from '../../chroma/url.js';
import { MigrateError } from '../../util/errors.js';
import { count, fraction, inQuotes } from '../../util/format.js';
import { withRetry } from '../../util/retry.js';
import { runBatches } from '../batches.js';
import { withoutSparse } from '../target-fit.js';
import { upsertExactly } from '../diff/exact-upsert.js';
import { recordTooLarge, sendFitting, tooLargeWhy, type FitHandlers, type RequestSize } from './fit-requests.js';
import { checkpointMatches, prepareCollection } from './prepare.js';
import { landedCount } from './landed.js';
import { refusedCount } from './refusals.js';
import { DEFAULT_CONCURRENCY, reopenImportSteps, targetKey, type CollectionImportResult, type RecordFeed, type TargetSession } from './session.js';

/** One collection into the target: settle it (prepare.ts), send its records in batches with a checkpoint after each, then count. */
export async function importCollection(context: TargetSession, header: CollectionHeader, name: string, feed: RecordFeed): Promise<CollectionImportResult> {
  const { options, progress, explain } = context;
  const signal = options.signal;
  const saveCheckpoint = checkpointSaver(context, header, name, feed);
  await reopenImportSteps(context, name);
  const { collection, action, start, leftOut, differences: readBack, claimed, call } = await prepareCollection(context, header, name, feed, (at) => saveCheckpoint(at, false));
  const collectionId = collection.id;
  if (header.space && spaceOf(collection) && spaceOf(collection) !== header.space) {
    progress({ type: 'warning', message: `${inQuotes(name)} on the target uses distance "${spaceOf(collection)}", the backup "${header.space}"; searches will rank differently.` });
  }

  // A single node cannot store sparse vectors: they travel only when the user chose to leave them out (checkValuesFit).
  const sparseLeftOut = options.dropSparse === true && !options.target.cloud;
  // A copy adds to the set page by page, and a record 413 refuses alone joins it (--skip-invalid).
  const refused = (feed.refused ??= new Set<string>());
  const sendable = (batch: BackupRecord[]) => {
    const kept = refused.size > 0 ? batch.filter((record) => !refused.has(record.id)) : batch;
    return sparseLeftOut ? kept.map((record) => ({ ...record, metadata: withoutSparse(record.metadata) })) : kept;
  };

  if (!claimed) await saveCheckpoint(start, false);
  progress({ type: 'phase', message: `Importing ${inQuotes(name)} into ${options.target.url} (batches of ${context.batchSize})` });
  progress({ type: 'collection-start', collection: name, total: header.count, done: start, resumed: action === 'resumed' });
  let committed = start;
  const size: RequestSize = { records: context.batchSize };
  // --again onto records already there: each written as the backup holds it, values it lacks removed (exact-upsert.ts).
  const exact = options.again === true && (action === 'appended' || action === 'resumed') ? { replaced: 0 } : null;
  const fitting = fitHandlers(context, name, collectionId, feed, refused, () => committed, exact);
  try {
    // Set aside by an earlier run, but not believed refused here (another address's 413): sent
    // again before the pages, not counted as the pages' records.
    if (feed.retry) await sendAgain(context, name, feed.retry(), (batch) => sendFitting(sendable(batch), size, fitting(signal)));
    await runBatches(feed.records(start), {
      concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
      signal,
      send: (batch: BackupRecord[], _index, batchSignal) => sendFitting(sendable(batch), size, fitting(batchSignal)),
      onCommitted: async (batch) => {
        committed += batch.length;
        await saveCheckpoint(committed, false, feed.resume !== undefined);
        await feed.onCommitted?.(committed, refused.size > 0 ? batch.filter((record) => !refused.has(record.id)) : batch, collection);
        progress({ type: 'batch', collection: name, done: committed, total: header.count });
      },
    });
  } catch (error) {
    if (signal?.aborted) {
      throw new MigrateError('INTERRUPTED', `Import of ${inQuotes(name)} interrupted at ${fraction(committed, header.count)} records.`, 'Run the same command again to continue from there.');
    }
    throw explain(error);
  }

  if (exact && exact.replaced > 0) progress({ type: 'phase', message: replacedWords(name, exact.replaced) });
  // Read back beside the first records (prepare.ts): long since in.
  const differences = await readBack;
  // Done once every batch is in, and the copy moves on without waiting for this save: the store
  // writes changes in the order they come, so the next collection's saves land with it or after.
  const savedDone = feed.onAllCommitted ? saveCheckpoint(committed, true) : null;
  savedDone?.catch(() => undefined); // awaited below
  await feed.onAllCommitted?.();
  // Appended, or nothing sent by this run (the same command again): the count alone cannot tell a record lost.
  const byIds = action === 'appended' || (action === 'resumed' && committed === start);
  const expectedNow = () => (feed.expected ? feed.expected() : header.count - refused.size);
  const send = (batch: BackupRecord[]) => sendFitting(sendable(batch), size, fitting(signal));
  const { count, missing } = await landedCount(context, feed, { name, collectionId, byIds, expected: expectedNow(), refused, send, call });
  // A record the mend sent again and the target refused even alone is now set aside: no longer expected.
  const expected = expectedNow();
  await savedDone;
  // Not done after all when the count finds records missing.
  if (!savedDone || missing !== 0) await saveCheckpoint(committed, missing === 0);
  progress({ type: 'collection-done', collection: name, done: count, total: header.count });
  return {
    source: header.name,
    collection: name,
    expected,
    count,
    missing,
    resumedFrom: start,
    action,
    leftOut,
    differences,
    ...(feed.chosenSpace ? { chosenSpace: feed.chosenSpace } : {}),
    ...(refused.size > 0 ? { refused: refused.size } : {}),
  };
}

/** Records an earlier run set aside that this one does not believe refused here, sent again, and said so. */
async function sendAgain(context: TargetSession, name: string, batches: AsyncIterable<BackupRecord[]>, send: (batch: BackupRecord[]) => Promise<void>): Promise<void> {
  let sent = 0;
  for await (const batch of batches) {
    await send(batch);
    sent += batch.length;
  }
  if (sent === 0) return;
  const url = context.options.target.url;
  context.progress({ type: 'warning', message: `${inQuotes(name)}: sent ${refusedCount(sent)} again that an earlier run set aside: refused by another address (a 413 there says nothing of ${url}) or for a rule this target does not have.` });
}

/**
 * How a batch goes out (sendFitting): upserted with retries, in smaller requests after a 413, and
 * a record refused alone set aside (--skip-invalid, in `refused` and the rejects file, with the
 * address that refused it) or the import stopped, named.
 */
function fitHandlers(context: TargetSession, name: string, collectionId: string, feed: RecordFeed, refused: Set<string>, committed: () => number, exact: { replaced: number } | null) {
  const { options, api, progress } = context;
  return (signal: AbortSignal | undefined): FitHandlers => {
    const call = <T>(work: () => Promise<T>) =>
      withRetry(work, {
        signal,
        onRetry: ({ attempt, of, delayMs, error }) => progress({ type: 'retry', collection: name, attempt, of, delayMs, reason: error.message }),
      });
    return {
      send: async (records) => {
        if (!exact) return call(() => api.upsert(collectionId, records, { base64: context.base64 }, { signal }));
        exact.replaced += (await upsertExactly(api, collectionId, records, { base64: context.base64, call, signal })).replaced;
      },
      onSmaller: (records) =>
        progress({ type: 'warning', message: `${inQuotes(name)}: ${options.target.url} refused a request as too large (413); sending ${records} records per request for the rest of this collection.` }),
      onRecordTooLarge: async (record, error) => {
        if (!feed.rejects) throw recordTooLarge(record, name, options.target.url, committed());
        refused.add(record.id);
        // The address that answered 413, in a field of its own: verify believes it for that address only (rejects-trust.ts).
        const refusedBy = addressOf(options.target.url);
        const why = tooLargeWhy(record, refusedBy ?? 'the target', error);
        await feed.rejects.add([{ collection: name, database: options.target.database, id: record.id, problems: [{ why }], ...(refusedBy ? { refusedBy } : {}), record }]);
        progress({ type: 'warning', message: `${inQuotes(name)}: record ${inQuotes(record.id)} is too large for ${options.target.url} even alone (413); left out, as chosen (--skip-invalid), in ${feed.rejects.path}.` });
      },
    };
  };
}

/**
 * A copy's commits are saved at most every COPY_COMMIT_SAVE_MS: its export's checkpoint, not
 * this watermark, says where a resume starts (prepare.ts only asks whether the checkpoint is
 * there), so the watermark serves `status` alone, and saving it after every batch cost a copy of
 * many small collections an fsync each. An import resumes from the watermark: saved every time.
 */
const COPY_COMMIT_SAVE_MS = 2_000;

/** Saves where the collection's writing stands (the watermark of committed records). */
function checkpointSaver(context: TargetSession, header: CollectionHeader, name: string, feed: RecordFeed) {
  let savedAt = 0;
  return async (committed: number, done: boolean, throttled = false) => {
    if (throttled && Date.now() - savedAt < COPY_COMMIT_SAVE_MS) return;
    savedAt = Date.now();
    await context.store.update((state) => ({
      ...state,
      imports: [
        ...state.imports.filter((checkpoint) => !checkpointMatches(checkpoint, context, feed, name)),
        {
          backup: feed.backup,
          fingerprint: feed.fingerprint,
          target: targetKey(context.options.target),
          collection: name,
          sourceCollection: header.name,
          batchSize: context.batchSize,
          committed,
          total: header.count,
          // A copy's mend keeps its finished checkpoint (see RecordFeed.mend).
          done: done || feed.mend === true,
          updatedAt: new Date().toISOString(),
          ...(feed.resume?.run === undefined ? {} : { exportRun: feed.resume.run }),
        },
      ],
    }));
  };
}

/** Said once the collection is in: records --again deleted and wrote again whole, and why. */
function replacedWords(name: string, replaced: number): string {
  return `${inQuotes(name)}: replaced whole: ${count(replaced)} (values the backup does not have: a document or uri the target held, which an upsert cannot clear; each deleted there and written again as the backup holds it)`;
}
