/**
 * reembed = a collection on the target → its documents through an embeddings endpoint → a new
 * collection beside it (the target writer's prepare: create, resume, exists), checkpointed after
 * each committed batch like import, the ids of both compared (what the pages missed sent by id,
 * embeddings/reembed-mend), then proved (embeddings/reembed-verify). The source collection is
 * only ever read.
 */
import type { CollectionInfo } from '../chroma/api.js';
import { retryExplained } from '../chroma/explain.js';
import { factsOf } from '../collection/compare.js';
import { sameJson } from '../collection/shape.js';
import type { LeftOut } from '../collection/plan.js';
import type { CollectionDifference } from '../collection/compare.js';
import { probeEndpoint, waitingWords } from '../embeddings/client.js';
import { embeddingFunctionFor, type EmbeddingFunctionJson } from '../embeddings/ef-config.js';
import type { EmbeddingEndpoint } from '../embeddings/endpoint.js';
import { instructionsOf } from '../embeddings/instructions.js';
import { reembedFingerprint, reembedHeader } from '../embeddings/reembed-header.js';
import { reembedPage, Slots, sourcePages, type Embedder, type SourcePage } from '../embeddings/reembed-records.js';
import { verifyReembed, type ReembedVerdict } from '../embeddings/reembed-verify.js';
import { mendByIds, type ReembedMend } from '../embeddings/reembed-mend.js';
import { runBatches } from '../sinks/batches.js';
import { checkpointMatches, prepareCollection, type PreparedCollection } from '../sinks/target/prepare.js';
import { openTarget, targetKey, type RecordFeed, type TargetOptions, type TargetSession } from '../sinks/target/session.js';
import { MigrateError } from '../util/errors.js';
import { fraction, inQuotes, shown } from '../util/format.js';
import { withRetry } from '../util/retry.js';

export interface ReembedOptions extends TargetOptions {
  collection: string;
  /** The new collection's name. */
  as: string;
  endpoint: EmbeddingEndpoint;
  /** Prepended to each document (Qwen3's format); by default what the collection's EF applied. */
  documentInstruction?: string;
  /** Keep records without a document, with their old vector (same dimension only). */
  keepUndocumented: boolean;
  /** Texts per embedding request (default 32) and embedding requests in flight (default 4). */
  embedBatch?: number;
  embedConcurrency?: number;
  /** Documents embedded again to prove the new vectors (default 20). */
  sample?: number;
}

export interface ReembedResult {
  source: string;
  collection: string;
  action: 'created' | 'recreated' | 'appended' | 'resumed';
  resumedFrom: number;
  ef: EmbeddingFunctionJson;
  dimension: { before: number | null; after: number };
  /** The instruction the app must put before each query (Qwen3's format), '' when none. */
  queryInstruction: string;
  leftOut: LeftOut[];
  differences: CollectionDifference[];
  verdict: ReembedVerdict;
  /** The original holds as many records, with the same configuration, as when this run began. */
  originalUnchanged: boolean;
  /**
   * The original's count when this re-embed began: the previous run's, when this one continues
   * it (its count now otherwise). Another count now: the original changed since.
   */
  countBefore: number;
  /** What the ids showed once the pages were sent: what was sent by id, what the original no longer has. */
  mend: ReembedMend;
}

/** Records per write: a few embedding requests each, small enough to checkpoint often. */
const DEFAULT_REEMBED_BATCH = 256;
/** TEI's default client batch limit; Ollama and vLLM take more. */
const DEFAULT_EMBED_BATCH = 32;
const DEFAULT_EMBED_CONCURRENCY = 4;
const WRITES_IN_FLIGHT = 2;

