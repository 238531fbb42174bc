import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionHeader } from '../../src/core/model/record.js';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { detectCapabilities } from '../../src/core/chroma/capabilities.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { importBackup } from '../../src/core/operations/import.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

/** The shape the JS and Python OpenAI embedding functions persist (clients/new-js/…/openai). */
const OPENAI_EF = {
  type: 'known',
  name: 'openai',
  config: { api_key_env_var: 'OPENAI_API_KEY', model_name: 'text-embedding-3-small' },
};
const TUNED_HNSW = { space: 'cosine', ef_construction: 200, max_neighbors: 32 };

const records = makeRecords(120, { dim: 8, nullDocEvery: 7 });

/**
 * What a Chroma Cloud collection looks like in a backup: SPANN, CMEK, an enabled sparse index
 * and a full-text setting newer than 1.5.9 (shapes from rust/types/src/collection_schema.rs).
 */
function cloudHeader(): CollectionHeader {
  const spann = { search_nprobe: 64, ef_search: 150, ef_construction: 200, max_neighbors: 64, write_nprobe: 32, quantize: 'four_bit_rabit_q_with_u_search' };
  const vector = (enabled: boolean, sourceKey?: string) => ({
    enabled,
    config: { space: 'cosine', embedding_function: OPENAI_EF, ...(sourceKey ? { source_key: sourceKey } : {}), spann },
  });
  const inverted = (enabled: boolean) => ({ enabled, config: {} });
  return {
    name: 'cloud_docs',
    metadata: { team: 'search' },
    space: 'cosine',
    count: records.length,
    dimension: 8,
    configuration: { spann: { space: 'cosine', ...spann }, embedding_function: OPENAI_EF },
    schema: {
      defaults: {
        string: { fts_index: inverted(false), string_inverted_index: inverted(true) },
        float_list: { vector_index: vector(false) },
        int: { int_inverted_index: inverted(true) },
        float: { float_inverted_index: inverted(true) },
        bool: { bool_inverted_index: inverted(true) },
      },
      keys: {
        '#embedding': { float_list: { vector_index: vector(true, '#document') } },
        '#document': { string: { fts_index: { enabled: true, config: { algorithm: 'token_bitmap' } }, string_inverted_index: inverted(false) } },
        category: { string: { string_inverted_index: inverted(false) } },
        sparse: {
          sparse_vector: {
            sparse_vector_index: { enabled: true, config: { embedding_function: { type: 'known', name: 'chroma-cloud-splade', config: {} }, source_key: '#document', bm25: false } },
          },
        },
      },
      cmek: { gcp: 'projects/p/locations/us/keyRings/r/cryptoKeys/k' },
    },
  };
}

async function writeOwnBackup(path: string, header: CollectionHeader): Promise<void> {
  const writer = await BackupWriter.open(path, { source: { url: 'https://api.trychroma.com', tenant: 't', database: 'd', cloud: true } });
  await writer.writeCollectionHeader(header);
  await writer.writeRecords(records);
  await writer.writeCollectionEnd(header.name, records.length);
  await writer.finish();
}

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
      expect(capabilities).toMatchObject(release === 'old' ? { schema: false, arrays: false } : { schema: true, arrays: true });
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

    it('a Chroma Cloud collection (SPANN, CMEK, sparse index) arrives as HNSW with its space, EF and ef_search; the rest is named', async () => {
      const target = endpoint({ url: chroma.url });
      const input = join(dir, 'cloud.jsonl');
      await writeOwnBackup(input, cloudHeader());
      const statePath = join(dir, 'state-cloud.json');
      const imported = await importBackup({ input, target, ifExists: 'abort', statePath });
      const result = imported.collections[0]!;
      expect(result).toMatchObject({ count: 120, missing: 0, differences: [] });
      const leftOut = result.leftOut.map((item) => item.field);
      expect(leftOut).toEqual(expect.arrayContaining(['spann.search_nprobe', 'spann.write_nprobe', 'spann.quantize']));
      if (release === 'bundled') {
        expect(leftOut).toEqual(
          expect.arrayContaining(['cmek', 'keys.sparse.sparse_vector.sparse_vector_index', 'keys.#document.string.fts_index.config.algorithm']),
        );
      } else {
        expect(leftOut).toContain('schema');
      }

      const info = await new ChromaApi(target).findCollection('cloud_docs');
      expect(info?.configuration_json).toMatchObject({ hnsw: { space: 'cosine', ef_search: 150 }, spann: null, embedding_function: OPENAI_EF });
      expect(info?.metadata).toEqual({ team: 'search' });
      if (release === 'bundled') {
        const keys = info?.schema?.keys as Record<string, any>;
        expect(keys.category.string.string_inverted_index.enabled).toBe(false);
        expect(keys['#document'].string.fts_index.enabled).toBe(true);
      }
      const verdict = await verifyBackup({ input, target, statePath });
      expect(verdict.collections[0]?.settings?.differences).toEqual([]);
      expect(verdict.ok).toBe(true);
    });

    it('0.x "hnsw:*" metadata travels as configuration; machine-bound keys are named', async () => {
      const target = endpoint({ url: chroma.url });
      const input = join(dir, 'legacy.json');
      const metadata = { 'hnsw:space': 'ip', 'hnsw:construction_ef': 150, 'hnsw:M': 24, 'hnsw:search_ef': 40, 'hnsw:batch_size': 50, team: 'legacy' };
      await writePythonRowsJson(input, 'legacy_docs', records, { metadata });
      const imported = await importBackup({ input, target, ifExists: 'abort', statePath: join(dir, 'state-legacy.json') });
      expect(imported.collections[0]).toMatchObject({ missing: 0, differences: [], leftOut: [expect.objectContaining({ field: 'hnsw:batch_size' })] });
      const info = await new ChromaApi(target).findCollection('legacy_docs');
      expect(info?.configuration_json?.hnsw).toMatchObject({ space: 'ip', ef_construction: 150, max_neighbors: 24, ef_search: 40 });
      expect(info?.metadata).toEqual({ team: 'legacy' });
    });

    it('a server that creates the collection otherwise than asked: import names each difference and exits 1', async () => {
      // It takes the create request but keeps other metadata than it was sent.
      const proxy = await startFaultProxy(chroma.url, {
        alterBody: { paths: /\/collections$/, change: (body) => ({ ...body, metadata: { team: 2 } }) },
      });
      try {
        const env = { CHROMA_MIGRATE_STATE: join(dir, 'state-otherwise.json') };
        const imported = await runCli(['import', '--input', join(dir, 'docs.jsonl.gz'), '--as', 'docs_otherwise', '--if-exists', 'abort', '--url', proxy.url], env);
        expect(imported.code).toBe(1);
        expect(imported.stderr).toContain('✗ ');
        expect(imported.stderr).toContain('metadata.team: expected string "search", the target has int 2');
      } finally {
        await proxy.close();
      }
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
