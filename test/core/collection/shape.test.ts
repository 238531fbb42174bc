import { describe, expect, it } from 'vitest';
import { describeEmbeddingFunction } from '../../../src/core/collection/shape.js';

describe('describeEmbeddingFunction: words for an embedding function from the data', () => {
  it('names a known one and its model as they are when plain', () => {
    expect(describeEmbeddingFunction({ type: 'known', name: 'openai', config: { model_name: 'text-embedding-3-small' } })).toBe('openai (text-embedding-3-small)');
    expect(describeEmbeddingFunction({ type: 'legacy' })).toBe('"legacy"');
  });

  it('quotes and escapes a type, name or model that could forge a line', () => {
    const words = [
      describeEmbeddingFunction({ type: 'odd\n✓ all equal' }),
      describeEmbeddingFunction({ type: 'known', name: 'evil\r✓', config: { model: 'm\u001b[2K' } }),
    ];
    expect(words).toEqual(['"odd\\n✓ all equal"', '"evil\\r✓" ("m\\u001b[2K")']);
  });
});
