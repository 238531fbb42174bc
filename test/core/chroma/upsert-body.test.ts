import { describe, expect, it } from 'vitest';
import { upsertBody } from '../../../src/core/chroma/api.js';
import { encodeEmbedding } from '../../../src/core/model/float32.js';
import type { BackupRecord } from '../../../src/core/model/record.js';
import { stringifyTyped } from '../../../src/core/model/typed-json.js';
import { WholeFloat } from '../../../src/core/model/values.js';
import { makeRecords } from '../../helpers/fixtures.js';

/** The body as it was built before: one object, written by stringifyTyped. */
function asOneString(records: BackupRecord[], base64: boolean): string {
  const hasEmbeddings = records.some((record) => record.embedding !== null);
  const hasUris = records.some((record) => record.uri !== null);
  return stringifyTyped({
    ids: records.map((record) => record.id),
    embeddings: hasEmbeddings ? records.map((record) => (base64 ? encodeEmbedding(record.embedding ?? []) : record.embedding && Array.from(record.embedding))) : null,
    documents: records.map((record) => record.document),
    metadatas: records.map((record) => record.metadata),
    uris: hasUris ? records.map((record) => record.uri) : null,
  });
}

const typed: BackupRecord[] = [
  { id: 'a "quoted" id\n', document: 'naïve — ünïcödé \u2028 "text"', metadata: { score: new WholeFloat(2), big: 9007199254740993n, tags: ['x', 'y'], ok: true, f: 0.5 }, embedding: new Float32Array([0.1, -2, 3e-8]), uri: 's3://b/k' },
  { id: 'b', document: null, metadata: null, embedding: null, uri: null },
  { id: 'c', document: '', metadata: { n: -0.25, whole: new WholeFloat(-0) }, embedding: new Float32Array([1, 2, 3]), uri: null },
];

describe('upsertBody', () => {
  it.each([true, false])('writes byte for byte what one stringifyTyped of the whole body wrote (base64 %s)', (base64) => {
    const sets: BackupRecord[][] = [
      makeRecords(50, { dim: 8, nullDocEvery: 5, nullMetaEvery: 7, nullEmbeddingEvery: 11, uriEvery: 13 }),
      makeRecords(20, { dim: 4 }),
      // Long enough to be cut into several parts.
      makeRecords(600, { dim: 64, uriEvery: 3 }),
      typed,
      typed.slice(1, 2),
      [],
    ];
    for (const records of sets) {
      const { parts } = upsertBody(records, { base64 });
      expect(parts.join('')).toBe(asOneString(records, base64));
      // No part near V8's large-object size: one value past the cut at most.
      for (const part of parts) expect(part.length).toBeLessThan(64 * 1024);
    }
  });
});
