import { ChromaApi, type CollectionInfo } from '../../chroma/api.js';
import { describeServer, type ServerModel } from '../../chroma/capabilities.js';
import type { Endpoint } from '../../chroma/endpoint.js';
import type { CollectionDifference } from '../../collection/compare.js';
import type { LeftOut } from '../../collection/plan.js';
import { explainRequestError, retryExplained } from '../../chroma/explain.js';
import type { BackupRecord, Space } from '../../model/record.js';
import { ignoreProgress, type ProgressListener } from '../../util/progress.js';
import { StateStore } from '../../state/store.js';
import type { IfExists, ExistsChoice } from './choices.js';
import { fraction, inQuotes } from '../../util/format.js';
import type { RejectsLog } from './rejects.js';
import { ensureTargetPlace, refuseUnnamable } from './place.js';

/**
 * A target collection that already holds records, as asked about. `inBackup` is set when the
 * target is where the backup was taken: the records the backup holds of it, against `count` now.
 */
interface ExistingInfo {
  collection: string;
  count: number;
  database?: string;
  inBackup?: number;
}

/** The target writer: one session per target, then one collection at a time (write.ts). */
/** How to write into the target, whatever the records come from. */
export interface TargetOptions {
  target: Endpoint;
  ifExists: IfExists;
  /**
   * Asked when ifExists is 'ask' and the collection already holds records. `database` is set when
   * the backup holds several databases: the target database the collection is in, so an answer
   * (above all a delete) acts there and not in the endpoint's default.
   */
  decideExists?: (info: ExistingInfo) => Promise<ExistsChoice>;
  /**
   * Do the import again: a finished import of the same backup into the same collection does not
   * count as done; the existing collection is asked about (append or recreate) as any other.
   */
  again?: boolean;
  batchSize?: number;
  concurrency?: number;
  /** Leave out metadata keys holding sparse vectors, which a single node cannot store. */
  dropSparse?: boolean;
  /** A plan (--dry-run): a target tenant or database that does not exist is left as it is, not created. */
  planOnly?: boolean;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface CollectionImportResult {
  source: string;
  /** The target database, when the backup held several. */
  database?: string;
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
  /** Records the target refuses, left out by --skip-invalid (in the rejects file). */
  refused?: number;
  /**
   * A copy: records sent, then deleted at the source before it ended, and so deleted from the
   * target too (`count` is taken after that). Not part of `expected`.
   */
  deletedAtSource?: number;
}

/**
 * Measured on a single-node Chroma 1.x (npm run bench, 2 cores): ingest is bound by the server's
 * CPU, about 1 ms per 384-d record, plus a fixed cost per request. Batches of 1,000 beat batches
 * of 100 by ~1.5x, and small batches in parallel make it worse, not better (the server
 * serialises concurrent writes to a collection and backs off: 100 x 3 ran at ~250 records/s
 * against ~800 for 100 x 1). Two large batches in flight keep the server busy while the next
 * request is read, encoded and sent. Never above the server's pre-flight maximum.
 */
const DEFAULT_BATCH = 1000;
export const DEFAULT_CONCURRENCY = 2;
/** Chroma Cloud's real write quota; its pre-flight answer (1,000) is not to be trusted. */
const CLOUD_MAX_BATCH = 300;

/** What importing into one target needs, whatever the records come from (a file, or a live export). */
export interface TargetSession {
  options: TargetOptions;
  api: ChromaApi;
  /** What the target can hold (schema, lists) and the fields it knows. */
  server: ServerModel;
  store: StateStore;
  batchSize: number;
  base64: boolean;
  progress: ProgressListener;
  explain: (error: unknown) => unknown;
  /** Steps 5 and 6 set back to in progress, once, as this run began to change the target. */
  reopened?: Promise<void>;
}

/** Asks the target for its limits and settles the batch size; sends nothing else. */
export async function openTarget(
  options: TargetOptions,
): Promise<TargetSession> {
  const progress = options.onProgress ?? ignoreProgress;
  const api = new ChromaApi(options.target);
  const explain = (error: unknown) => explainRequestError(error, options.target);
  progress({ type: 'phase', message: `Connecting to ${options.target.url}` });
  // The server's routes are read beside its pre-flight answer, a round trip less before the
  // first record; the pre-flight's failure (the one explained) still comes first.
  const unreachable = new AbortController();
  const describing = describeServer(api, { signal: options.signal ? AbortSignal.any([options.signal, unreachable.signal]) : unreachable.signal });
  describing.catch(() => undefined); // awaited below
  const preflight = await retryExplained(options.target, () => api.preflight({ signal: options.signal }), { signal: options.signal }).catch((error: unknown) => {
    unreachable.abort(error);
    throw error;
  });
  const serverMax = options.target.cloud ? Math.min(CLOUD_MAX_BATCH, preflight.max_batch_size) : preflight.max_batch_size;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH, serverMax));
  if (options.batchSize && batchSize < options.batchSize) {
    progress({ type: 'warning', message: `The server accepts at most ${serverMax} records per request; using batches of ${batchSize}.` });
  }
  const base64 = preflight.supports_base64_encoding === true;
  refuseUnnamable(options.target);
  if (!options.planOnly) await ensureTargetPlace(options.target, progress, options.signal);
  const store = await StateStore.open(options.statePath);
  const server = await describing;
  return { options, api, server, store, batchSize, base64, progress, explain };
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
   * is the record the export continues from. `run` names the export (over its resumes): a
   * collection it sent records to before its checkpoint named it is its own too.
   */
  resume?: { resumed: boolean; start: number; run?: string };
  /** Whose embeddings the records carry, as a message names them: "the backup's" unless said ("the endpoint's"). */
  origin?: string;
  /**
   * Set by a copy: the id of the collection its records are read from. A target collection with
   * this id is the source itself (the same server under another address, or --as its own name):
   * nothing may be deleted from or written to it.
   */
  sourceCollectionId?: string;
  /**
   * Set by an import whose backup was taken from this very collection (its header's server,
   * tenant and database): deleting it to recreate it loses what was added since, so it is said.
   */
  takenHere?: boolean;
  /**
   * Told the commit watermark, the batch and the collection it went into after each committed
   * batch (a copy reads it back to verify it). The next commit waits for what it returns.
   */
  onCommitted?: (committed: number, batch: BackupRecord[], collection: CollectionInfo) => void | Promise<void>;
  /**
   * Set by a copy that reads every record back as it lands and counts the collection again at
   * the end (live.ts): called once every batch is committed, before the import's own count, so
   * that the copy's next collection need not wait a round trip for it. The collection is saved
   * done then (every batch committed), and not done again if the count then finds records missing.
   * The count waits for what it returns (the copy's last reads back): a single node serves the
   * first reads after a write dearly when they come together (a read back of 200 records and a
   * count side by side cost it 137 ms of CPU, one after the other 32 ms).
   */
  onAllCommitted?: () => void | Promise<void>;
  /**
   * Set by a copy: the records the collection should hold once every batch is in. Its export's
   * end check brings the file to what the source holds at the end (records the pages missed are
   * added, ones the source deleted dropped), so the count the source gave as the copy began is
   * not it. Known once the last page is in, before the last batch commits.
   */
  expected?: () => number;
  /**
   * Set by a copy run again once its export and every import had finished (mend.ts): the
   * collection is the copy's own whatever the target holds of it now. Found, nothing is sent from
   * the start and what it lacks of the backup is sent again (landed.ts); gone, it is created and
   * filled. Its checkpoint stays done meanwhile, so that a run stopped here is again a finished
   * copy to mend, not a new copy onto a collection it would have to ask about.
   */
  mend?: boolean;
  /** The space the user named for a collection whose backup does not record one. */
  chosenSpace?: Space;
  /**
   * Ids the target refuses, set aside by --skip-invalid (rejects.ts): never sent, not expected
   * in the count. A copy adds to it page by page, before the page goes out.
   */
  refused?: Set<string>;
  /**
   * Records an earlier run set aside that this run, resumed, does not believe refused here (a
   * 413 from another address, a rule this target does not have: rejects-trust.ts): sent once
   * before the pages, as they are (a 413 here sets them aside again, under this address).
   */
  retry?: () => AsyncIterable<BackupRecord[]>;
  /**
   * Where records the target refuses go (--skip-invalid): with it, a record that gets 413 even
   * alone is set aside there (and added to `refused`) and the import goes on; without it, it
   * stops the import, named.
   */
  rejects?: RejectsLog;
}

export function targetKey(target: Endpoint): string {
  return `${target.url}/${target.tenant}/${target.database}`;
}

/**
 * Every record arrived, and the server holds the collection as the backup describes it (no
 * other EF, HNSW setting or metadata): the CLI's exit 0, the wizard's ✓, step 5 done.
 */
export function importSucceeded(entry: CollectionImportResult): boolean {
  return entry.missing === 0 && entry.count >= entry.expected && entry.differences.length === 0;
}


/**
 * Once this run begins to change the target (a recreate deletes what was verified), steps 5 and 6
 * are no longer done: step 5 is in progress until this run's result is saved, step 6 to be done
 * again. Saved once per run, before its first write.
 */
export function reopenImportSteps(context: TargetSession, collection: string): Promise<void> {
  const reopened =
    context.reopened ??
    context.store
      .update((state) => {
        const { verify: _verified, ...steps } = state.steps;
        return { ...state, steps: { ...steps, import: { status: 'active', at: new Date().toISOString(), detail: `in progress: ${inQuotes(collection)} into ${context.options.target.url}` } } };
      })
      .then(() => undefined);
  context.reopened = reopened;
  return reopened;
}

/** Step 5 in the state file: done when every collection arrived whole. */
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
