import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS_PATH, rawChroma, useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { qwenRecords, seedQwenCollection } from '../helpers/embeddings-collection.js';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.js';

// Chroma 1.0.x: no schema, the EF only in configuration_json.
const chroma = useChromaServer({ release: 'old' });
let f: EmbeddingsServer;
let g: EmbeddingsServer;

beforeAll(async () => {
  f = await startEmbeddingsServer({ seed: 1 });
  g = await startEmbeddingsServer({ seed: 2, dim: 24 });
  await seedQwenCollection(chroma.url, 'old_docs', qwenRecords(400, 1, { prefix: 'old' }));
});
afterAll(async () => {
  await Promise.all([f?.close(), g?.close()]);
});

describe('embeddings on a server without schemas (bindings 1.0.1)', () => {
  it('check passes, repoint reads back ollama, reembed writes and verifies a new collection', async () => {
    const flags = ['--url', chroma.url, '--model', 'qwen3-embedding:0.6b'];
    const check = await runCli(['embeddings', 'check', '--collections', 'old_docs', '--endpoint', f.url, '--api', 'ollama', ...flags]);
    expect(check.stderr).toContain('✓ old_docs: same model');
    expect(check.code).toBe(0);

    const repoint = await runCli(['embeddings', 'repoint', '--collections', 'old_docs', '--endpoint', f.url, '--api', 'ollama', '--yes', ...flags]);
    expect(repoint.code).toBe(0);
    const raw = JSON.parse(await rawChroma(chroma.url, 'GET', `${COLLECTIONS_PATH}/old_docs`));
    expect(raw.configuration_json.embedding_function).toEqual({ type: 'known', name: 'ollama', config: { url: f.url, model_name: 'qwen3-embedding:0.6b', timeout: 60 } });

    const reembed = await runCli(['embeddings', 'reembed', '--collections', 'old_docs', '--as', 'old_docs_g', '--endpoint', `${g.url}/v1`, '--yes', ...flags]);
    expect(reembed.stderr).toContain('records equal  400 of 400');
    expect(reembed.stderr).toContain('(32-d → 24-d)');
    expect(reembed.code).toBe(0);
  });
});
