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

/** Keys Chroma adds itself ("chroma:document" on full-text collections): never the record's to clear. */
const OWN_KEY = /^chroma:/;

/**
 * What the target's copy holds that the wanted version lacks, which an upsert cannot take away:
 * Chroma's upsert merges metadata (a key the new record lacks stays) and skips a null document
 * or uri. `keys`: metadata keys to send as null (a null key in an upsert removes it, measured on
 * 1.0.1 and 1.5.9; all removed leaves the metadata null, as the source's). `whole`: a document or
 * uri the wanted version lacks, which neither upsert nor update can clear on those servers: the
 * record has to be deleted and written again.
 */
export function staleValues(stored: BackupRecord, wanted: BackupRecord): { keys: string[]; whole: boolean } {
  const want = wanted.metadata ?? {};
  // An empty list counts as no key: a single node drops one sent (the old value stays), and
  // verify takes an empty list and no key for the same.
  const absent = (key: string) => !Object.hasOwn(want, key) || (Array.isArray(want[key]) && (want[key] as unknown[]).length === 0);
  const keys = Object.keys(stored.metadata ?? {}).filter((key) => !OWN_KEY.test(key) && absent(key));
  const whole = (stored.document !== null && wanted.document === null) || (stored.uri !== null && wanted.uri === null);
  return { keys, whole };
}
