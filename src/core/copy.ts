/**
 * `copy`: source → target in one pass. The export engine reads pages and writes the backup
 * file; each page is also handed to the import engine (through a PagePipe), which upserts it
 * while the next pages are read. So the move takes about as long as the slower side, not the
 * sum, and the backup file is still there at the end. The export checkpoints no further than
 * the import has committed (see ExportSink): one resume point serves both. Ends with verify,
 * which compares the finished file with the target record by record.
 */
import { resolve } from 'node:path';
import type { Endpoint } from './chroma/endpoint.js';
import { MigrateError } from './errors.js';
import { exportCollections, resolveTenant, type ExportResult, type ExportSink } from './export.js';
import {
  importCollection,
  openTarget,
  recordImportStep,
  type CollectionImportResult,
  type ExistsChoice,
  type IfExists,
  type RecordFeed,
} from './import.js';
import { PagePipe } from './page-pipe.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { verifyBackup, type VerifyResult } from './verify.js';

export interface CopyOptions {
  source: Endpoint;
  target: Endpoint;
  /** The backup file written on the way. */
  out: string;
  /** Names on the source; all when empty. */
  collections?: string[];
  /** Copy the (single) selected collection under another name. */
  renameTo?: string;
  ifExists: IfExists;
  decideExists?: (info: { collection: string; count: number }) => Promise<ExistsChoice>;
  pageSize?: number;
  readConcurrency?: number;
  batchSize?: number;
  writeConcurrency?: number;
  /** Compare every record at the end (default true); `sample` self-queries per collection. */
  verify?: boolean;
  sample?: number;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  checkpointEvery?: number;
}

export interface CopyResult {
  out: string;
  resumed: boolean;
  batchSize: number;
  /** Collections sent in this run (one finished by an earlier run is not sent again). */
  collections: CollectionImportResult[];
  exported: ExportResult['collections'];
  verify: VerifyResult | null;
  ok: boolean;
}

export async function copyCollections(options: CopyOptions): Promise<CopyResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const signal = options.signal;
  if (options.renameTo !== undefined && options.collections?.length !== 1) {
    throw new MigrateError('BAD_INPUT', '--as renames one collection, but it needs that one named.', 'Pick it with --collections NAME.');
  }
  const source = await resolveTenant(options.source, signal);
  const target = await openTarget({ ...options, concurrency: options.writeConcurrency, onProgress: progress });
  const out = resolve(options.out);
  const fingerprint = `copy from ${source.url}/${source.tenant}/${source.database}`;
  const results: CollectionImportResult[] = [];

  const sink: ExportSink = {
    open(header, place) {
      const pipe = new PagePipe(target.batchSize, target.batchSize * 2);
      let committed = place.start;
      const feed: RecordFeed = {
        backup: out,
        fingerprint,
        records: () => pipe.batches(),
        resume: place,
        onCommitted: (count) => (committed = count),
      };
      const imported = importCollection(target, header, options.renameTo ?? header.name, feed).then(
        (result) => void results.push(result),
        (error: unknown) => {
          pipe.fail(error);
          throw error;
        },
      );
      imported.catch(() => undefined); // observed by end() or abort(); never unhandled
      return {
        push: (records) => pipe.push(records),
        get committed() {
          return committed;
        },
        end: async () => {
          pipe.close();
          await imported;
        },
        abort: async (error) => {
          pipe.fail(error);
          await imported.catch(() => undefined);
        },
      };
    },
  };

  // The bar follows the import (what has landed); the export reports only its phases and retries.
  const exportProgress: ProgressListener = (event) => {
    if (event.type !== 'batch' && event.type !== 'collection-start' && event.type !== 'collection-done') progress(event);
  };
  const exported = await exportCollections({
    source,
    out: options.out,
    collections: options.collections,
    pageSize: options.pageSize,
    concurrency: options.readConcurrency,
    statePath: options.statePath,
    signal,
    onProgress: exportProgress,
    checkpointEvery: options.checkpointEvery,
    sink,
  });
  await recordImportStep(target.store, out, options.target, results);

  const verify =
    options.verify === false
      ? null
      : await verifyBackup({
          input: out,
          target: options.target,
          collections: exported.collections.map((collection) => collection.name),
          renameTo: options.renameTo,
          sample: options.sample,
          statePath: options.statePath,
          signal,
          onProgress: progress,
        });
  const ok = verify ? verify.ok : results.every((result) => result.missing === 0);
  return { out, resumed: exported.resumed, batchSize: target.batchSize, collections: results, exported: exported.collections, verify, ok };
}
