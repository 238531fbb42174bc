import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { GetPage } from '../../src/core/chroma/wire-types.js';
import { sameEmbedding } from '../../src/core/sinks/verifier/checker.js';
import { useChromaServer } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { QWEN_EF, qwenRecords, seedQwenCollection } from '../helpers/embeddings-collection.js';
import { modelVector, startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.js';

const F = 1;
const G = 2;
const N = 5_000;
const chroma = useChromaServer();
let g: EmbeddingsServer;
let gSlow: EmbeddingsServer;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-reembed-'));
  g = await startEmbeddingsServer({ seed: G, dim: 48, maxInputs: 16, rateLimitEvery: 7, delayMs: 20 });
  // Slow enough that a kill lands mid-run; the same function as g.
  gSlow = await startEmbeddingsServer({ seed: G, dim: 48, delayMs: 60 });
  await seedQwenCollection(chroma.url, 'big', qwenRecords(N, F, { prefix: 'big' }));
  await seedQwenCollection(chroma.url, 'mixed', qwenRecords(200, F, { prefix: 'mix', undocumentedEvery: 20 }));
});
afterAll(async () => {
  await Promise.all([g?.close(), gSlow?.close()]);
  await rm(dir, { recursive: true, force: true });
});

const api = () => new ChromaApi(endpoint({ url: chroma.url }));

async function readAll(name: string): Promise<GetPage & { id: string }> {
  const info = (await api().findCollection(name))!;
  const page = await api().get(info.id, { limit: 100_000, offset: 0, include: ['embeddings', 'documents', 'metadatas', 'uris'] });
  return { ...page, id: info.id };
}

function committedOf(statePath: string, collection: string): number {
  if (!existsSync(statePath)) return 0;
  try {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { imports: Array<{ collection: string; committed: number }> };
    return state.imports.find((checkpoint) => checkpoint.collection === collection)?.committed ?? 0;
  } catch {
    return 0;
  }
}

describe('embeddings reembed --as NEW', () => {
  it(`${N.toLocaleString('en-US')} records through G, killed with kill -9 once, then re-run: G's vectors, everything else equal, the original untouched`, async () => {
    const statePath = join(dir, 'state.json');
    const args = ['embeddings', 'reembed', '--collections', 'big', '--as', 'big_g', '--endpoint', gSlow.url, '--api', 'ollama', '--model', 'g-model', '--url', chroma.url, '--yes', '--state', statePath];
    const child = spawnCli(args);
    const exited = exitOf(child);
    // Kill once part of it is committed (and not all of it).
    for (let waited = 0; committedOf(statePath, 'big_g') < 1_000 && waited < 240_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    const atKill = committedOf(statePath, 'big_g');
    child.kill('SIGKILL');
    await exited;
    expect(atKill).toBeGreaterThanOrEqual(1_000);
    expect(atKill).toBeLessThan(N);

    const started = Date.now();
    const rerun = await runCli(args);
    console.log(`reembed ${N}: killed at ${atKill} committed; the re-run finished in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${rerun.code})`);
    expect(rerun.stderr).toContain(`resuming at ${atKill.toLocaleString('en-US')}`);
    expect(rerun.stderr).toMatch(/✓ big_g: 5,000 records re-embedded from "big" \(32-d → 48-d\), resumed at/);
    expect(rerun.stderr).toContain('records equal  5,000 of 5,000');
    expect(rerun.stderr).toContain('"big" unchanged while this ran (count and configuration read again)');
    expect(rerun.code).toBe(0);

    const original = await readAll('big');
    const copy = await readAll('big_g');
    expect(copy.ids.length).toBe(N);
    const index = new Map(copy.ids.map((id, i) => [id, i]));
    let vectorsEqual = 0;
    original.ids.forEach((id, i) => {
      const j = index.get(id)!;
      expect(copy.documents?.[j]).toBe(original.documents?.[i]);
      expect(copy.metadatas?.[j]).toEqual(original.metadatas?.[i]);
      expect(copy.uris?.[j] ?? null).toBe(original.uris?.[i] ?? null);
      if (sameEmbedding(copy.embeddings?.[j] ?? null, modelVector(G, original.documents?.[i] as string, 48), 'cosine')) vectorsEqual++;
      // The original keeps F's vectors.
      expect(sameEmbedding(original.embeddings?.[i] ?? null, modelVector(F, original.documents?.[i] as string, 32), 'cosine')).toBe(true);
    });
    expect(vectorsEqual).toBe(N);
    const bigInfo = (await api().findCollection('big'))!;
    expect(bigInfo.configuration_json?.embedding_function).toEqual(QWEN_EF);
    const newInfo = (await api().findCollection('big_g'))!;
    expect(newInfo.configuration_json?.embedding_function).toEqual({ type: 'known', name: 'ollama', config: { url: gSlow.url, model_name: 'g-model', timeout: 60 } });
    expect(newInfo.metadata).toEqual({ team: 'search' });
  }, 600_000);

  it('records without a document are named and left out; --keep-undocumented refuses another dimension; batches the endpoint finds too large are halved; 429s are retried', async () => {
    const run = await runCli(['embeddings', 'reembed', '--collections', 'mixed', '--as', 'mixed_g', '--endpoint', `${g.url}/v1`, '--model', 'g', '--url', chroma.url, '--yes', '--embed-batch', '64']);
    expect(run.stderr).toContain('no document    10 records (mix-00019, mix-00039');
    expect(run.stderr).toContain('left out: nothing to embed');
    expect(run.stderr).toContain('records equal  190 of 190');
    expect(run.code).toBe(0);
    expect(g.stats.rateLimited).toBeGreaterThan(0);
    // Concurrent, within the limit: 4 embedding requests in flight by default.
    expect(g.stats.maxInFlight).toBeGreaterThan(1);
    expect(g.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(await api().count((await api().findCollection('mixed_g'))!.id)).toBe(190);

    const keep = await runCli(['embeddings', 'reembed', '--collections', 'mixed', '--as', 'mixed_keep', '--endpoint', `${g.url}/v1`, '--model', 'g', '--url', chroma.url, '--yes', '--keep-undocumented']);
    expect(keep.code).toBe(1);
    expect(keep.stderr).toContain('32-d vectors, but the endpoint\'s are 48-d');
    expect(await api().findCollection('mixed_keep')).toBeNull();
  });

  it('--keep-undocumented at the same dimension keeps their old vectors; Ctrl-C stops with 130 and the same command continues', async () => {
    const same = await startEmbeddingsServer({ seed: G, dim: 32, delayMs: 30 });
    try {
      const statePath = join(dir, 'keep-state.json');
      const args = ['embeddings', 'reembed', '--collections', 'mixed', '--as', 'mixed_keep32', '--endpoint', same.url, '--api', 'ollama', '--model', 'g', '--url', chroma.url, '--yes', '--keep-undocumented', '--batch', '20', '--state', statePath];
      // Ctrl-C as a terminal sends it: SIGINT to the CLI's process, which stops at a safe point.
      const child = spawnCli(args);
      const exited = exitOf(child);
      while (committedOf(statePath, 'mixed_keep32') < 40 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(child.output()).toContain('Run the same command again to continue from there.');
      const again = await runCli(args);
      expect(again.stderr).toContain('resuming at');
      expect(again.stderr).toContain('records equal  200 of 200');
      expect(again.stderr).toContain('kept with their old vector');
      expect(again.code).toBe(0);
    } finally {
      await same.close();
    }
  });
});
