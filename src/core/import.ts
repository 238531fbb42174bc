import { inspectBackup, readRecords } from './backup/read.js';
import type { BackupRecord, BackupSummary, CollectionHeader } from './backup/types.js';
import { runBatches } from './batches.js';
import { ChromaApi, spaceOf, type CollectionInfo } from './chroma/api.js';
import type { Endpoint } from './chroma/endpoint.js';
import { explainRequestError } from './chroma/explain.js';
import { MigrateError } from './errors.js';
import { count as formatCount, fraction } from './format.js';
import { countMissingIds } from './missing-ids.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { withRetry } from './retry.js';
import type { ImportCheckpoint } from './state/schema.js';
import { fingerprintFile, StateStore } from './state/store.js';

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
  batchSize?: number;
  concurrency?: number;
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
}

export interface ImportResult {
  summary: BackupSummary;
  batchSize: number;
  collections: CollectionImportResult[];
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
  const api = new ChromaApi(options.target);
  const explain = (error: unknown) => explainRequestError(error, options.target);

  // Nothing touches the target until the whole file has validated.
  progress({ type: 'phase', message: `Checking ${options.input}` });
  const summary = await inspectBackup(options.input, { signal: options.signal });
  const headers = selectCollections(summary, options.collections, options.renameTo);

  progress({ type: 'phase', message: `Connecting to ${options.target.url}` });
  const preflight = await withRetry(() => api.preflight({ signal: options.signal }), { signal: options.signal }).catch((error) => {
    throw explain(error);
  });
  const serverMax = options.target.cloud ? Math.min(CLOUD_MAX_BATCH, preflight.max_batch_size) : preflight.max_batch_size;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH, serverMax));
  if (options.batchSize && batchSize < options.batchSize) {
    progress({ type: 'warning', message: `The server accepts at most ${serverMax} records per request; using batches of ${batchSize}.` });
  }
  const base64 = preflight.supports_base64_encoding === true;
  const store = await StateStore.open(options.statePath);
  const fingerprint = await fingerprintFile(options.input);
  const results: CollectionImportResult[] = [];

  for (const { header, name } of headers) {
    const context: CollectionContext = { options, api, store, fingerprint, batchSize, base64, progress, explain };
    results.push(await importCollection(context, header, name));
  }
  await store.update((state) => ({
    ...state,
    backupPath: options.input,
    targetUrl: options.target.url,
    steps: {
      ...state.steps,
      import: {
        status: results.every((result) => result.missing === 0) ? 'done' : 'failed',
        at: new Date().toISOString(),
        detail: results.map((result) => `${result.collection}: ${fraction(result.count, result.expected)}`).join(', '),
      },
    },
  }));
  return { summary, batchSize, collections: results };
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

interface CollectionContext {
  options: ImportOptions;
  api: ChromaApi;
  store: StateStore;
  fingerprint: string;
  batchSize: number;
  base64: boolean;
  progress: ProgressListener;
  explain: (error: unknown) => unknown;
}

function checkpointMatches(checkpoint: ImportCheckpoint, context: CollectionContext, name: string): boolean {
  return (
    checkpoint.fingerprint === context.fingerprint &&
    checkpoint.target === targetKey(context.options.target) &&
    checkpoint.collection === name
  );
}

function targetKey(target: Endpoint): string {
  return `${target.url}/${target.tenant}/${target.database}`;
}

async function importCollection(context: CollectionContext, header: CollectionHeader, name: string): Promise<CollectionImportResult> {
  const { options, api, store, progress, explain } = context;
  const signal = options.signal;
  const call = <T>(work: () => Promise<T>) =>
    withRetry(work, {
      signal,
      onRetry: ({ attempt, delayMs, error }) => progress({ type: 'retry', collection: name, attempt, delayMs, reason: error.message }),
    }).catch((error: unknown) => {
      throw explain(error);
    });

  const previous = store.current.imports.find((checkpoint) => checkpointMatches(checkpoint, context, name));
  let existing = await call(() => api.findCollection(name, { signal }));
  let action: CollectionImportResult['action'] = 'created';
  let start = 0;

  if (existing && previous && !previous.done) {
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
  if (existing) {
    checkDimension(existing, header, name);
  } else {
    existing = await call(() => api.createCollection({ name, metadata: header.metadata, space: header.space }, { signal }));
    start = 0;
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
        ...state.imports.filter((checkpoint) => !checkpointMatches(checkpoint, context, name)),
        {
          backup: options.input,
          fingerprint: context.fingerprint,
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

  await saveCheckpoint(start, false);
  progress({ type: 'phase', message: `Importing "${name}" into ${options.target.url} (batches of ${context.batchSize})` });
  progress({ type: 'collection-start', collection: name, total: header.count, done: start, resumed: action === 'resumed' });
  let committed = start;
  try {
    await runBatches(readRecords(options.input, header.name, { skip: start, batchSize: context.batchSize, signal }), {
      concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
      signal,
      send: (batch: BackupRecord[], _index, batchSignal) =>
        withRetry(() => api.upsert(collectionId, batch, { base64: context.base64 }, { signal: batchSignal }), {
          signal: batchSignal,
          onRetry: ({ attempt, delayMs, error }) => progress({ type: 'retry', collection: name, attempt, delayMs, reason: error.message }),
        }),
      onCommitted: async (batch) => {
        committed += batch.length;
        await saveCheckpoint(committed, false);
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
      : await countMissingIds(api, collectionId, readRecords(options.input, header.name, { batchSize: 300, signal }), signal).catch((error) => {
          throw explain(error);
        });
  await saveCheckpoint(committed, missing === 0);
  progress({ type: 'collection-done', collection: name, done: count, total: header.count });
  return { source: header.name, collection: name, expected: header.count, count, missing, resumedFrom: start, action };
}

async function decide(options: ImportOptions, name: string, count: number): Promise<ExistsChoice> {
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
