/**
 * A re-embed through a proxy that cuts every page read by offset to 100 records (a read limit
 * that truncates instead of refusing), against a REAL server: the pages read on from where each
 * cut answer ended, so no record is skipped by the pages (nothing left for the ids' mend to send),
 * and the proof compares every record, not the 100 of each page it was given. Cut reads by id too
 * (Cloud cuts any `get` to 300): the proof asks again for the ids a short answer left out, so
 * records that are there never read as missing, and a record really lost still does.
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
const CUT_BY_ID = 60;
const COLUMNS = ['ids', 'embeddings', 'documents', 'metadatas', 'uris'] as const;
const chroma = useChromaServer();
let g: EmbeddingsServer;
let cutting: FaultProxy;
let cuttingAll: FaultProxy;
let losing: FaultProxy;
let dir = '';
/** Deleted from the new collection as the proof reads it back: a record really lost. */
const LOST = 'orig-00700';
let lost = false;

/** A `get` by offset answered with its first CUT records; a read by id passes whole. */
function cutPages(answer: Record<string, unknown>, request: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(request.ids)) return answer;
  return first(answer, CUT);
}

/**
 * Every `get` cut: by offset to CUT records, by id (whose answers carry the vectors, so are
 * larger, as a proxy's size limit would cut them) to CUT_BY_ID, below the proof's pages.
 */
function cutAll(answer: Record<string, unknown>, request: Record<string, unknown>): Record<string, unknown> {
  return first(answer, Array.isArray(request.ids) ? CUT_BY_ID : CUT);
}

function first(answer: Record<string, unknown>, n: number): Record<string, unknown> {
  const kept = { ...answer };
  for (const column of COLUMNS) {
    const values = answer[column];
    if (Array.isArray(values)) kept[column] = values.slice(0, n);
  }
  return kept;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-reembed-cut-'));
  g = await startEmbeddingsServer({ seed: 2, dim: 48 });
  await seedQwenCollection(chroma.url, 'orig', qwenRecords(N, 1, { prefix: 'orig' }));
  cutting = await startFaultProxy(chroma.url, { alterAnswer: { paths: /\/get$/, change: cutPages } });
  cuttingAll = await startFaultProxy(chroma.url, { alterAnswer: { paths: /\/get$/, change: cutAll } });
  losing = await startFaultProxy(chroma.url, {
    alterAnswer: { paths: /\/get$/, change: cutAll },
    // The first read by id that asks for LOST (the proof's: the mend reads the original by id only for what the new collection lacks).
    beforeForward: {
      paths: /\/get$/,
      run: async (request) => {
        if (lost || !Array.isArray(request.ids) || !request.ids.includes(LOST)) return;
        lost = true;
        const api = new ChromaApi(endpoint({ url: chroma.url }));
        await api.deleteRecords((await api.findCollection('orig_lost'))!.id, [LOST]);
      },
    },
  });
}, 300_000);
afterAll(async () => {
  await g?.close();
  await cutting?.close();
  await cuttingAll?.close();
  await losing?.close();
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

  it('reads by id cut to 60 too: every record found by the proof, ✓', async () => {
    const run = await runCli(['embeddings', 'reembed', '--collections', 'orig', '--as', 'orig_all', '--endpoint', g.url, '--api', 'ollama', '--model', 'g', '--url', cuttingAll.url, '--yes', '--state', join(dir, 'state-all.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('✓ orig_all');
    expect(run.stderr).toContain('records equal  1,000 of 1,000');
    expect(run.stderr).not.toMatch(/missing/);
  }, 300_000);

  it('reads by id cut to 60, and a record deleted from the new collection as the proof reads it: ✗, that one named missing', async () => {
    const run = await runCli(['embeddings', 'reembed', '--collections', 'orig', '--as', 'orig_lost', '--endpoint', g.url, '--api', 'ollama', '--model', 'g', '--url', losing.url, '--yes', '--state', join(dir, 'state-lost.json')]);
    expect(lost).toBe(true);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('✗ orig_lost');
    expect(run.stderr).toContain(`missing        1: ${LOST};`);
  }, 300_000);
});
