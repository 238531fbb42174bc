import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { detectCapabilities } from '../../src/core/chroma/capabilities.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { exportCollections } from '../../src/core/export.js';
import { importBackup } from '../../src/core/import.js';
import { verifyBackup } from '../../src/core/verify.js';
import { useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

/** The shape the JS and Python OpenAI embedding functions persist (clients/new-js/…/openai). */
const OPENAI_EF = {
  type: 'known',
  name: 'openai',
  config: { api_key_env_var: 'OPENAI_API_KEY', model_name: 'text-embedding-3-small' },
};
const TUNED_HNSW = { space: 'cosine', ef_construction: 200, max_neighbors: 32 };

const records = makeRecords(120, { dim: 8, nullDocEvery: 7 });

for (const release of ['bundled', 'old'] as const) {
  describe(`the collection itself travels (${release === 'old' ? 'bindings 1.0.1: no schema' : 'newest bundled server'})`, () => {
    const chroma = useChromaServer({ release });
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cm-fidelity-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('the server says what it can hold', async () => {
      const capabilities = await detectCapabilities(new ChromaApi(endpoint({ url: chroma.url })));
      expect(capabilities).toEqual(release === 'old' ? { schema: false, arrays: false } : { schema: true, arrays: true });
    });

    it('an openai EF, cosine, ef_construction 200 and max_neighbors 32 survive export → import under another name → verify', async () => {
      const target = endpoint({ url: chroma.url });
      const api = new ChromaApi(target);
      const source = await api.createCollection({ name: 'docs', metadata: { team: 'search' }, configuration: { hnsw: TUNED_HNSW, embedding_function: OPENAI_EF } });
      await api.upsert(source.id, records, { base64: true });
      const out = join(dir, 'docs.jsonl.gz');
      const statePath = join(dir, 'state.json');
      await exportCollections({ source: target, out, collections: ['docs'], statePath });

      const imported = await importBackup({ input: out, target, renameTo: 'docs_copy', ifExists: 'abort', statePath });
      expect(imported.collections[0]).toMatchObject({ count: 120, missing: 0, leftOut: [], differences: [] });

      const verdict = await verifyBackup({ input: out, target, renameTo: 'docs_copy', statePath });
      expect(verdict.collections[0]?.settings?.differences).toEqual([]);
      expect(verdict.collections[0]?.settings?.app).toMatchObject({ name: 'openai', envVars: ['OPENAI_API_KEY'], jsPackage: '@chroma-core/openai' });
      expect(verdict.ok).toBe(true);

      const [original, copy] = [await api.findCollection('docs'), await api.findCollection('docs_copy')];
      expect(copy?.configuration_json).toEqual(original?.configuration_json);
      expect(copy?.configuration_json).toMatchObject({ hnsw: { ...TUNED_HNSW }, embedding_function: OPENAI_EF });
      expect(copy?.metadata).toEqual({ team: 'search' });
      if (release === 'bundled') expect(copy?.schema).toEqual(original?.schema);
      else expect(copy?.schema ?? null).toBeNull();
    });

    it('verify fails, naming the difference, when the target lost the embedding function', async () => {
      const target = endpoint({ url: chroma.url });
      const api = new ChromaApi(target);
      // A target made by hand (or by an older chroma-migrate): same space and HNSW, no EF.
      await api.createCollection({ name: 'docs_lost', metadata: { team: 'search' }, configuration: { hnsw: TUNED_HNSW } });
      const out = join(dir, 'docs.jsonl.gz');
      const env = { CHROMA_MIGRATE_STATE: join(dir, 'state-lost.json') };
      const imported = await runCli(['import', '--input', out, '--as', 'docs_lost', '--if-exists', 'append', '--url', chroma.url], env);
      expect(imported.code).toBe(0);

      const verified = await runCli(['verify', '--input', out, '--as', 'docs_lost', '--url', chroma.url], env);
      expect(verified.code).toBe(1);
      expect(verified.stderr).toContain('embedding_function: expected openai (text-embedding-3-small), the target has none');

      // Mended through the API, verify passes.
      const info = await api.findCollection('docs_lost');
      await api.updateConfiguration(info!.id, { embedding_function: OPENAI_EF });
      const again = await runCli(['verify', '--input', out, '--as', 'docs_lost', '--url', chroma.url], env);
      expect(again.stderr).not.toContain('embedding_function');
      expect(again.code).toBe(0);
    });
  });
}
