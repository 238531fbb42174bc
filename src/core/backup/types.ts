/** The in-memory shape every backup reader yields and every writer takes. */

export type Space = 'l2' | 'cosine' | 'ip';

export type MetadataValue = string | number | boolean | null;
export type Metadata = Record<string, MetadataValue>;

/** A JSON object as Chroma sent it; read through src/core/collection/shape.ts. */
export type CollectionJson = Record<string, unknown>;

export interface BackupRecord {
  id: string;
  document: string | null;
  metadata: Metadata | null;
  /** float32 precision is what Chroma stores; Python exports' numbers are kept as they are. */
  embedding: Embedding | null;
  uri: string | null;
}

/**
 * Numbers as a Python export holds them, or float32 as our format and a server's answer are
 * read (half the memory, and sent on as bytes without a conversion).
 */
export type Embedding = readonly number[] | Float32Array;

/** What we know about one collection before its records arrive. */
export interface CollectionHeader {
  name: string;
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
  /** The count the file claims (own format) or that a pre-scan counted (Python shapes). */
  count: number;
  /** Embedding dimension, null when the collection has no embeddings or is empty. */
  dimension: number | null;
  /** Inspect only: how many records have no embedding, when some have none. */
  withoutEmbedding?: number;
}

export type BackupFormat = 'chroma-migrate' | 'python-rows' | 'python-columns' | 'python-multi';

export interface BackupSummary {
  path: string;
  format: BackupFormat;
  gzip: boolean;
  createdAt: string | null;
  collections: CollectionHeader[];
  /** Size in bytes of the file on disk; used to tell one backup from another for resume. */
  bytes: number;
}
