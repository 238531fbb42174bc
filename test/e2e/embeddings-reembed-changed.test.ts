/**
 * A re-embed killed with kill -9, then the original changed (records deleted before the
 * checkpoint's place, as many added): the resume's pages by offset skip records, and the deleted
 * ones stay in the new collection. The same command again notices the original changed, sends
 * what the new collection lacks (by id), names what it holds that the original no longer has, and
 * gives the command that starts over; run again it says the same (never "run the same command
 * again" for ever); the start-over command gives a collection equal to the original.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useChromaServer } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { qwenRecords, seedQwenCollection } from '../helpers/embeddings-collection.js';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.js';

const F = 1;
const G = 2;
const N = 2_000;
const CHANGED = 300;
const chroma = useChromaServer();
let g: EmbeddingsServer;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-reembed-changed-'));
  g = await startEmbeddingsServer({ seed: G, dim: 48, delayMs: 40 });
  await seedQwenCollection(chroma.url, 'orig', qwenRecords(N, F, { prefix: 'orig' }));
});
afterAll(async () => {
  await g?.close();
  await rm(dir, { recursive: true, force: true });
});

const api = () => new ChromaApi(endpoint({ url: chroma.url }));

function committedOf(statePath: string): number {
  if (!existsSync(statePath)) return 0;
  try {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { imports: Array<{ collection: string; committed: number }> };
    return state.imports.find((checkpoint) => checkpoint.collection === 'orig_g')?.committed ?? 0;
  } catch {
    return 0;
  }
}

async function idsOf(name: string): Promise<Set<string>> {
  const info = (await api().findCollection(name))!;
  return new Set((await api().get(info.id, { limit: 100_000, offset: 0, include: [] })).ids);
}

describe('embeddings reembed resumed after the original changed', () => {
  it('sends what is missing, names what the original no longer has, gives the start-over command; that command mends it', async () => {
    const statePath = join(dir, 'state.json');
    const args = ['embeddings', 'reembed', '--collections', 'orig', '--as', 'orig_g', '--endpoint', g.url, '--api', 'ollama', '--model', 'g', '--url', chroma.url, '--yes', '--state', statePath];
    const child = spawnCli(args);
    const exited = exitOf(child);
    for (let waited = 0; committedOf(statePath) < 512 && waited < 240_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGKILL');
    await exited;
    const atKill = committedOf(statePath);
    expect(atKill).toBeGreaterThanOrEqual(512);
    expect(atKill).toBeLessThan(N);

    // The original moves on: the first 300 records (before the checkpoint) deleted, 300 new ones added.
    const original = (await api().findCollection('orig'))!;
    const gone = qwenRecords(CHANGED, F, { prefix: 'orig' }).map((record) => record.id);
    await api().deleteRecords(original.id, gone);
    await api().upsert(original.id, qwenRecords(CHANGED, F, { prefix: 'added' }), { base64: true });

    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stderr).toContain(`resuming at ${atKill.toLocaleString('en-US')}`);
    expect(resumed.stderr).toMatch(/! original\s+"orig" changed since this re-embed began/);
    expect(resumed.stderr).toMatch(/sent now\s+[1-9][\d,]* records? "orig" holds that "orig_g" lacked/);
    expect(resumed.stderr).toMatch(new RegExp(`not in original\\s+${CHANGED} records in "orig_g" that "orig" no longer has: orig-00\\d{3}, `));
    expect(resumed.stderr).toMatch(/start over\s+.*\n\s+chroma-migrate embeddings reembed .*--if-exists recreate/);
    expect(resumed.stderr).not.toContain('run the same command again');
    // Nothing of the original is missing any more; only the deleted ones are too many.
    const held = await idsOf('orig_g');
    for (const id of await idsOf('orig')) expect(held.has(id), id).toBe(true);
    expect(held.size).toBe(N + CHANGED);

    // Again: the same words, not a loop that resumes at the end and finds the same missing records.
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`not in original\\s+${CHANGED} records in "orig_g"`));
    expect(again.stderr).not.toMatch(/missing\s+\d/);

    const startOver = await runCli([...args, '--if-exists', 'recreate']);
    expect(startOver.code, startOver.stderr).toBe(0);
    expect(startOver.stderr).toContain(`records equal  ${N.toLocaleString('en-US')} of ${N.toLocaleString('en-US')}`);
    expect(await idsOf('orig_g')).toEqual(await idsOf('orig'));
  }, 600_000);
});
