/**
 * The collection itself in the wizard: a backup that does not record its distance space is
 * asked about in words at step 5, a backup holding sparse vectors (which a self-hosted server
 * cannot store) stops with nothing written and imports the rest only when the user picks that,
 * and the Done screen names what the app needs for the embedding functions the moved
 * collections carry.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { makeRecords, writePythonColumnsJson } from '../helpers/fixtures.js';
import { KEY, press, select, typeLine, waitForFrame } from '../helpers/ink.js';
import { mountWizard, standingOn, testServices, useFolderAndServer } from './harness.js';

const world = useFolderAndServer();

describe('step 5: a backup that does not record its distance space', () => {
  it('asks which space in words, writes nothing before the answer, and creates the collection with it', async () => {
    const backupPath = join(world.dir, 'columns.json');
    await writePythonColumnsJson(backupPath, 'no_space_docs', makeRecords(30, { dim: 4 }));
    const target = endpoint({ url: world.url });
    const app = mountWizard(testServices({ dir: world.dir, env: {} }), standingOn('import'), { backupPath, target });
    try {
      const asked = await waitForFrame(app, 'How did "no_space_docs" compare embeddings?', 40_000);
      expect(asked).toContain('does not record its distance space');
      expect(await new ChromaApi(target).findCollection('no_space_docs')).toBeNull();
      // Nothing is preselected: Enter alone answers nothing.
      expect(asked).not.toContain('❯');
      await press(app, KEY.enter);
      expect(await new ChromaApi(target).findCollection('no_space_docs')).toBeNull();
      await press(app, KEY.down);
      await select(app, 'cosine');
      const finished = await waitForFrame(app, 'Continue to step 6', 40_000);
      expect(finished).toContain('no_space_docs: 30 of 30 records');
      expect((await new ChromaApi(target).findCollection('no_space_docs'))?.configuration_json?.hnsw?.space).toBe('cosine');
    } finally {
      app.stop();
    }
  });
});

describe('step 5: delete and recreate never changes what the collection meant', () => {
  it('asks for the name, keeps the cosine space and the embedding function the backup does not record', async () => {
    const backupPath = join(world.dir, 'kept.json');
    await writePythonColumnsJson(backupPath, 'kept_docs', makeRecords(30, { dim: 4 }));
    const target = endpoint({ url: world.url });
    const api = new ChromaApi(target);
    const openai = { type: 'known', name: 'openai', config: { api_key_env_var: 'OPENAI_API_KEY', model_name: 'text-embedding-3-small' } };
    const before = await api.createCollection({ name: 'kept_docs', metadata: null, configuration: { hnsw: { space: 'cosine' }, embedding_function: openai } });
    await api.upsert(before.id, makeRecords(5, { dim: 4, prefix: 'old-' }), { base64: false });
    const app = mountWizard(testServices({ dir: world.dir, env: {} }), standingOn('import'), { backupPath, target });
    try {
      await waitForFrame(app, 'already exists', 40_000);
      await select(app, 'Delete it');
      await waitForFrame(app, 'Type its name');
      await typeLine(app, 'kept');
      expect(await waitForFrame(app, 'nothing was deleted')).toContain('"kept" is not "kept_docs"');
      expect(await api.count(before.id)).toBe(5);
      await typeLine(app, 'kept_docs');
      const finished = await waitForFrame(app, 'Continue to step 6', 40_000);
      expect(finished).toContain('kept_docs: 30 of 30 records (recreated)');
      expect(finished.replace(/\s+/g, ' ')).toContain('recreated with the cosine space and its embedding function (openai');
      const after = await api.findCollection('kept_docs');
      expect(after?.id).not.toBe(before.id);
      expect(after?.configuration_json?.hnsw?.space).toBe('cosine');
      expect(after?.configuration_json?.embedding_function).toMatchObject({ name: 'openai' });
      expect(await api.count(after!.id)).toBe(30);
    } finally {
      app.stop();
      await api.deleteCollection('kept_docs').catch(() => undefined);
    }
  });
});

describe('the Done screen', () => {
  it('names the env var and the @chroma-core package each embedding function needs, and warns about a Chroma-hosted one', async () => {
    const target = endpoint({ url: world.url });
    const api = new ChromaApi(target);
    await api.createCollection({
      name: 'openai_docs',
      metadata: null,
      configuration: { embedding_function: { type: 'known', name: 'openai', config: { api_key_env_var: 'OPENAI_API_KEY', model_name: 'text-embedding-3-small' } } },
    });
    await api.createCollection({
      name: 'qwen_docs',
      metadata: null,
      configuration: { embedding_function: { type: 'known', name: 'chroma-cloud-qwen', config: { model: 'Qwen/Qwen3-Embedding-0.6B', task: 'nl_to_code' } } },
    });
    const state = { ...standingOn('ingest'), screen: 'done' as const };
    state.steps.ingest = 'done';
    const app = mountWizard(testServices({ dir: world.dir, env: {} }), state, { target });
    try {
      const shown = await waitForFrame(app, 'embeds query text with chroma-cloud-qwen', 20_000);
      expect(shown).toContain('"openai_docs" embeds query text with openai:');
      expect(shown).toContain('set OPENAI_API_KEY where your app runs');
      expect(shown).toContain('JS apps: npm install @chroma-core/openai');
      expect(shown).toContain('hosted by Chroma: queries still call Chroma Cloud with your Cloud key');
      expect(shown).toContain('with your own model: chroma-migrate embeddings check --endpoint URL --model M');
      expect(Math.max(...shown.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    } finally {
      app.stop();
    }
  });
});

describe('step 5: a backup with sparse vectors', () => {
  it('stops before writing, says why, and imports without them only when the user picks that', async () => {
    const backupPath = join(world.dir, 'hybrid.jsonl');
    const writer = await BackupWriter.open(backupPath);
    await writer.writeCollectionHeader({ name: 'hybrid_docs', metadata: null, space: 'l2', count: 2, dimension: 2 });
    const sparse = { '#type': 'sparse_vector' as const, indices: [1], values: [0.5], tokens: null };
    await writer.writeRecords([
      { id: 'a', document: 'x', metadata: { splade: sparse, topic: 't' }, embedding: [0.1, 0.2], uri: null },
      { id: 'b', document: 'y', metadata: { topic: 'u' }, embedding: [0.3, 0.4], uri: null },
    ]);
    await writer.writeCollectionEnd('hybrid_docs', 2);
    await writer.finish();
    const target = endpoint({ url: world.url });

    const app = mountWizard(testServices({ dir: world.dir, env: {} }), standingOn('import'), { backupPath, target });
    try {
      const stopped = await waitForFrame(app, 'Import without the sparse vectors', 40_000);
      expect(stopped).toContain('sparse vectors in metadata "splade" (1 record)');
      expect(stopped).toContain('Nothing was written');
      // Nothing destructive or lossy is preselected.
      expect(stopped).toMatch(/❯ Back to the connection test/);
      expect(await new ChromaApi(target).findCollection('hybrid_docs')).toBeNull();

      await select(app, 'Import without the sparse vectors');
      const finished = await waitForFrame(app, 'Continue to step 6', 40_000);
      expect(finished).toContain('hybrid_docs: 2 of 2 records');
      expect(finished).toContain('Leaving out sparse vectors');
    } finally {
      app.stop();
    }
  });
});
