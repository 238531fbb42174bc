import type { BackupRecord, Space } from '../../model/record.js';
import { compareMetadata } from '../../model/compare-values.js';
import { sameEmbedding } from '../verifier/checker.js';

/**
 * What differs between a record as the target holds it and as the source holds it, with the
 * comparison verify uses: documents and uris exactly, metadata type for type (2 is not 2.0),
 * embeddings as float32 (a step or two of rounding in cosine space). Empty when equal. Sparse
 * vectors a single node cannot hold are not a difference (sync could not change them).
 */
export function recordDifferences(stored: BackupRecord, expected: BackupRecord, space: Space | null): string[] {
  const fields: string[] = [];
  if (stored.document !== expected.document) fields.push('document');
  for (const difference of compareMetadata(stored.metadata, expected.metadata).differences) fields.push(`metadata.${difference}`);
  if (!sameEmbedding(stored.embedding, expected.embedding, space)) fields.push('embedding');
  if (stored.uri !== expected.uri) fields.push('uri');
  return fields;
}
