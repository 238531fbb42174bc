/**
 * * Encodes the lines of our backup format ("chroma-migrate-backup", version 4). Key order is
 * fixed: "type" first, because readers skip record lines by their first bytes, and "metadata"
 * last, because a reader that finds a number JSON.parse would mistype re-reads just that tail.
 *
 * Version 2 writes metadata numbers as typed (values/json.ts): a float always with a fraction
 * or exponent (2.0), an int past 2^53 exactly. Version 1 went through JSON.parse and
 * JSON.stringify, so its whole floats read as ints and its big ints are rounded.
 */
import { stringifyTyped } from '../../model/typed-json.js';
import { encodeEmbedding } from '../../model/float32.js';
import { FORMAT_NAME, FORMAT_VERSION } from '../schemas.js';
import type { BackupRecord, CollectionHeader } from '../../model/record.js';
import { withholdSecrets, withoutSecrets } from '../secrets.js';

export function headerLine(source: Record<string, unknown>, createdAt = new Date()): string {
  return JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION, created_at: createdAt.toISOString(), source: withoutSecrets(source) }) + '\n';
}

/**
 * The header as a backup keeps it: configuration and schema verbatim, but for credential fields
 * (secrets.ts). A copy hands this
 * same header to its import, so the target and a later `verify` of the file see one collection.
 */
export function storedHeader(h: CollectionHeader): CollectionHeader {
  return {
    ...h,
    configuration: h.configuration ? (withoutSecrets(h.configuration) as CollectionHeader['configuration']) : null,
    schema: h.schema ? (withoutSecrets(h.schema) as CollectionHeader['schema']) : null,
  };
}

/** The credential fields storedHeader leaves out of the collection's settings, by path: to be named. */
export function withheldFields(h: CollectionHeader): string[] {
  return [...withholdSecrets(h.configuration ?? null, 'configuration').paths, ...withholdSecrets(h.schema ?? null, 'schema').paths];
}

export function collectionLine(header: CollectionHeader): string {
  const h = storedHeader(header);
  // Typed: collection metadata keeps 2.0 a float and big ints exact, as record metadata does.
  return (
    stringifyTyped({
      type: 'collection',
      name: h.name,
      ...(h.database !== undefined ? { database: h.database } : {}),
      metadata: h.metadata,
      space: h.space,
      count: h.count,
      dimension: h.dimension,
      configuration: h.configuration ?? null,
      schema: h.schema ?? null,
    }) + '\n'
  );
}

export function recordLine(r: BackupRecord): string {
  // Absent fields (the schema's "optional", as in Python exports) are written as null: every
  // record line names all five, as the reader requires. Built as one template: this runs once
  // per exported record, and base64 never needs escaping.
  const embedding = r.embedding == null ? 'null' : `"${encodeEmbedding(r.embedding)}"`;
  return `{"type":"record","id":${JSON.stringify(r.id)},"document":${JSON.stringify(r.document ?? null)},"uri":${JSON.stringify(r.uri ?? null)},"embedding":${embedding},"metadata":${stringifyTyped(r.metadata ?? null)}}\n`;
}

export function endLine(name: string, count: number, sourceChanged = false): string {
  return JSON.stringify(sourceChanged ? { type: 'end', name, count, source_changed: true } : { type: 'end', name, count }) + '\n';
}

export function endFileLine(collections: number): string {
  return JSON.stringify({ type: 'end-file', collections }) + '\n';
}
