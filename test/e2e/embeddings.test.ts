import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { COLLECTIONS_PATH, rawChroma, useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { QWEN_EF, qwenRecords, seedQwenCollection } from '../helpers/embeddings-collection.js';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.js';

const F = 1; // the function the collections were built with
const G = 2; // another model
const chroma = useChromaServer();
let f: EmbeddingsServer;
let g: EmbeddingsServer;
let fNumbers: EmbeddingsServer;

beforeAll(async () => {
  f = await startEmbeddingsServer({ seed: F, apiKey: 'sk-test-key-123' });
  g = await startEmbeddingsServer({ seed: G });
  fNumbers = await startEmbeddingsServer({ seed: F, ignoreBase64: true });
  await seedQwenCollection(chroma.url, 'code', qwenRecords(300, F, { undocumentedEvery: 25 }));
  await seedQwenCollection(chroma.url, 'code_b', qwenRecords(120, F, { prefix: 'b' }));
  await seedQwenCollection(chroma.url, 'code_c', qwenRecords(120, F, { prefix: 'c' }));
});
afterAll(async () => {
  await Promise.all([f?.close(), g?.close(), fNumbers?.close()]);
});

/** The collection as the server answers it, parsed from the raw text. */
async function rawCollection(name: string): Promise<{ configuration_json: { embedding_function: unknown }; schema?: unknown }> {
  return JSON.parse(await rawChroma(chroma.url, 'GET', `${COLLECTIONS_PATH}/${name}`));
}

describe('embeddings check: does an endpoint reproduce the stored vectors', () => {
  it('against the function the vectors came from (Ollama shape): exit 0, min cosine ≥ 0.999, the Qwen query instruction shown', async () => {
    const run = await runCli(['embeddings', 'check', '--collections', 'code', '--endpoint', f.url, '--api', 'ollama', '--model', 'qwen3-embedding:0.6b', '--url', chroma.url]);
    expect(run.stderr).toMatch(/✓ code: same model: min cosine 1\.0000 over 50 documents/);
    expect(run.stderr).toContain('chroma-cloud-qwen (Qwen/Qwen3-Embedding-0.6B) (hosted by Chroma Cloud');
    expect(run.stderr).toContain('"Instruct: Given a question about coding, retrieval code or passage that can solve user\'s question\\nQuery:" + query text');
    expect(run.stderr).toContain('next           chroma-migrate embeddings repoint --collections code');
    expect(run.code).toBe(0);
    expect(f.stats.models.has('qwen3-embedding:0.6b')).toBe(true);
  });

  it('against another function (OpenAI shape): exit 1, the median in words', async () => {
    const run = await runCli(['embeddings', 'check', '--collections', 'code', '--endpoint', `${g.url}/v1`, '--model', 'other-model', '--url', chroma.url, '--json']);
    expect(run.code).toBe(1);
    const answer = JSON.parse(run.stdout);
    expect(answer.ok).toBe(false);
    expect(answer.collections[0].comparison.agreement).toBe('different');
    expect(answer.collections[0].comparison.median).toBeLessThan(0.5);
    const words = await runCli(['embeddings', 'check', '--collections', 'code', '--endpoint', `${g.url}/v1`, '--model', 'other-model', '--url', chroma.url]);
    expect(words.stderr).toMatch(/✗ code: different: median cosine -?0\.\d{4} over 50 documents; these vectors came from another model/);
    expect(words.stderr).toContain('chroma-migrate embeddings reembed --collections code --as code_reembedded');
  });

  it('an OpenAI-compatible server that ignores encoding_format base64 is named (the JS openai client would misread it)', async () => {
    const run = await runCli(['embeddings', 'check', '--collections', 'code_b', '--endpoint', `${fNumbers.url}/v1/embeddings`, '--model', 'm', '--url', chroma.url]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('! base64');
  });

  it('a key from --api-key-env reaches the endpoint and is never printed', async () => {
    const run = await runCli(['embeddings', 'check', '--collections', 'code_b', '--endpoint', `${f.url}/v1`, '--model', 'm', '--api-key-env', 'EMBED_KEY', '--url', chroma.url], { EMBED_KEY: 'sk-test-key-123' });
    expect(run.code).toBe(0);
    expect(run.stderr + run.stdout).not.toContain('sk-test-key-123');
    const refused = await runCli(['embeddings', 'check', '--collections', 'code_b', '--endpoint', `${f.url}/v1`, '--model', 'm', '--api-key-env', 'EMBED_KEY', '--url', chroma.url], { EMBED_KEY: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the key');
  });
});

describe('a hybrid collection: sparse chroma-cloud-splade beside the dense Qwen', () => {
  it('check passes for the dense vectors and names the sparse key, what the app loses and --drop-sparse', async () => {
    const api = new ChromaApi(endpoint({ url: chroma.url }));
    const splade = { type: 'known', name: 'chroma-cloud-splade', config: { api_key_env_var: 'CHROMA_API_KEY', model: 'prithivida/Splade_PP_en_v1' } };
    const created = await api.createCollection({
      name: 'hybrid',
      metadata: null,
      schema: {
        defaults: {},
        keys: {
          '#embedding': { float_list: { vector_index: { enabled: true, config: { space: 'cosine', embedding_function: QWEN_EF, source_key: '#document' } } } },
          sparse_embedding: { sparse_vector: { sparse_vector_index: { enabled: false, config: { embedding_function: splade, source_key: '#document' } } } },
        },
      },
    });
    await api.upsert(created.id, qwenRecords(60, F, { prefix: 'h' }), { base64: true });
    const run = await runCli(['embeddings', 'check', '--collections', 'hybrid', '--endpoint', f.url, '--api', 'ollama', '--model', 'q', '--url', chroma.url]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('"sparse_embedding" holds chroma-cloud-splade sparse vectors: a single Chroma node cannot store or search them');
    expect(run.stderr).toContain('--drop-sparse');
    expect(run.stderr).toContain('dense queries keep working');
  });
});

describe('ping names the command when a collection embeds through Chroma Cloud', () => {
  it('what the app needs: the collections and the command', async () => {
    const run = await runCli(['ping', '--url', chroma.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/! What the app needs: .*"code".* embed query text through Chroma Cloud \(chroma-cloud-qwen\)/);
    expect(run.stdout).toMatch(/With a model you run: chroma-migrate embeddings check --collections [a-z_,]+ --endpoint URL --model M/);
  });
});

describe('embeddings repoint: the collection\'s EF points at the endpoint, read back raw', () => {
  it('without a terminal and without --yes it changes nothing: exit 2', async () => {
    const run = await runCli(['embeddings', 'repoint', '--collections', 'code', '--endpoint', f.url, '--api', 'ollama', '--model', 'qwen3-embedding:0.6b', '--url', chroma.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('add --yes');
    expect((await rawCollection('code')).configuration_json.embedding_function).toEqual(QWEN_EF);
  });

  it('an endpoint that does not reproduce the vectors: not changed, exit 1', async () => {
    const run = await runCli(['embeddings', 'repoint', '--collections', 'code_c', '--endpoint', `${g.url}/v1`, '--model', 'x', '--url', chroma.url, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('✗ code_c: not changed — different');
    expect((await rawCollection('code_c')).configuration_json.embedding_function).toEqual(QWEN_EF);
  });

  it('ollama: {url, model_name, timeout} in every place the server keeps it; the app code names @chroma-core/ollama', async () => {
    const run = await runCli(['embeddings', 'repoint', '--collections', 'code', '--endpoint', f.url, '--api', 'ollama', '--model', 'qwen3-embedding:0.6b', '--url', chroma.url, '--yes']);
    expect(run.stderr).toContain('embedding function changed and read back');
    expect(run.code).toBe(0);
    const want = { type: 'known', name: 'ollama', config: { url: f.url, model_name: 'qwen3-embedding:0.6b', timeout: 60 } };
    const raw = await rawCollection('code');
    expect(raw.configuration_json.embedding_function).toEqual(want);
    expect(JSON.stringify(raw.schema)).not.toContain('chroma-cloud-qwen');
    expect(run.stdout).toContain('npm install chromadb @chroma-core/ollama');
    expect(run.stdout).toContain('pip install chromadb ollama');
    expect(run.stdout).toContain('QUERY_PREFIX = "Instruct: Given a question about coding');
    expect(run.stdout).toContain('client.get_collection("code")');
  });

  it('openai with api_base and the key env var the config names', async () => {
    const run = await runCli(['embeddings', 'repoint', '--collections', 'code_b', '--endpoint', `${f.url}/v1`, '--model', 'Qwen/Qwen3-Embedding-0.6B', '--api-key-env', 'EMBED_KEY', '--url', chroma.url, '--yes'], { EMBED_KEY: 'sk-test-key-123' });
    expect(run.code).toBe(0);
    const raw = await rawCollection('code_b');
    expect(raw.configuration_json.embedding_function).toEqual({ type: 'known', name: 'openai', config: { api_key_env_var: 'EMBED_KEY', model_name: 'Qwen/Qwen3-Embedding-0.6B', api_base: `${f.url}/v1` } });
    expect(run.stdout).toContain('npm install chromadb @chroma-core/openai');
    expect(run.stdout).toContain('EMBED_KEY=');
    expect(run.stdout + run.stderr).not.toContain('sk-test-key-123');
  });
});
