/**
 * Requests that fit: a server (or the proxy in front of it) refuses a body above its limit with
 * 413 "Payload too large", which says nothing of the limit. The batch is then sent in halves,
 * down to one record, and the size that went through is kept for the rest of the collection, so
 * one collection of large documents costs a few refused requests, not one per batch.
 */
import type { BackupRecord } from '../../model/record.js';
import { ChromaRequestError } from '../../chroma/http.js';
import { MigrateError } from '../../util/errors.js';
import { count, inQuotes } from '../../util/format.js';

/**
 * The largest request body a single-node Chroma server takes (measured on 1.0.1 and 1.5.9:
 * 36 MB went through, 40 MB got 413). A proxy in front (Caddy, nginx, a platform's edge) may
 * take less.
 */
const CHROMA_BODY_LIMIT_MB = 36;

/** Records per request for one collection; shrinks on 413, never grows back within it. */
export interface RequestSize {
  records: number;
}

function isTooLarge(error: unknown): boolean {
  return error instanceof ChromaRequestError && error.status === 413;
}

export interface FitHandlers {
  send: (records: BackupRecord[]) => Promise<void>;
  /** The size went down (to `records`): said once per change. */
  onSmaller: (records: number) => void;
  /** One record alone is too large: refuse it (throw), or set it aside and go on. */
  onRecordTooLarge: (record: BackupRecord, error: unknown) => Promise<void> | void;
}

/** Sends `batch` in requests of at most `size.records`, halving on 413. */
export async function sendFitting(batch: BackupRecord[], size: RequestSize, handlers: FitHandlers): Promise<void> {
  let at = 0;
  while (at < batch.length) {
    const part = batch.slice(at, at + size.records);
    at += part.length;
    try {
      await handlers.send(part);
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      if (part.length === 1) {
        await handlers.onRecordTooLarge(part[0]!, error);
        continue;
      }
      const half = Math.ceil(part.length / 2);
      // Another request in flight may have shrunk it further already.
      if (half < size.records) {
        size.records = half;
        handlers.onSmaller(half);
      }
      await sendFitting(part, size, handlers);
    }
  }
}

/** One record that no request can carry, by id, with the limit in words. */
export function recordTooLarge(record: BackupRecord, collection: string, url: string, committed: number): MigrateError {
  const mb = (requestBytes(record) / 1024 / 1024).toFixed(1);
  return new MigrateError(
    'CANNOT_HOLD',
    `Record ${inQuotes(record.id)} of ${inQuotes(collection)} is about ${mb} MB as a request, and ${url} refuses it even alone (413 Payload too large): a single Chroma server takes requests of up to about ${CHROMA_BODY_LIMIT_MB} MB, and a proxy in front of it may take less. ${count(committed)} records of ${inQuotes(collection)} were written before it.`,
    'Leave it out with --skip-invalid (it is written to the rejects file next to the backup, the rest is imported), or raise the body limit of the proxy in front of Chroma, then run the same command again.',
  );
}

/** Why a record alone got 413, for the rejects file: its size and the limit, in words. */
export function tooLargeWhy(record: BackupRecord, url: string, error: unknown): string {
  const said = error instanceof Error ? ` ("${error.message.slice(0, 120)}")` : '';
  return `about ${(requestBytes(record) / 1024 / 1024).toFixed(1)} MB as a request; ${url} refused it even alone (413 Payload too large${said}); a single Chroma server takes requests of up to about ${CHROMA_BODY_LIMIT_MB} MB, and a proxy in front of it may take less`;
}

/** A record's size as a request body, roughly: what the words of a refusal quote. */
export function requestBytes(record: BackupRecord): number {
  const embedding = record.embedding ? record.embedding.length * 12 : 0;
  return Buffer.byteLength(JSON.stringify({ id: record.id, document: record.document, uri: record.uri }), 'utf8') + embedding + metadataBytes(record);
}

function metadataBytes(record: BackupRecord): number {
  try {
    return Buffer.byteLength(JSON.stringify(record.metadata, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)) ?? '', 'utf8');
  } catch {
    return 0;
  }
}