export async function reembedCollection(options: ReembedOptions): Promise<ReembedResult> {
  if (options.as === options.collection) {
    throw new MigrateError('BAD_INPUT', `--as must name a new collection, not ${inQuotes(options.collection)} itself: the original is never changed.`, `Pick another name, e.g. --as ${shown(`${options.collection}_v2`)}.`);
  }
  const session = await openTarget({ ...options, batchSize: options.batchSize ?? DEFAULT_REEMBED_BATCH });
  const call = <T>(work: () => Promise<T>) => retryExplained(options.target, work, { signal: options.signal });
  const info = await call(() => session.api.findCollection(options.collection, { signal: options.signal }));
  if (!info) throw new MigrateError('NOT_FOUND', `The target has no collection named ${inQuotes(options.collection)}.`, 'Check --collections; chroma-migrate embeddings check --all lists what is there.');
  const count = await call(() => session.api.count(info.id, { signal: options.signal }));
  const instructions = instructionsOf(factsOf(info).embeddingFunction);
  const embedder: Embedder = {
    endpoint: options.endpoint,
    instruction: options.documentInstruction ?? instructions.documents,
    chunk: options.embedBatch ?? DEFAULT_EMBED_BATCH,
    slots: new Slots(options.embedConcurrency ?? DEFAULT_EMBED_CONCURRENCY),
    signal: options.signal,
    onRetry: ({ attempt, of, delayMs, error }) => session.progress({ type: 'retry', collection: options.as, attempt, of, delayMs, reason: error.message }),
    onWait: waitingWords(options.endpoint, session.progress),
  };
  // Before anything is written: the endpoint answers, and says the new dimension.
  session.progress({ type: 'phase', message: `Asking ${options.endpoint.postUrl} for one embedding first (model ${options.endpoint.model})` });
  const dimension = await probeEndpoint(options.endpoint, { signal: options.signal, onRetry: embedder.onRetry, onWait: embedder.onWait });
  if (options.keepUndocumented && info.dimension && info.dimension !== dimension) {
    throw new MigrateError(
      'CANNOT_HOLD',
      `--keep-undocumented keeps old ${info.dimension}-d vectors, but the endpoint's are ${dimension}-d: one collection cannot hold both. Nothing was written.`,
      'Leave --keep-undocumented out (records without a document are then named and left out), or use an endpoint of the same dimension.',
    );
  }
  const ef = embeddingFunctionFor(options.endpoint);
  const header = reembedHeader(info, count, ef, dimension);
  const feed: RecordFeed = { backup: `reembed:${info.name}`, fingerprint: reembedFingerprint(info, options.endpoint, embedder.instruction, options.keepUndocumented), records: emptyRecords, origin: "the endpoint's" };
  const countBefore = (await reopenFinished(session, feed, options.as, options.ifExists)) ?? count;
  const prepared = await prepareCollection(session, header, options.as, feed);
  session.progress({ type: 'phase', message: `Re-embedding ${inQuotes(info.name)} into ${inQuotes(options.as)} through ${options.endpoint.postUrl} (${options.endpoint.model})` });
  await writeAll(session, info, count, prepared, feed, embedder, options);
  const mend = await mendNewCollection(session, info, prepared, embedder, options);
  // Written: run again, it continues from here (reopenFinished), and --if-exists recreate starts it over.
  await saveCheckpoint(session, feed, info, options.as, count, count, true);
  session.progress({ type: 'phase', message: `Verifying ${inQuotes(options.as)} against ${inQuotes(info.name)}` });
  const verdict = await verifyReembed(session.api, { id: info.id, count }, { id: prepared.collection.id, space: header.space }, { embedder, keepUndocumented: options.keepUndocumented, sample: options.sample ?? 20, call, signal: options.signal });
  // Read, never written: the proof that the original's count and settings are what they were.
  const after = await call(() => session.api.findCollection(info.name, { signal: options.signal }));
  const originalUnchanged = after !== null && (await call(() => session.api.count(after.id, { signal: options.signal }))) === count && sameJson(after.configuration_json, info.configuration_json);
  return {
    originalUnchanged,
    countBefore,
    mend,
    source: info.name,
    collection: options.as,
    action: prepared.action,
    resumedFrom: prepared.start,
    ef,
    dimension: { before: info.dimension ?? null, after: dimension },
    queryInstruction: instructions.query,
    leftOut: prepared.leftOut,
    differences: await prepared.differences,
    verdict,
  };
}

async function* emptyRecords() {}

/**
 * A re-embed that finished writing, run again, continues: nothing left to write, the ids compared
 * again (what the original gained since is sent) and the proof again. It is not redone by
 * appending every record. --if-exists recreate starts it over (the collection deleted first). The
 * previous run's count of the original, when there was one.
 */
