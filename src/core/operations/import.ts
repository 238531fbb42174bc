import { inspectBackup, readRecords } from '../backup/read.js';
import { numberTypesNote } from '../backup/summary-notes.js';
import type { BackupSummary, CollectionHeader, Space } from '../model/record.js';
import type { ChromaApi } from '../chroma/api.js';

import { spaceUnknown } from '../collection/plan.js';
import { retryExplained } from '../chroma/explain.js';
import { MigrateError } from '../util/errors.js';
import { fraction } from '../util/format.js';
import { checkValuesFit, targetHolds } from '../sinks/target-fit.js';
import { fingerprintFile } from '../state/store.js';
import { ignoreProgress } from '../util/progress.js';
import { openTarget, recordImportStep, type CollectionImportResult, type RecordFeed, type TargetOptions } from '../sinks/target/session.js';
import { importCollection } from '../sinks/target/write.js';

export type { ExistsChoice } from '../sinks/target/choices.js';
export type { CollectionImportResult } from '../sinks/target/session.js';
export { DEFAULT_CONCURRENCY } from '../sinks/target/session.js';

/** import = a backup file → the target writer. */
export interface ImportOptions extends TargetOptions {
  input: string;
  /** Names in the backup to import; all when empty. */
  collections?: string[];
  /** Import the (single) selected collection under another name. */
  renameTo?: string;
  /** The distance space for collections whose backup does not record one (--space). */
  space?: Space;
  /** Asked when a collection's space is unknown, --space is absent and it must be created. */
  decideSpace?: (info: { collection: string; source: string }) => Promise<Space>;
}

export interface ImportResult {
  summary: BackupSummary;
  batchSize: number;
  collections: CollectionImportResult[];
  /** What the user should know about what was carried (values left out by choice, a format-1 backup). */
  notes: string[];
}

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
