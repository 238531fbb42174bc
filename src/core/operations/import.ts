import { inspectBackup, readRecords } from '../backup/read.js';
import { numberTypesNote } from '../backup/summary-notes.js';
import type { BackupRecord, BackupSummary, CollectionHeader, Space } from '../model/record.js';
import { runBatches } from '../sinks/batches.js';
import { ChromaApi, spaceOf, type CollectionInfo } from '../chroma/api.js';
import { describeServer, type ServerModel } from '../chroma/capabilities.js';
import type { Endpoint } from '../chroma/endpoint.js';
import { compareWithPlan, describeDifference, type CollectionDifference } from '../collection/compare.js';
import { planCollection, spaceUnknown, type LeftOut } from '../collection/plan.js';
import { explainRequestError, retryExplained } from '../chroma/explain.js';
import { MigrateError } from '../util/errors.js';
import { count as formatCount, fraction } from '../util/format.js';
import { importSucceeded } from '../../present/import-summary.js';
import { countMissingIds } from '../sinks/missing-ids.js';
import { ignoreProgress, type ProgressListener } from '../util/progress.js';
import { withRetry } from '../util/retry.js';
import { checkValuesFit, targetHolds, withoutSparse } from '../sinks/target-fit.js';
import type { ImportCheckpoint } from '../state/schema.js';
import { fingerprintFile, StateStore } from '../state/store.js';

export type ExistsChoice = 'recreate' | 'append' | 'abort';
export type IfExists = ExistsChoice | 'ask';

