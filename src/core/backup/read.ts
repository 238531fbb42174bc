/**
 * Entry point for reading backups of every shape: our own line format and the Python JSON
 * exports (row-wise, column-wise, several collections), plain or gzip. Everything streams.
 */
import { MigrateError } from '../util/errors.js';
import { badBackup } from './bad-backup.js';
import { consume, drive, rebatch } from './drive.js';
import { collectionKey, OwnFormatReader } from './jsonl/read.js';
import { itemAt, streamArray } from './python/array.js';
import { readColumns } from './python/columns.js';
import { NeedsId, PythonInspector } from './python/inspect.js';
import { locateCollection, type Place } from './python/locate.js';
import { rowsToRecords } from './python/rows.js';
import { sniff } from './sniff.js';
import { openSource, type ByteSource } from './byte-source.js';
import type { BackupRecord, BackupSummary } from '../model/record.js';
import { inQuotes } from '../util/format.js';

export interface InspectOptions {
  signal?: AbortSignal;
}

export interface ReadOptions {
  /** Records of the collection to pass over first (still streamed, but not decoded). */
  skip?: number;
  batchSize?: number;
  signal?: AbortSignal;
}

/**
 * Reads the whole file once, validating every record, and says what it holds. Throws
 * MigrateError('BAD_BACKUP') for anything unusable: truncation, bad types, duplicate ids,
 * mixed dimensions, columns of unequal length, or a file that is not a backup at all.
 */
export async function inspectBackup(path: string, options: InspectOptions = {}): Promise<BackupSummary> {
  const source = await openSource(path, options.signal);
  const family = await sniff(source);
  const base = { path, gzip: source.gzip, bytes: source.bytes };
  if (family === 'own') {
    const reader = new OwnFormatReader(source.label);
    await consume(source, reader);
    for (const header of reader.collections) {
      const ids = reader.suspects.get(collectionKey(header));
      if (ids && ids.size > 0) await confirmDuplicates(source, header, ids);
    }
    return { ...base, format: 'chroma-migrate', createdAt: reader.createdAt, collections: reader.collections, typedNumbers: reader.version >= 2 };
  }
  const inspector = new PythonInspector(path, jsonLabel(source));
  try {
    await consume(source, inspector);
  } catch (error) {
    if (!(error instanceof NeedsId)) throw error;
    const id = await itemAt(source, { collection: error.collection, key: 'ids' }, error.position).catch(() => undefined);
    throw error.build(typeof id === 'string' ? id : null);
  }
  for (const [name, ids] of inspector.suspects) await confirmDuplicates(source, name, ids, inspector.places.get(name));
  // Python's json.dump writes 2.0 and big ints as they are.
  return { ...base, format: inspector.format, createdAt: inspector.createdAt, collections: inspector.collections, typedNumbers: true };
}

/**
 * The collection headers of one of our own files, without inspect's duplicate-id refusal: for
 * rewriting a file an export is about to drop repeated records from.
 */
export async function ownCollectionHeaders(path: string, signal?: AbortSignal): Promise<BackupSummary['collections']> {
  const source = await openSource(path, signal);
  const reader = new OwnFormatReader(source.label);
  await consume(source, reader);
  return reader.collections;
}

/**
 * One collection's records in file order, in batches of `batchSize`. Memory stays flat: a
 * batch plus a read buffer (per column for column-wise files). Breaking out closes the file.
 */
/** A collection of a backup: by name, and by database too in a file that holds several (format 4). */
export type CollectionRef = string | { name: string; database?: string };

