/** The synthetic collection: deterministic records, the product's backup file and the guide's JSON. */
import { stat } from 'node:fs/promises';
import { readRecords } from '../src/core/backup/read.js';
import type { BackupRecord } from '../src/core/model/record.js';
import { BackupWriter } from '../src/core/backup/jsonl/writer.js';
import { sameEmbedding } from '../src/core/sinks/verifier/checker.js';
import { generateRecords, writePythonColumnsJson, writePythonRowsJson } from '../test/helpers/fixtures.js';

export const COLLECTION = 'bench_docs';

/**
 * Every record has a document and metadata: the guide's method goes through the JS client,
 * which rejects null documents. Regenerated on each iteration, never held whole in memory.
 */
export function benchRecords(count: number, dim: number): Iterable<BackupRecord> {
  return generateRecords(count, { dim, seed: 7, prefix: 'doc' });
}

export async function* inBatches(records: Iterable<BackupRecord>, size: number): AsyncGenerator<BackupRecord[]> {
  let batch: BackupRecord[] = [];
  for (const record of records) {
    batch.push(record);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** chroma-migrate's own format, as `export` writes it (gzip when the path ends in .gz). */
export async function writeProductBackup(path: string, count: number, dim: number): Promise<number> {
  const writer = await BackupWriter.open(path, { source: { url: 'synthetic', cloud: true } });
  await writer.writeCollectionHeader({ name: COLLECTION, metadata: { purpose: 'benchmark' }, space: 'cosine', count, dimension: dim });
  for await (const batch of inBatches(benchRecords(count, dim), 300)) await writer.writeRecords(batch);
  await writer.writeCollectionEnd(COLLECTION, count);
  return writer.finish();
}

/** The guide's Python export: row-wise `records`, compact like json.dumps (its smallest form). */
export async function writeGuideJson(path: string, count: number, dim: number): Promise<number> {
  await writePythonRowsJson(path, COLLECTION, benchRecords(count, dim), { metadata: { purpose: 'benchmark', 'hnsw:space': 'cosine' } });
  return (await stat(path)).size;
}

/** The column-wise shape a Python script gets from `json.dump(collection.get(...))`. */
export async function writeGuideColumnsJson(path: string, count: number, dim: number): Promise<number> {
  await writePythonColumnsJson(path, COLLECTION, benchRecords(count, dim), { metadata: { purpose: 'benchmark', 'hnsw:space': 'cosine' }, uris: false });
  return (await stat(path)).size;
}

export interface Comparison {
  compared: number;
  differing: number;
  firstDifference: string | null;
}

/**
 * Reads a backup back and compares every field with the generated records. `exact`: embeddings
 * bit for bit at float32 (the format's own promise). `as-verify`: with verify's ulp slack, for a
 * file exported from a cosine collection, whose server hands back normalised vectors an ulp off.
 */
export async function compareWithGenerated(path: string, count: number, dim: number, embeddings: 'exact' | 'as-verify'): Promise<Comparison> {
  const expected = benchRecords(count, dim)[Symbol.iterator]();
  const result: Comparison = { compared: 0, differing: 0, firstDifference: null };
  for await (const batch of readRecords(path, COLLECTION, { batchSize: 500 })) {
    for (const record of batch) {
      const want = expected.next();
      result.compared++;
      const why = want.done ? 'an extra record' : difference(record, want.value, embeddings);
      if (why) {
        result.differing++;
        result.firstDifference ??= `${record.id}: ${why}`;
      }
    }
  }
  if (result.compared !== count) {
    result.differing += Math.abs(count - result.compared);
    result.firstDifference ??= `${result.compared} records read, ${count} expected`;
  }
  return result;
}

function difference(got: BackupRecord, want: BackupRecord, embeddings: 'exact' | 'as-verify'): string | null {
  if (got.id !== want.id) return `id ${got.id} ≠ ${want.id}`;
  if (got.document !== want.document) return 'document';
  // Key order is not part of a record (the server hands metadata back with its keys sorted).
  if (canonical(got.metadata) !== canonical(want.metadata)) return `metadata ${canonical(got.metadata)} ≠ ${canonical(want.metadata)}`;
  if (got.uri !== want.uri) return 'uri';
  const a = got.embedding;
  const b = want.embedding;
  if (a === null || b === null) return a === b ? null : 'embedding null';
  if (a.length !== b.length) return 'embedding length';
  if (embeddings === 'as-verify') return sameEmbedding(a, b) ? null : 'embedding beyond verify\'s slack';
  for (let i = 0; i < a.length; i++) if (a[i] !== Math.fround(b[i] as number)) return `embedding[${i}] ${a[i]} ≠ ${b[i]}`;
  return null;
}

function canonical(metadata: BackupRecord['metadata']): string {
  if (metadata === null) return 'null';
  return JSON.stringify(Object.keys(metadata).sort().map((key) => [key, metadata[key]]));
}