async function reopenFinished(session: TargetSession, feed: RecordFeed, name: string, ifExists: ReembedOptions['ifExists']): Promise<number | undefined> {
  const previous = session.store.current.imports.find((checkpoint) => checkpointMatches(checkpoint, session, feed, name));
  if (previous?.done && ifExists !== 'recreate') {
    await session.store.update((state) => ({ ...state, imports: state.imports.map((checkpoint) => (checkpointMatches(checkpoint, session, feed, name) ? { ...checkpoint, done: false } : checkpoint)) }));
  }
  return previous?.total;
}

/** The ids of both once the pages are sent (embeddings/reembed-mend.ts): what the pages missed, sent by id. */
async function mendNewCollection(session: TargetSession, info: CollectionInfo, prepared: PreparedCollection, embedder: Embedder, options: ReembedOptions): Promise<ReembedMend> {
  session.progress({ type: 'phase', message: `Comparing the ids of ${inQuotes(info.name)} and ${inQuotes(options.as)}` });
  const mend = await mendByIds(session.api, { original: info.id, created: prepared.collection.id }, {
    call: prepared.call,
    signal: options.signal,
    embedder,
    keepUndocumented: options.keepUndocumented,
    batchSize: session.batchSize,
    base64: session.base64,
    onSent: (sent) => session.progress({ type: 'phase', message: `${inQuotes(options.as)} lacked records of ${inQuotes(info.name)}: ${sent} sent` }),
  });
  return mend;
}

async function writeAll(
  session: TargetSession,
  info: CollectionInfo,
  count: number,
  prepared: Awaited<ReturnType<typeof prepareCollection>>,
  feed: RecordFeed,
  embedder: Embedder,
  options: ReembedOptions,
): Promise<void> {
  const { api, progress } = session;
  const signal = options.signal;
  let committed = prepared.start;
  await saveCheckpoint(session, feed, info, options.as, count, committed, false);
  progress({ type: 'collection-start', collection: options.as, total: count, done: committed, resumed: prepared.action === 'resumed' });
  const pages = sourcePages(api, { id: info.id, count }, { start: committed, pageSize: session.batchSize, withEmbeddings: options.keepUndocumented, signal, call: prepared.call });
  try {
    await runBatches<SourcePage>(pages, {
      concurrency: WRITES_IN_FLIGHT,
      signal,
      send: async (page, _index, batchSignal) => {
        const { records } = await reembedPage({ ...embedder, signal: batchSignal }, page.records, options.keepUndocumented);
        if (records.length === 0) return;
        await withRetry(() => api.upsert(prepared.collection.id, records, { base64: session.base64 }, { signal: batchSignal }), {
          signal: batchSignal,
          onRetry: ({ attempt, of, delayMs, error }) => progress({ type: 'retry', collection: options.as, attempt, of, delayMs, reason: error.message }),
        });
      },
      onCommitted: async (page) => {
        committed = page.offset + page.records.length;
        await saveCheckpoint(session, feed, info, options.as, count, committed, false);
        progress({ type: 'batch', collection: options.as, done: committed, total: count });
      },
    });
  } catch (error) {
    if (signal?.aborted) {
      throw new MigrateError('INTERRUPTED', `Re-embedding ${inQuotes(info.name)} into ${inQuotes(options.as)} interrupted at ${fraction(committed, count)} records.`, 'Run the same command again to continue from there.');
    }
    throw session.explain(error);
  }
  progress({ type: 'collection-done', collection: options.as, done: committed, total: count });
}

/** The same checkpoint import keeps: `committed` counts source records, whether sent or left out. */
function saveCheckpoint(session: TargetSession, feed: RecordFeed, info: CollectionInfo, name: string, total: number, committed: number, done: boolean): Promise<unknown> {
  return session.store.update((state) => ({
    ...state,
    imports: [
      ...state.imports.filter((checkpoint) => !checkpointMatches(checkpoint, session, feed, name)),
      {
        backup: feed.backup,
        fingerprint: feed.fingerprint,
        target: targetKey(session.options.target),
        collection: name,
        sourceCollection: info.name,
        batchSize: session.batchSize,
        committed,
        total,
        done,
        updatedAt: new Date().toISOString(),
      },
    ],
  }));
}
