import { describe, expect, it } from 'vitest';
import { sameEmbedding } from '../../../src/core/sinks/verifier/checker.js';
import { compareMetadata } from '../../../src/core/model/compare-values.js';
import { WholeFloat } from '../../../src/core/model/values.js';

describe('record comparison at the precision Chroma stores', () => {
  it('float64 text equal at float32 is equal; a cosine round trip a float32 step off is equal', () => {
    expect(sameEmbedding([0.1, 0.2], [Math.fround(0.1), Math.fround(0.2)])).toBe(true);
    expect(sameEmbedding([0.5, 0.25, 0.125, 3.0000002], [0.5, 0.25, 0.125, 3], 'cosine')).toBe(true);
  });

  it('l2 stays exact; cosine allows two float32 steps, not three', () => {
    const step = 2 ** -22; // between 2 and 4
    expect(sameEmbedding([3 + step], [3], 'l2')).toBe(false);
    expect(sameEmbedding([3 + 2 * step], [3], 'cosine')).toBe(true);
    expect(sameEmbedding([3 + 3 * step], [3], 'cosine')).toBe(false);
    expect(sameEmbedding([-3 - 2 * step], [-3], 'cosine')).toBe(true);
    expect(sameEmbedding([2 ** -149], [-(2 ** -149)], 'cosine')).toBe(true);
    expect(sameEmbedding([0.5], [-0.5], 'cosine')).toBe(false);
  });

  it('compares float32 as the server answer is read against numbers from the backup', () => {
    expect(sameEmbedding(Float32Array.of(0.1, 0.2, 3.0000002), [0.1, 0.2, 3], 'cosine')).toBe(true);
    expect(sameEmbedding(Float32Array.of(0.5, 0.25), [0.5, 0.2501])).toBe(false);
    expect(sameEmbedding(Float32Array.of(Number.NaN), [0.5])).toBe(false);
    // NaN is no value a server holds: it equals nothing, itself included, in any space.
    expect(sameEmbedding([Number.NaN], [Number.NaN])).toBe(false);
    expect(sameEmbedding([Number.NaN], [Number.NaN], 'cosine')).toBe(false);
    // -0 and +0 are equal numbers; the lowest bit of a float is not.
    expect(sameEmbedding([-0, 0], [0, -0])).toBe(true);
    expect(sameEmbedding([1, 0.1], [1, new Float32Array(new Uint32Array([new Uint32Array(Float32Array.of(0.1).buffer)[0]! ^ 1]).buffer)[0]!])).toBe(false);
  });

  it('a real change, another length, or null against a vector differs', () => {
    expect(sameEmbedding([0.5, 0.25], [0.5, 0.2501])).toBe(false);
    expect(sameEmbedding([0.5], [0.5, 0])).toBe(false);
    expect(sameEmbedding(null, [0.5])).toBe(false);
    expect(sameEmbedding(null, null)).toBe(true);
  });

  it('null and empty metadata are the same to Chroma; values compare exactly', () => {
    const same = (a: Parameters<typeof compareMetadata>[0], b: Parameters<typeof compareMetadata>[1]) => compareMetadata(a, b).differences.length === 0;
    expect(same(null, {})).toBe(true);
    expect(same({ a: 1, b: 'x' }, { b: 'x', a: 1 })).toBe(true);
    expect(same({ a: 1 }, { a: 2 })).toBe(false);
    expect(same({ a: 1 }, { a: 1, b: true })).toBe(false);
  });

  it('names a float that became an int, and a big int that was rounded, with the key and the side holding each value', () => {
    expect(compareMetadata({ score: 2 }, { score: new WholeFloat(2) }).differences).toEqual(['score: the source has float 2.0, the target int 2']);
    expect(compareMetadata({ n: 9007199254740992 }, { n: 9007199254740993n }).differences).toEqual(['n: the source has int 9007199254740993, the target int 9007199254740992']);
    expect(compareMetadata({ tags: ['a', 'b'] }, { tags: ['a', 'b'] }).differences).toEqual([]);
    expect(compareMetadata({ xs: [new WholeFloat(1), 2.5] }, { xs: [1, 2.5] }).differences).toEqual([]);
    expect(compareMetadata({ xs: [1, 2] }, { xs: [new WholeFloat(1), new WholeFloat(2)] }).differences).toEqual(['xs: the source has float[] [1.0, 2.0], the target int[] [1, 2]']);
  });

  it('says which side holds which value: the source changed v2 to v3, the target still has v2', () => {
    expect(compareMetadata({ tag: 'v2' }, { tag: 'v3' }).differences).toEqual(['tag: the source has string "v3", the target string "v2"']);
    expect(compareMetadata({}, { tag: 'v3' }).differences).toEqual(['tag: the source has string "v3", the target no such key']);
    expect(compareMetadata({ tag: 'v2' }, {}).differences).toEqual(['tag: the target has string "v2", the source no such key']);
    expect(compareMetadata({ tag: 'v2' }, { tag: 'v3' }, { stored: 'the target', expected: 'the backup' }).differences).toEqual(['tag: the backup has string "v3", the target string "v2"']);
  });

  it('a sparse vector the target does not hold is reported apart; an empty list a single node drops is not a loss', () => {
    const sparse = { '#type': 'sparse_vector' as const, indices: [1], values: [0.5], tokens: null };
    expect(compareMetadata({ a: 1 }, { a: 1, s: sparse, e: [] })).toEqual({ differences: [], sparseNotCarried: ['s'] });
  });
});

describe('metadata floats compare as f64 bits', () => {
  it('names 1e-300 → 3e-300, π → float32(π), 3.25 → 3.2500001 and -0.0 → 0.0', () => {
    const want = { a: 1e-300, b: Math.PI, c: 3.25, d: new WholeFloat(-0) };
    const got = { a: 3e-300, b: Math.fround(Math.PI), c: 3.2500001, d: new WholeFloat(0) };
    expect(compareMetadata(got, want).differences).toEqual([
      'a: the source has float 1e-300, the target float 3e-300',
      `b: the source has float ${Math.PI}, the target float ${Math.fround(Math.PI)}`,
      'c: the source has float 3.25, the target float 3.2500001',
      'd: the source has float -0.0, the target float 0.0',
    ]);
    expect(compareMetadata({ ...want }, want).differences).toEqual([]);
  });
});