export interface ImportOptions {
  input: string;
  target: Endpoint;
  /** Names in the backup to import; all when empty. */
  collections?: string[];
  /** Import the (single) selected collection under another name. */
  renameTo?: string;
  ifExists: IfExists;
  /** Asked when ifExists is 'ask' and the collection already holds records. */
  decideExists?: (info: { collection: string; count: number }) => Promise<ExistsChoice>;
  /** The distance space for collections whose backup does not record one (--space). */
  space?: Space;
  /** Asked when a collection's space is unknown, --space is absent and it must be created. */
  decideSpace?: (info: { collection: string; source: string }) => Promise<Space>;
  batchSize?: number;
  concurrency?: number;
  /** Leave out metadata keys holding sparse vectors, which a single node cannot store. */
  dropSparse?: boolean;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface CollectionImportResult {
  source: string;
  collection: string;
  expected: number;
  count: number;
  missing: number;
  resumedFrom: number;
  action: 'created' | 'recreated' | 'appended' | 'resumed';
  /** What the backup recorded about the collection that this target cannot hold, by name. */
  leftOut: LeftOut[];
  /** Where the created collection, read back, differs from what was asked for. */
  differences: CollectionDifference[];
  /** Set when the backup did not record the space and it was chosen (--space or the question). */
  chosenSpace?: Space;
}

export interface ImportResult {
  summary: BackupSummary;
  batchSize: number;
  collections: CollectionImportResult[];
  /** What the user should know about what was carried (values left out by choice, a format-1 backup). */
  notes: string[];
}

/**
 * Measured on a single-node Chroma 1.x (npm run bench, 2 cores): ingest is bound by the server's
 * CPU, about 1 ms per 384-d record, plus a fixed cost per request. Batches of 1,000 beat batches
 * of 100 by ~1.5x, and small batches in parallel make it worse, not better (the server
 * serialises concurrent writes to a collection and backs off: 100 x 3 ran at ~250 records/s
 * against ~800 for 100 x 1). Two large batches in flight keep the server busy while the next
 * request is read, encoded and sent. Never above the server's pre-flight maximum.
 */
export const DEFAULT_BATCH = 1000;
export const DEFAULT_CONCURRENCY = 2;
/** Chroma Cloud's real write quota; its pre-flight answer (1,000) is not to be trusted. */
const CLOUD_MAX_BATCH = 300;

export async function importBackup(options: ImportOptions): Promise<ImportResult> {
  const progress = options.onProgress ?? ignoreProgress;

  // Nothing touches the target until the whole file has validated.
  progress({ type: 'phase', message: `Checking ${options.input}` });
  const summary = await inspectBackup(options.input, { signal: options.signal });
  const headers = selectCollections(summary, options.collections, options.renameTo);
  const notes: string[] = [];
  const note = numberTypesNote(summary);
  if (note) notes.push(note);

  const target = await openTarget(options);
  // Still before anything is written: every value must fit the target, or be left out by choice.
  const { server } = target;
  const holds = targetHolds(server, options.target.cloud);
  notes.push(...checkValuesFit(headers.map(({ header }) => header), holds, { dropSparse: options.dropSparse === true }));
  for (const message of notes) target.progress({ type: 'warning', message });
  const spaces = await chooseSpaces(headers, target.api, options);
  const fingerprint = await fingerprintFile(options.input);
  const results: CollectionImportResult[] = [];

  for (const { header, name } of headers) {
    const feed: RecordFeed = {
      backup: options.input,
      fingerprint,
      records: (skip) => readRecords(options.input, header.name, { skip, batchSize: target.batchSize, signal: options.signal }),
      again: () => readRecords(options.input, header.name, { batchSize: 300, signal: options.signal }),
      chosenSpace: spaces.get(name),
    };
    results.push(await importCollection(target, header, name, feed));
  }
  await recordImportStep(target.store, options.input, options.target, results);
  return { summary, batchSize: target.batchSize, collections: results, notes };
}

/** What importing into one target needs, whatever the records come from (a file, or a live export). */
export interface TargetSession {
  options: Pick<ImportOptions, 'target' | 'ifExists' | 'decideExists' | 'concurrency' | 'signal' | 'dropSparse'>;
  api: ChromaApi;
  /** What the target can hold (schema, lists) and the fields it knows. */
  server: ServerModel;
  store: StateStore;
  batchSize: number;
  base64: boolean;
  progress: ProgressListener;
  explain: (error: unknown) => unknown;
}

/** Asks the target for its limits and settles the batch size; sends nothing else. */
export async function openTarget(
  options: Pick<ImportOptions, 'target' | 'ifExists' | 'decideExists' | 'concurrency' | 'signal' | 'batchSize' | 'statePath' | 'onProgress' | 'dropSparse'>,
): Promise<TargetSession> {
  const progress = options.onProgress ?? ignoreProgress;
  const api = new ChromaApi(options.target);
  const explain = (error: unknown) => explainRequestError(error, options.target);
  progress({ type: 'phase', message: `Connecting to ${options.target.url}` });
  const preflight = await retryExplained(options.target, () => api.preflight({ signal: options.signal }), { signal: options.signal });
  const serverMax = options.target.cloud ? Math.min(CLOUD_MAX_BATCH, preflight.max_batch_size) : preflight.max_batch_size;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH, serverMax));
  if (options.batchSize && batchSize < options.batchSize) {
    progress({ type: 'warning', message: `The server accepts at most ${serverMax} records per request; using batches of ${batchSize}.` });
  }
  const base64 = preflight.supports_base64_encoding === true;
  const store = await StateStore.open(options.statePath);
  const server = await describeServer(api, { signal: options.signal });
  return { options, api, server, store, batchSize, base64, progress, explain };
}

export async function recordImportStep(store: StateStore, backup: string, target: Endpoint, results: CollectionImportResult[]): Promise<void> {
  await store.update((state) => ({
    ...state,
    backupPath: backup,
    targetUrl: target.url,
    steps: {
      ...state.steps,
      import: {
        status: results.every(importSucceeded) ? 'done' : 'failed',
        at: new Date().toISOString(),
        detail: results.map((result) => `${result.collection}: ${fraction(result.count, result.expected)}`).join(', '),
      },
    },
  }));
}

/**
 * Where one collection's records come from. `records(skip)` yields them in order from record
 * `skip`; `again()` yields them once more for the missing-id check (absent: not possible yet,
 * e.g. a copy whose file is still being written — its verify step compares every record).
 */
