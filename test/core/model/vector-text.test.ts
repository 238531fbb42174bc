import { describe, expect, it } from 'vitest';
import { keepVectorText, releaseVectorText, vectorTextOf } from '../../../src/core/model/vector-text.js';

const MIB = 1 << 20;

describe('vector texts', () => {
  it('hold at most 16 MiB at once; released, their room is used again', () => {
    const page = Buffer.alloc(MIB, 0x31);
    const kept = Array.from({ length: 17 }, () => {
      const vector = new Float32Array(1);
      keepVectorText(vector, page, 0, MIB);
      return vector;
    });
    // Each text fills a chunk: the 17th is past the budget and keeps none (its read-back is parsed).
    expect(kept.slice(0, 16).every((vector) => vectorTextOf(vector) !== undefined)).toBe(true);
    expect(vectorTextOf(kept[16])).toBeUndefined();
    const chunks = new Set(kept.slice(0, 16).map((vector) => vectorTextOf(vector)!.bytes));
    for (const vector of kept) releaseVectorText(vector);
    expect(vectorTextOf(kept[0])).toBeUndefined();
    const again = new Float32Array(1);
    keepVectorText(again, Buffer.from('[1.5]'), 0, 5);
    const text = vectorTextOf(again)!;
    expect(chunks.has(text.bytes)).toBe(true);
    expect(text.bytes.toString('latin1', text.start, text.end)).toBe('[1.5]');
  });

  it('a chunk is not used again while one text in it is still needed', () => {
    const first = new Float32Array(1);
    const second = new Float32Array(1);
    keepVectorText(first, Buffer.from('[1]'), 0, 3);
    keepVectorText(second, Buffer.from('[2]'), 0, 3);
    releaseVectorText(first);
    releaseVectorText(first); // twice is once
    const third = new Float32Array(1);
    keepVectorText(third, Buffer.from('[3]'), 0, 3);
    const text = vectorTextOf(second)!;
    expect(text.bytes.toString('latin1', text.start, text.end)).toBe('[2]');
    expect(vectorTextOf(42)).toBeUndefined();
  });
});
