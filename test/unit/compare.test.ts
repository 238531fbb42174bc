import { describe, expect, it } from 'vitest';
import { sameEmbedding, sameMetadata } from '../../src/core/verify.js';

describe('record comparison at the precision Chroma stores', () => {
  it('float64 text equal at float32 is equal; a cosine round trip one ulp off is equal', () => {
    expect(sameEmbedding([0.1, 0.2], [Math.fround(0.1), Math.fround(0.2)])).toBe(true);
    expect(sameEmbedding([0.5, 0.25, 0.125, 3.0000002], [0.5, 0.25, 0.125, 3])).toBe(true);
  });

  it('compares float32 as the server answer is read against numbers from the backup', () => {
    expect(sameEmbedding(Float32Array.of(0.1, 0.2, 3.0000002), [0.1, 0.2, 3])).toBe(true);
    expect(sameEmbedding(Float32Array.of(0.5, 0.25), [0.5, 0.2501])).toBe(false);
    expect(sameEmbedding(Float32Array.of(Number.NaN), [0.5])).toBe(false);
  });

  it('a real change, another length, or null against a vector differs', () => {
    expect(sameEmbedding([0.5, 0.25], [0.5, 0.2501])).toBe(false);
    expect(sameEmbedding([0.5], [0.5, 0])).toBe(false);
    expect(sameEmbedding(null, [0.5])).toBe(false);
    expect(sameEmbedding(null, null)).toBe(true);
  });

  it('null and empty metadata are the same to Chroma; values compare exactly', () => {
    expect(sameMetadata(null, {})).toBe(true);
    expect(sameMetadata({ a: 1, b: 'x' }, { b: 'x', a: 1 })).toBe(true);
    expect(sameMetadata({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameMetadata({ a: 1 }, { a: 1, b: true })).toBe(false);
  });
});
