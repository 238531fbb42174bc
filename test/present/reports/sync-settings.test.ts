import { describe, expect, it } from 'vitest';
import type { SettingDifference } from '../../../src/core/collection/settings-fix.js';
import { syncSettingsLines } from '../../../src/present/reports/sync-settings.js';

const RECREATE = ['chroma-migrate copy --collections docs --if-exists recreate'];
const efSearch: SettingDifference[] = [
  { field: 'hnsw.ef_search', expected: '100', actual: '50', fix: 'configuration' },
  { field: 'schema.keys.#embedding.float_list.vector_index.config.hnsw.ef_search', expected: 'int 100', actual: 'int 50', fix: 'configuration' },
];

describe("sync's advice for a collection setting", () => {
  it('ef_search, in the configuration and the schema: one PUT, no recreate', () => {
    const text = syncSettingsLines(efSearch, RECREATE).join('\n');
    expect(text).toContain('PUT /api/v2/tenants/…/collections/{id} {"new_configuration": {"hnsw": {"ef_search": 100}}}.');
    expect(text).not.toMatch(/recreate|fixed when/);
  });

  it('a schema key that comes with the records: nothing to do on a dry run, no ✗ and no recreate', () => {
    const key: SettingDifference[] = [{ field: 'schema.keys.brand_new_key.bool.bool_inverted_index', expected: 'enabled', actual: 'absent', fix: 'records' }];
    const text = syncSettingsLines(key, RECREATE, true).join('\n');
    expect(text).toContain("metadata key brand_new_key not in the target's schema yet: the records this sync sends bring it, indexed by the target's defaults");
    expect(text).not.toMatch(/✗|recreate it/);
  });

  it('a space names the recreate, and the settable parameter beside it its PUT', () => {
    const text = syncSettingsLines([...efSearch, { field: 'space', expected: 'cosine', actual: 'l2', fix: 'recreate' }], RECREATE).join('\n');
    expect(text).toContain('Of these, the search settings can be set on the existing collection');
    expect(text).toContain('Space is fixed when a collection is created: recreate it from the source');
    expect(text).toContain(`        ${RECREATE[0]}`);
  });
});
