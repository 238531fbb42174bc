import { describe, expect, it } from 'vitest';
import type { BackupRecord } from '../../../../src/core/model/record.js';
import { staleValues } from '../../../../src/core/sinks/diff/record-diff.js';

const record = (metadata: BackupRecord['metadata'], document: string | null = 'd', uri: string | null = null): BackupRecord =>
  ({ id: 'a', embedding: null, document, uri, metadata }) as unknown as BackupRecord;

describe('what an upsert cannot take off the target', () => {
  it('a key the wanted record lacks, or holds as an empty list (a single node drops one sent), goes as null', () => {
    expect(staleValues(record({ k: 'x', keep: 1 }), record({ keep: 1 })).keys).toEqual(['k']);
    expect(staleValues(record({ k: 'x', keep: 1 }), record({ k: [], keep: 1 })).keys).toEqual(['k']);
    expect(staleValues(record({ k: ['x'] }), record({ k: ['y'] })).keys).toEqual([]);
    expect(staleValues(record({ 'chroma:document': 'x' }), record({})).keys).toEqual([]);
  });

  it('a document or uri the wanted record lacks: the record is written again whole', () => {
    expect(staleValues(record({}, 'd'), record({}, null)).whole).toBe(true);
    expect(staleValues(record({}, 'd', 'u'), record({}, 'd', null)).whole).toBe(true);
    expect(staleValues(record({}, null), record({}, 'd')).whole).toBe(false);
  });
});
