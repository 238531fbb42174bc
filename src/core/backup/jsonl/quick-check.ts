/**
 * Plain checks for the everyday record, at a fraction of the cost of running a zod schema on
 * every one (profiled: about a sixth of an export's CPU, a fifth of reading a backup). Each is
 * stricter than its schema, so callers run the schema only when a check says no; the schema
 * then decides, and explains what is wrong.
 */
import { metadataIssue } from '../../model/value-check.js';
import type { BackupRecord, Metadata } from '../../model/record.js';

/** A record line of our format as recordLineSchema accepts it (the embedding still base64). */
export interface RecordLine {
  type: 'record';
  id: string;
  document: string | null;
  metadata: Metadata | null;
  uri: string | null;
  embedding: string | null;
}

/** Null, or a plain object of values Chroma holds (values/check.ts). */
function isPlainMetadata(metadata: unknown): metadata is Metadata | null {
  return metadataIssue(metadata) === null;
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** What the writer takes: also every embedding value within float32's range. */
export function isPlainRecord(record: BackupRecord): boolean {
  if (typeof record.id !== 'string' || record.id === '') return false;
  if (!isStringOrNull(record.document) || !isStringOrNull(record.uri) || !isPlainMetadata(record.metadata)) return false;
  const embedding = record.embedding;
  if (embedding === null) return true;
  if (embedding instanceof Float32Array) {
    // Already float32: only Infinity or NaN could be wrong.
    for (let i = 0; i < embedding.length; i++) if (!Number.isFinite(embedding[i])) return false;
    return embedding.length > 0;
  }
  if (!Array.isArray(embedding) || embedding.length === 0) return false;
  for (let i = 0; i < embedding.length; i++) {
    const value = embedding[i];
    if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) return false;
  }
  return true;
}

/** A parsed line of our format that recordLineSchema would accept as is. */
export function isPlainRecordLine(value: Record<string, unknown>): value is Record<string, unknown> & RecordLine {
  return (
    value.type === 'record' &&
    typeof value.id === 'string' &&
    value.id !== '' &&
    isStringOrNull(value.document) &&
    isStringOrNull(value.uri) &&
    isStringOrNull(value.embedding) &&
    isPlainMetadata(value.metadata)
  );
}
