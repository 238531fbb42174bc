/**
 * The vocabulary of Python JSON exports. Exporters in the wild disagree on key names, so each
 * role accepts a few spellings; the column names are those of Chroma's collection.get().
 */
import { basename } from 'node:path';
import type { Metadata, Space } from '../../model/record.js';

export const COLUMNS = ['ids', 'documents', 'metadatas', 'embeddings', 'uris'] as const;
export type Column = (typeof COLUMNS)[number];

export const NAME_KEYS: ReadonlySet<string> = new Set(['collection_name', 'collection', 'name']);
export const DATE_KEYS: ReadonlySet<string> = new Set(['export_date', 'exported_at', 'created_at']);
export const METADATA_KEYS: ReadonlySet<string> = new Set(['collection_metadata', 'metadata']);
/** Chroma 1.x collection configuration, e.g. {"hnsw": {"space": "cosine"}} or {"spann": {...}}. */
export const CONFIG_KEYS: ReadonlySet<string> = new Set(['configuration', 'configuration_json', 'collection_configuration']);

/**
 * A row of "records" is read key by key (by the readers and by inspect alike): its metadata alone
 * is parsed with number types (2.0 stays a float), every other field plainly.
 */
export function rowField(key: string | null): 'capture' | 'capture-typed' {
  return key === 'metadata' ? 'capture-typed' : 'capture';
}

/** Sets a row's field as JSON.parse would: a "__proto__" key is a plain property, the last of a repeated key wins. */
export function setRowField(row: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isColumn(key: string | null): key is Column {
  return key !== null && (COLUMNS as readonly string[]).includes(key);
}

export type Shape = 'rows' | 'columns';

/** Which data layout a key announces inside a collection object, if any. */
export function shapeOfKey(key: string | null): Shape | null {
  if (key === 'records') return 'rows';
  return isColumn(key) ? 'columns' : null;
}

function asSpace(value: unknown): Space | null {
  return value === 'l2' || value === 'cosine' || value === 'ip' ? value : null;
}

/** The distance space from configuration (hnsw or spann) or the legacy "hnsw:space" metadata key. */
export function spaceOf(metadata: Metadata | null, configuration: unknown): Space | null {
  const config = configuration as { hnsw?: { space?: unknown }; spann?: { space?: unknown }; space?: unknown } | null | undefined;
  return asSpace(config?.hnsw?.space) ?? asSpace(config?.spann?.space) ?? asSpace(config?.space) ?? asSpace(metadata?.['hnsw:space']);
}

/** A single-collection export without a name is named after its file: "docs.json.gz" → "docs". */
export function nameFromPath(path: string): string {
  return basename(path).replace(/(\.gz)$/i, '').replace(/\.(json|jsonl|ndjson)$/i, '') || 'collection';
}
