/**
 * A re-embed through a proxy that cuts every page read by offset to 100 records (a read limit
 * that truncates instead of refusing), against a REAL server: the pages read on from where each
 * cut answer ended, so no record is skipped by the pages (nothing left for the ids' mend to send),
 * and the proof compares every record, not the 100 of each page it was given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { qwenRecords, seedQwenCollection } from '../helpers/embeddings-collection.js';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const N = 1_000;
const CUT = 100;
const COLUMNS = ['ids', 'embeddings', 'documents', 'metadatas', 'uris'] as const;
const chroma = useChromaServer();
let g: EmbeddingsServer;
let cutting: FaultProxy;
let dir = '';

/** A `get` by offset answered with its first CUT records; a read by id passes whole. */
function cutPages(answer: Record<string, unknown>, request: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(request.ids)) return answer;
  const kept = { ...answer };
  for (const column of COLUMNS) {
    const values = answer[column];
    if (Array.isArray(values)) kept[column] = values.slice(0, CUT);
  }
  return kept;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-reembed-cut-'));
  g = await startEmbeddingsServer({ seed: 2, dim: 48 });
  await seedQwenCollection(chroma.url, 'orig', qwenRecords(N, 1, { prefix: 'orig' }));
  cutting = await startFaultProxy(chroma.url, { alterAnswer: { paths: /\/get$/, change: cutPages } });
}, 300_000);
afterAll(async () => {
  await g?.close();
  await cutting?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('embeddings reembed through answers cut to 100 records', () => {
  it('every record re-embedded by the pages and compared by the proof', async () => {
    const run = await runCli(['embeddings', 'reembed', '--collections', 'orig', '--as', 'orig_g', '--endpoint', g.url, '--api', 'ollama', '--model', 'g', '--url', cutting.url, '--yes', '--state', join(dir, 'state.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/lacked/);
    expect(run.stderr).toContain('records equal  1,000 of 1,000');
    const api = new ChromaApi(endpoint({ url: chroma.url }));
    expect(await api.count((await api.findCollection('orig_g'))!.id)).toBe(N);
  }, 300_000);
});
