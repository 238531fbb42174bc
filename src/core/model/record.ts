/** The in-memory shape every backup reader yields and every writer takes. */

export type Space = 'l2' | 'cosine' | 'ip';

export type { Metadata, MetadataValue } from './values.js';
import type { Metadata } from './values.js';

/** A JSON object as Chroma sent it; read through src/core/collection/shape.ts. */
export type CollectionJson = Record<string, unknown>;

export interface BackupRecord {
  id: string;
  document: string | null;
  metadata: Metadata | null;
  /** float32 precision is what Chroma stores; every backup reader yields Float32Array. */
  embedding: Embedding | null;
  uri: string | null;
}

/**
 * float32 as every backup reader yields it and a server's answer is read (half the memory of a
 * number array, and sent on as bytes without a conversion), or numbers built in code (tests,
 * fixtures).
 */
export type Embedding = readonly number[] | Float32Array;

/** What we know about one collection before its records arrive. */
export interface CollectionHeader {
  name: string;
  /** The source database it came from, in a backup that holds several (format 4); absent otherwise. */
  database?: string;
  metadata: Metadata | null;
  /** The distance space, wherever the source recorded it; null when it did not say. */
  space: Space | null;
  /**
   * The source's `configuration_json` (`{hnsw|spann, embedding_function}`) and, since Chroma 1.3,
   * its `schema` (`{defaults, keys}`), as the server gave them, secrets removed. Absent or null
   * in backups that never recorded them (version 1 files, most Python exports).
   * src/core/collection/plan.ts turns them into what a target can hold.
   */
  configuration?: CollectionJson | null;
  schema?: CollectionJson | null;
  /** The configuration and schema were written before they were kept typed (1.0 as 1): compare their numbers by value. */
  untypedSettings?: boolean;
  /** The count the file claims (own format) or that a pre-scan counted (Python shapes). */
  count: number;
  /** Embedding dimension, null when the collection has no embeddings or is empty. */
  dimension: number | null;
  /** Inspect only: how many records have no embedding, when some have none. */
  withoutEmbedding?: number;
  /** Inspect only: metadata keys holding lists (Chroma 1.5+), with how many records hold one. */
  listKeys?: Record<string, number>;
  /** Inspect only: metadata keys holding sparse vectors (Chroma Cloud only), with how many records hold one. */
  sparseKeys?: Record<string, number>;
}

export type BackupFormat = 'chroma-migrate' | 'python-rows' | 'python-columns' | 'python-multi';

export interface BackupSummary {
  path: string;
  format: BackupFormat;
  gzip: boolean;
  createdAt: string | null;
  collections: CollectionHeader[];
  /**
   * False for backups that cannot tell a whole float (2.0) from an int (2), nor keep an int past
   * 2^53 exact: chroma-migrate's format version 1 read numbers through JSON.parse.
   */
  typedNumbers: boolean;
  /** Size in bytes of the file on disk; used to tell one backup from another for resume. */
  bytes: number;
}
