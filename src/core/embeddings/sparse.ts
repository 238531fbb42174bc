/**
 * Sparse embeddings (`chroma-cloud-splade`, Chroma's BM25) live in a schema key's
 * `sparse_vector_index`, which only Chroma Cloud (the distributed server) builds: a single node
 * refuses an enabled one and cannot store sparse vectors at all. No endpoint fixes that, so the
 * embeddings command names them instead of checking them.
 */
import type { CollectionInfo } from '../chroma/api.js';
import { isObject } from '../collection/shape.js';

export interface SparseKey {
  /** The schema key, e.g. "sparse_embedding"; "#embedding" when the collection's own EF is sparse. */
  key: string;
  /** The sparse function's registered name, e.g. "chroma-cloud-splade" or "chroma_bm25". */
  function: string | null;
}

const SPARSE_FUNCTIONS = new Set(['chroma-cloud-splade', 'chroma_bm25', 'bm25', 'splade']);

export function sparseKeysOf(info: CollectionInfo): SparseKey[] {
  const out: SparseKey[] = [];
  const schema = isObject(info.schema) ? info.schema : null;
  const keys = schema && isObject(schema.keys) ? schema.keys : {};
  for (const [key, valueTypes] of Object.entries(keys)) {
    if (!isObject(valueTypes) || !isObject(valueTypes.sparse_vector)) continue;
    const index = valueTypes.sparse_vector.sparse_vector_index;
    if (!isObject(index)) continue;
    const config = isObject(index.config) ? index.config : {};
    const ef = isObject(config.embedding_function) ? config.embedding_function : null;
    out.push({ key, function: typeof ef?.name === 'string' ? ef.name : null });
  }
  const own = isObject(info.configuration_json) && isObject(info.configuration_json.embedding_function) ? info.configuration_json.embedding_function : null;
  if (typeof own?.name === 'string' && SPARSE_FUNCTIONS.has(own.name)) out.push({ key: '#embedding', function: own.name });
  return out;
}
