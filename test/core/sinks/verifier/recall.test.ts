import { describe, expect, it } from 'vitest';
import { TrueNeighbours } from '../../../../src/core/sinks/verifier/recall.js';
import type { BackupRecord } from '../../../../src/core/model/record.js';

const record = (id: string, embedding: number[]): BackupRecord => ({ id, document: null, metadata: null, embedding, uri: null });

describe('true neighbours by brute force, in the collection\'s space', () => {
  const records = [record('a', [1, 0]), record('b', [10, 0]), record('c', [0, 1]), record('d', [0.9, 0.1])];

  it('in ip the nearest is the largest dot product, not the record itself', () => {
    const truth = new TrueNeighbours([records[0]!], 'ip', 2);
    truth.add(records);
    expect(truth.neighbours(0).map((n) => n.id)).toEqual(['b', 'a']);
  });

  it('in l2 the record itself comes first (squared distance 0), then the closest', () => {
    const truth = new TrueNeighbours([records[0]!], 'l2', 2);
    truth.add(records);
    expect(truth.neighbours(0).map((n) => [n.id, n.distance])).toEqual([['a', 0], ['d', expect.closeTo(0.02, 10)]]);
  });

  it('in cosine the length does not count: a and b are equally near', () => {
    const truth = new TrueNeighbours([records[0]!], 'cosine', 3);
    truth.add(records);
    expect(truth.neighbours(0).slice(0, 2).map((n) => n.distance)).toEqual([0, 0]);
    expect(truth.neighbours(0)[2]!.id).toBe('d');
    expect(truth.effectiveK).toBe(3);
  });
});