export async function* readRecords(path: string, collection: CollectionRef, options: ReadOptions = {}): AsyncGenerator<BackupRecord[]> {
  const { skip = 0, batchSize = 100, signal } = options;
  if (!Number.isInteger(skip) || skip < 0) throw new MigrateError('BAD_INPUT', `readRecords: skip must be a whole number ≥ 0, got ${skip}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new MigrateError('BAD_INPUT', `readRecords: batchSize must be a whole number ≥ 1, got ${batchSize}`);
  const source = await openSource(path, signal);
  yield* rebatch(await openRecords(source, collection, skip, batchSize), batchSize);
}

/**
 * One collection's ids in file order, in batches of `batchSize`: for a check that needs only which
 * ids a backup holds. Our own format's record lines are read no further than their id.
 */
export async function* readIds(path: string, collection: CollectionRef, options: Omit<ReadOptions, 'skip'> = {}): AsyncGenerator<string[]> {
  const { batchSize = 1000, signal } = options;
  const source = await openSource(path, signal);
  const ref = typeof collection === 'string' ? { name: collection } : collection;
  if ((await sniff(source)) !== 'own') {
    for await (const records of readRecords(path, ref, { batchSize, signal })) yield records.map((record) => record.id);
    return;
  }
  yield* rebatch(ownIds(source, ref), batchSize);
}

/** Records of one collection of a file read by readCollections. */
export interface CollectionRecords {
  collection: string;
  records: BackupRecord[];
}

/**
 * The records of several collections in one pass over the file, in file order, each batch of one
 * collection: a check that needs every collection's records reads a file of many collections once,
 * not once per collection. Other formats than ours read each collection in turn.
 */
export async function* readCollections(
  path: string,
  collections: readonly string[],
  options: Omit<ReadOptions, 'skip'> & { database?: string } = {},
): AsyncGenerator<CollectionRecords> {
  const { batchSize = 100, signal, database } = options;
  const source = await openSource(path, signal);
  if ((await sniff(source)) !== 'own') {
    for (const collection of collections) for await (const records of readRecords(path, { name: collection, database }, { batchSize, signal })) yield { collection, records };
    return;
  }
  const reader = new OwnFormatReader(source.label, { names: new Set(collections), database });
  let batch: CollectionRecords | null = null;
  const taken = drive(source, reader, () => {
    const out = reader.out.map((record, index) => ({ record, collection: reader.outNames[index] as string }));
    reader.out = [];
    reader.outNames = [];
    return out;
  });
  for await (const items of taken) {
    for (const { record, collection } of items) {
      if (batch && (batch.collection !== collection || batch.records.length >= batchSize)) {
        yield batch;
        batch = null;
      }
      batch ??= { collection, records: [] };
      batch.records.push(record);
    }
  }
  if (batch) yield batch;
  const absent = collections.filter((name) => !reader.foundNames.has(name));
  if (absent.length > 0) throw notInBackup(absent[0] as string, source.label);
}

async function openRecords(source: ByteSource, collection: CollectionRef, skip: number, batchSize: number): Promise<AsyncIterable<BackupRecord[]>> {
  const ref = typeof collection === 'string' ? { name: collection } : collection;
  if ((await sniff(source)) === 'own') return ownRecords(source, ref, skip);
  const place = await locateCollection(source, ref.name);
  return pythonRecords(source, place, skip, batchSize);
}

async function* ownRecords(source: ByteSource, collection: { name: string; database?: string }, skip: number): AsyncGenerator<BackupRecord[]> {
  const reader = new OwnFormatReader(source.label, { ...collection, skip });
  yield* drive(source, reader, () => {
    const out = reader.out;
    reader.out = [];
    return out;
  });
  if (!reader.found) throw notInBackup(collectionKey(collection), source.label);
}

async function* ownIds(source: ByteSource, collection: { name: string; database?: string }): AsyncGenerator<string[]> {
  const reader = new OwnFormatReader(source.label, { ...collection, skip: 0, idsOnly: true });
  yield* drive(source, reader, () => {
    const out = reader.outIds;
    reader.outIds = [];
    return out;
  });
  if (!reader.found) throw notInBackup(collectionKey(collection), source.label);
}

function notInBackup(name: string, label: string): MigrateError {
  return new MigrateError('NOT_FOUND', `Collection ${inQuotes(name)} is not in the backup ${label}`, 'Pick one of the collections the backup holds.');
}

function pythonRecords(source: ByteSource, place: Place, skip: number, batchSize: number): AsyncIterable<BackupRecord[]> {
  if (place.shape === 'columns') return readColumns(source, place, skip, batchSize);
  const { items } = streamArray(source, { collection: place.collection, key: 'records', skip });
  const where = place.collection === null ? 'records' : `collections[${place.collection}].records`;
  return rowsToRecords(items, source.label, where, skip);
}

/**
 * inspect keeps only hashes of ids; a repeated hash is confirmed here with a second pass that
 * remembers just the suspect ids, so a hash collision never rejects a good backup.
 */
async function confirmDuplicates(source: ByteSource, collection: string | { name: string; database?: string }, suspects: Set<string>, place?: Place): Promise<void> {
  const ref = typeof collection === 'string' ? { name: collection } : collection;
  const name = collectionKey(ref);
  const firstSeen = new Map<string, number>();
  let position = 0;
  const check = (id: string): void => {
    if (suspects.has(id)) {
      const first = firstSeen.get(id);
      if (first !== undefined) {
        throw badBackup(
          `${source.label}: duplicate id ${inQuotes(id)} in collection ${inQuotes(name)} (records #${first + 1} and #${position + 1}); ids must be unique within a collection`,
          'Remove or rename the duplicate records (Chroma keeps one record per id), or export the collection again.',
        );
      }
      firstSeen.set(id, position);
    }
    position++;
  };
  if (place?.shape === 'columns') {
    // Only the ids column is needed: skip zipping the others.
    for await (const ids of streamArray(source, { collection: place.collection, key: 'ids', skip: 0 }).items) for (const id of ids) check(id as string);
    return;
  }
  if (place === undefined) {
    for await (const ids of ownIds(source, ref)) for (const id of ids) check(id);
    return;
  }
  for await (const batch of pythonRecords(source, place, 0, 1000)) for (const record of batch) check(record.id);
}

function jsonLabel(source: ByteSource): string {
  return source.gzip ? `${source.label} (uncompressed)` : source.label;
}
