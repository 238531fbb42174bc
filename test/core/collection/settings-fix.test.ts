import { describe, expect, it } from 'vitest';
import type { CollectionInfo } from '../../../src/core/chroma/api.js';
import { settingFix } from '../../../src/core/collection/settings-fix.js';

/** A target collection whose schema defaults index bools (as a 1.5.9 server's do) and not strings' full text. */
const target = {
  id: 'x',
  name: 'docs',
  metadata: null,
  schema: { defaults: { bool: { bool_inverted_index: { enabled: true, config: {} } }, string: { fts_index: { enabled: false, config: {} }, string_inverted_index: { enabled: true, config: {} } } }, keys: {} },
} as unknown as CollectionInfo;

const fix = (field: string, expected: string, actual: string) => settingFix({ field, expected, actual }, target);

describe('what mends a setting that differs', () => {
  it('a schema key the target lacks comes with the records, when its defaults are the source\'s settings for it', () => {
    expect(fix('schema.keys.brand_new_key.bool.bool_inverted_index', 'enabled', 'absent')).toBe('records');
    expect(fix('schema.keys.a.b.c.string.fts_index', 'disabled', 'absent')).toBe('records');
    // Sent, the key would be indexed by the defaults, not as the source has it.
    expect(fix('schema.keys.brand_new_key.bool.bool_inverted_index', 'disabled', 'absent')).toBe('recreate');
    expect(fix('schema.keys.brand_new_key.bool.bool_inverted_index', 'enabled', 'disabled')).toBe('recreate');
    expect(fix('schema.keys.#document.string.fts_index', 'enabled', 'absent')).toBe('recreate');
  });

  it('HNSW search parameters and the embedding function are set in place; the space and ef_construction are fixed', () => {
    expect(fix('hnsw.ef_search', '100', '50')).toBe('configuration');
    expect(fix('schema.keys.#embedding.float_list.vector_index.config.hnsw.ef_search', 'int 100', 'int 50')).toBe('configuration');
    expect(fix('schema.defaults.float_list.vector_index.config.hnsw.batch_size', 'int 100', 'int 200')).toBe('configuration');
    expect(fix('embedding_function', 'openai', 'none')).toBe('configuration');
    expect(fix('hnsw.ef_construction', '100', '50')).toBe('recreate');
    expect(fix('space', 'cosine', 'l2')).toBe('recreate');
    expect(fix('metadata.owner', 'string "team"', 'string "me"')).toBe('metadata');
  });
});