export interface RecordFeed {
  /** The backup the checkpoint is keyed by, and its fingerprint. */
  backup: string;
  fingerprint: string;
  records: (skip: number) => AsyncIterable<BackupRecord[]>;
  again?: () => AsyncIterable<BackupRecord[]>;
  /**
   * Set by a copy, whose export decides where a resume starts: `resumed` says the export is
   * continuing this collection (so an existing collection is ours, not the user's), and `start`
   * is the record the export continues from.
   */
  resume?: { resumed: boolean; start: number };
  /**
   * Told the commit watermark and the batch after each committed batch (a copy reads it back to
   * verify it). The next commit waits for what it returns.
   */
  onCommitted?: (committed: number, batch: BackupRecord[]) => void | Promise<void>;
  /** The space the user named for a collection whose backup does not record one. */
  chosenSpace?: Space;
}

function selectCollections(summary: BackupSummary, wanted: string[] | undefined, renameTo: string | undefined) {
  const available = summary.collections.map((header) => header.name);
  const chosen = wanted && wanted.length > 0 ? wanted : available;
  const missing = chosen.filter((name) => !available.includes(name));
  if (missing.length > 0) {
    throw new MigrateError('BAD_INPUT', `The backup has no collection named ${missing.map((name) => `"${name}"`).join(', ')}.`, `It holds: ${available.join(', ') || '(none)'}.`);
  }
  if (renameTo && chosen.length !== 1) {
    throw new MigrateError('BAD_INPUT', '--as renames one collection, but several are selected.', 'Pick one with --collection NAME.');
  }
  const selected = chosen.map((name) => ({
    header: summary.collections.find((header) => header.name === name) as CollectionHeader,
    name: renameTo ?? name,
  }));
  // Before anything touches the target: a Chroma server takes no record without a vector, and
  // the import sends the stored vectors, it computes none.
  for (const { header } of selected) {
    if (header.withoutEmbedding) {
      throw new MigrateError(
        'BAD_BACKUP',
        `Collection "${header.name}" in the backup has ${fraction(header.withoutEmbedding, header.count)} records without an embedding; a Chroma server stores no record without one. Nothing was sent.`,
        (wanted && wanted.length > 0) || available.length === 1
          ? 'Export it again with embeddings included (the guide\'s Python export must ask for include=["embeddings", "documents", "metadatas"]).'
          : 'Export it again with embeddings included, or leave it out: pick the other collections with --collection.',
      );
    }
  }
  return selected;
}

/**
 * A backup that does not record the distance space (the guide's column-wise JSON without
 * collection metadata) gets the one the user names — asked before anything is written, and
 * only for collections that will be created. Never a quiet l2.
 */
async function chooseSpaces(
  headers: Array<{ header: CollectionHeader; name: string }>,
  api: ChromaApi,
  options: ImportOptions,
): Promise<Map<string, Space>> {
  const chosen = new Map<string, Space>();
  for (const { header, name } of headers) {
    if (!spaceUnknown(header)) continue;
    if (options.space) {
      options.onProgress?.({ type: 'warning', message: `The backup does not record the distance space of "${header.name}"; using ${options.space} (--space).` });
      chosen.set(name, options.space);
      continue;
    }
    const existing = await retryExplained(options.target, () => api.findCollection(name, { signal: options.signal }), { signal: options.signal });
    if (existing && options.ifExists !== 'recreate') continue;
    if (!options.decideSpace) {
      throw new MigrateError(
        'NEEDS_ANSWER',
        `The backup does not record which distance space collection "${header.name}" used (l2, cosine or ip). Nothing was written.`,
        'Say which with --space l2|cosine|ip — the one the source collection had (Chroma\'s default is l2; OpenAI-style embeddings are usually searched with cosine).',
      );
    }
    chosen.set(name, await options.decideSpace({ collection: name, source: header.name }));
  }
  return chosen;
}

function checkpointMatches(checkpoint: ImportCheckpoint, session: TargetSession, feed: RecordFeed, name: string): boolean {
  return checkpoint.fingerprint === feed.fingerprint && checkpoint.target === targetKey(session.options.target) && checkpoint.collection === name;
}

