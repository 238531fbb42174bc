/**
 * Writes records so that the target holds exactly them, also where its copy holds a value the
 * record lacks. A plain upsert cannot take such a value away: Chroma merges metadata (a key the
 * record lacks stays as the target had it) and skips a null document or uri. Measured on the
 * 1.0.1 and 1.5.9 servers: a metadata key sent as null is removed (by upsert as by update; all of
 * them removed leaves the metadata null), while neither upsert nor update clears a document or
 * a uri. So the target's copies are read first (without embeddings): a key the record lacks goes
 * as null in the same upsert, and a record whose document or uri it lacks is deleted and written
 * again whole, just before the upsert that writes it.
 *
 * Between that delete and the upsert the record is absent from the target. Whoever calls this
 * must find it missing afterwards and send it: a sync run again sees it as one only the source
 * has, an import run again (--again) sends every record of its file.
 */
import type { BackupRecord } from '../../model/record.js';
import type { Metadata } from '../../model/values.js';
import type { ChromaApi } from '../../chroma/api.js';
import { valuesByIds } from '../../chroma/id-list.js';
import { deleteRecords } from './delete-records.js';
import { staleValues } from './record-diff.js';

export interface ExactWrite {
  /** Records deleted and written again whole: the target held a document or uri they lack. */
  replaced: number;
  /** Records sent with null for metadata keys the target held and they lack. */
  cleared: number;
}

export interface ExactOptions {
  base64: boolean;
  /** Wraps each request in the caller's retry and error wording. */
  call: <T>(work: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
}

/** Upserts these records so that each one on the target is exactly it, whatever the target's copy held before. */
export async function upsertExactly(api: ChromaApi, collectionId: string, records: BackupRecord[], options: ExactOptions): Promise<ExactWrite> {
  const { call, signal } = options;
  const written: ExactWrite = { replaced: 0, cleared: 0 };
  if (records.length === 0) return written;
  const held = await valuesByIds(
    api,
    collectionId,
    records.map((record) => record.id),
    { call, signal, pageSize: records.length },
  );
  const stored = new Map(held.map((record) => [record.id, record]));
  const whole: string[] = [];
  const sent = records.map((record) => {
    const copy = stored.get(record.id);
    if (!copy) return record;
    const stale = staleValues(copy, record);
    if (stale.whole) {
      whole.push(record.id);
      return record;
    }
    if (stale.keys.length === 0) return record;
    written.cleared++;
    return { ...record, metadata: withNulls(record.metadata, stale.keys) };
  });
  if (whole.length > 0) await call(() => deleteRecords(api.target, collectionId, whole, { signal }));
  written.replaced = whole.length;
  await call(() => api.upsert(collectionId, sent, { base64: options.base64 }, { signal }));
  return written;
}

/** The record's metadata with these keys set to null, which the server reads as "remove this key". */
function withNulls(metadata: Metadata | null, keys: string[]): Metadata {
  const out: Metadata = { ...(metadata ?? {}) };
  for (const key of keys) out[key] = null;
  return out;
}
