import { describe, expect, it } from 'vitest';
import { compareVectors, cosine } from '../../../src/core/embeddings/compare.js';
import { instructionsOf, withInstruction } from '../../../src/core/embeddings/instructions.js';
import { sparseKeysOf } from '../../../src/core/embeddings/sparse.js';

describe('does an endpoint reproduce the stored vectors', () => {
  const pair = (id: string, stored: number[], computed: number[]) => ({ id, stored, computed });

  it('same when every cosine is ≥ 0.999; close on a high median; different otherwise; dimension first', () => {
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(compareVectors([pair('a', [1, 0], [1, 0.01]), pair('b', [0, 1], [0, 1])]).agreement).toBe('same');
    const close = compareVectors([pair('a', [1, 0], [1, 0.2]), pair('b', [0, 1], [0, 1]), pair('c', [1, 1], [1, 1])]);
    expect(close.agreement).toBe('close');
    expect(close.worst[0]?.id).toBe('a');
    const different = compareVectors([pair('a', [1, 0], [0, 1]), pair('b', [0, 1], [1, 0]), pair('c', [1, 1], [1, 1])]);
    expect(different).toMatchObject({ agreement: 'different', min: 0, median: 0 });
    expect(compareVectors([pair('a', [1, 0, 0], [1, 0])])).toMatchObject({ agreement: 'dimension', storedDimension: 3, endpointDimension: 2 });
  });
});

describe("Qwen3's instructions as chroma-cloud-qwen keeps them", () => {
  it('documents bare with the default task, queries with the instruction in Qwen\'s format', () => {
    const ef = { type: 'known', name: 'chroma-cloud-qwen', config: { model: 'Qwen/Qwen3-Embedding-0.6B', task: 'nl_to_code' } };
    const found = instructionsOf(ef);
    expect(found.documents).toBe('');
    expect(found.query).toMatch(/^Given a question about coding/);
    expect(withInstruction(found.documents, 'def f(): pass')).toBe('def f(): pass');
    expect(withInstruction('Find code', 'sort a list')).toBe('Instruct: Find code\nQuery:sort a list');
    expect(instructionsOf({ ...ef, config: { ...ef.config, task: null } })).toEqual({ task: null, documents: '', query: '' });
    expect(instructionsOf({ type: 'known', name: 'openai', config: {} }).query).toBe('');
  });
});

describe('sparse keys a single node cannot hold', () => {
  it('names each sparse index key with its function', () => {
    const info = {
      id: 'x',
      name: 'hybrid',
      metadata: null,
      schema: {
        defaults: {},
        keys: {
          sparse_embedding: { sparse_vector: { sparse_vector_index: { enabled: false, config: { embedding_function: { type: 'known', name: 'chroma-cloud-splade', config: {} } } } } },
          '#document': { string: { fts_index: { enabled: true } } },
        },
      },
    };
    expect(sparseKeysOf(info)).toEqual([{ key: 'sparse_embedding', function: 'chroma-cloud-splade' }]);
  });
});