export function targetKey(target: Endpoint): string {
  return `${target.url}/${target.tenant}/${target.database}`;
}

export async function importCollection(context: TargetSession, header: CollectionHeader, name: string, feed: RecordFeed): Promise<CollectionImportResult> {
  const { options, api, store, progress, explain } = context;
  const signal = options.signal;
  const call = <T>(work: () => Promise<T>) =>
    retryExplained(options.target, work, {
      signal,
      onRetry: ({ attempt, delayMs, error }) => progress({ type: 'retry', collection: name, attempt, delayMs, reason: error.message }),
    });

  const found = store.current.imports.find((checkpoint) => checkpointMatches(checkpoint, context, feed, name));
  // A copy's export decides where it resumes; a checkpoint of ours counts only when it continues.
  const previous = feed.resume && !feed.resume.resumed ? undefined : found;
  let existing = await call(() => api.findCollection(name, { signal }));
  let action: CollectionImportResult['action'] = 'created';
  let start = 0;

  if (feed.resume && previous && (existing || feed.resume.start === 0)) {
    // The copy that stopped had made this collection: what is there is ours.
    action = existing ? 'resumed' : 'created';
    start = feed.resume.start;
  } else if (feed.resume && feed.resume.start > 0) {
    throw new MigrateError(
      'BAD_STATE',
      `The copy being resumed had sent ${formatCount(feed.resume.start)} records to "${name}" on ${options.target.url}, but ${existing ? 'its checkpoint is gone' : 'the collection is gone'}.`,
      'Start the copy afresh: delete the partial backup (the --out file with .partial added), or pick another --out.',
    );
  } else if (existing && previous && !previous.done) {
    action = 'resumed';
    start = previous.committed;
  } else if (existing && previous?.done && options.ifExists !== 'recreate' && (await call(() => api.count(existing!.id, { signal }))) === header.count) {
    // This backup already finished here (the same command again, e.g. after a crash between
    // the last checkpoint and the exit): nothing to send, and not a reason to stop. The count
    // check below still runs.
    action = 'resumed';
    start = previous.committed;
  } else if (existing) {
    const count = await call(() => api.count(existing!.id, { signal }));
    const choice = count === 0 ? 'append' : await decide(options, name, count);
    if (choice === 'abort') {
      throw new MigrateError('EXISTS', `Collection "${name}" already exists on ${options.target.url} with ${formatCount(count)} records; nothing was changed.`, 'Run again with --if-exists append (upsert by id) or --if-exists recreate (delete it first).');
    }
    if (choice === 'recreate') {
      progress({ type: 'phase', message: `Deleting collection "${name}" (${formatCount(count)} records), as chosen` });
      await call(() => api.deleteCollection(name, { signal }));
      existing = null;
      action = 'recreated';
    } else {
      action = 'appended';
    }
  }
  let leftOut: LeftOut[] = [];
  let differences: CollectionDifference[] = [];
  if (existing) {
    checkDimension(existing, header, name);
  } else {
    const plan = planCollection(header, context.server, { space: feed.chosenSpace, cloud: options.target.cloud });
    leftOut = plan.leftOut;
    for (const item of leftOut) progress({ type: 'warning', message: `"${name}": left out ${item.field} — ${item.why}.` });
    await call(() => api.createCollection({ name, ...plan.request }, { signal }));
    // Read it back: a server may quietly hold less than it was sent.
    existing = await call(() => api.findCollection(name, { signal }));
    if (!existing) throw new MigrateError('SERVER', `Collection "${name}" was created on ${options.target.url} but cannot be read back.`, 'Check the server\'s logs, then run the same command again.');
    differences = compareWithPlan(plan, existing);
    for (const difference of differences) progress({ type: 'warning', message: `"${name}" was not created as asked: ${describeDifference(difference)}.` });
    if (!feed.resume) start = 0;
  }
  const collection = existing;
  const collectionId = collection.id;
  if (header.space && spaceOf(collection) && spaceOf(collection) !== header.space) {
    progress({ type: 'warning', message: `"${name}" on the target uses distance "${spaceOf(collection)}", the backup "${header.space}"; searches will rank differently.` });
  }

  const saveCheckpoint = (committed: number, done: boolean) =>
    store.update((state) => ({
      ...state,
      imports: [
        ...state.imports.filter((checkpoint) => !checkpointMatches(checkpoint, context, feed, name)),
        {
          backup: feed.backup,
          fingerprint: feed.fingerprint,
          target: targetKey(options.target),
          collection: name,
          sourceCollection: header.name,
          batchSize: context.batchSize,
          committed,
          total: header.count,
          done,
          updatedAt: new Date().toISOString(),
        },
      ],
    }));

  // A single node cannot store sparse vectors: they travel only when the user chose to leave them out (checkValuesFit).
  const sparseLeftOut = options.dropSparse === true && !options.target.cloud;
  const sendable = (batch: BackupRecord[]) => (sparseLeftOut ? batch.map((record) => ({ ...record, metadata: withoutSparse(record.metadata) })) : batch);

  await saveCheckpoint(start, false);
  progress({ type: 'phase', message: `Importing "${name}" into ${options.target.url} (batches of ${context.batchSize})` });
  progress({ type: 'collection-start', collection: name, total: header.count, done: start, resumed: action === 'resumed' });
  let committed = start;
  try {
    await runBatches(feed.records(start), {
      concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
      signal,
      send: (batch: BackupRecord[], _index, batchSignal) =>
        withRetry(() => api.upsert(collectionId, sendable(batch), { base64: context.base64 }, { signal: batchSignal }), {
          signal: batchSignal,
          onRetry: ({ attempt, delayMs, error }) => progress({ type: 'retry', collection: name, attempt, delayMs, reason: error.message }),
        }),
      onCommitted: async (batch) => {
        committed += batch.length;
        await saveCheckpoint(committed, false);
        await feed.onCommitted?.(committed, batch);
        progress({ type: 'batch', collection: name, done: committed, total: header.count });
      },
    });
  } catch (error) {
    if (signal?.aborted) {
      throw new MigrateError('INTERRUPTED', `Import of "${name}" interrupted at ${fraction(committed, header.count)} records.`, 'Run the same command again to continue from there.');
    }
    throw explain(error);
  }

  const count = await call(() => api.count(collectionId, { signal }));
  // A fresh collection must hold exactly the backup; after an append, look for each id instead.
  const missing =
    action !== 'appended' && count === header.count
      ? 0
      : feed.again
        ? await countMissingIds(api, collectionId, feed.again(), signal).catch((error) => {
            throw explain(error);
          })
        : Math.max(0, header.count - count);
  await saveCheckpoint(committed, missing === 0);
  progress({ type: 'collection-done', collection: name, done: count, total: header.count });
  return {
    source: header.name,
    collection: name,
    expected: header.count,
    count,
    missing,
    resumedFrom: start,
    action,
    leftOut,
    differences,
    ...(feed.chosenSpace ? { chosenSpace: feed.chosenSpace } : {}),
  };
}

async function decide(options: TargetSession['options'], name: string, count: number): Promise<ExistsChoice> {
  if (options.ifExists !== 'ask') return options.ifExists;
  if (!options.decideExists) {
    throw new MigrateError('NEEDS_ANSWER', `Collection "${name}" already exists with ${formatCount(count)} records.`, 'Say what to do with --if-exists recreate|append|abort (there is no terminal to ask in).');
  }
  return options.decideExists({ collection: name, count });
}

function checkDimension(existing: CollectionInfo, header: CollectionHeader, name: string): void {
  if (existing.dimension && header.dimension && existing.dimension !== header.dimension) {
    throw new MigrateError(
      'BAD_INPUT',
      `Collection "${name}" on the target holds ${existing.dimension}-dimensional embeddings; the backup's are ${header.dimension}-dimensional.`,
      'These cannot live in one collection: use --if-exists recreate, or import under another name with --as NAME.',
    );
  }
}
