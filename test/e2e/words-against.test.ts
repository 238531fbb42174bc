/**
 * Words that name what a run compared with, and what a target cannot hold: verify against the
 * live source says "at the source", not "as the backup says" (there is no backup); sync into a
 * collection of another dimension says so in one sentence with both dimensions and the fix,
 * before anything is sent; sync of lists into a server older than 1.5 says what it cannot hold,
 * as copy and import do, and leaves no empty collection behind; an export's progress says
 * "of 33", not "of ~60" or "of ~33", once every collection is counted (ahead of its turn too).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { useChromaServer, useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.js';

const { source, target } = useTwoServers();
const old = useChromaServer({ release: 'old' });
let dir = '';
let embedder: EmbeddingsServer;

async function collection(url: string, name: string, records: BackupRecord[]): Promise<void> {
  const api = new ChromaApi(endpoint({ url }));
  const info = await api.createCollection({ name, metadata: null, space: 'l2' });
  if (records.length > 0) await api.upsert(info.id, records, { base64: true });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-words-against-'));
  await collection(source.url, 'first', makeRecords(30, { dim: 4, prefix: 'f' }));
  await collection(source.url, 'second', makeRecords(3, { dim: 4, prefix: 's' }));
  await collection(source.url, 'dimx', makeRecords(5, { dim: 16, prefix: 'd' }));
  await collection(target.url, 'dimx', makeRecords(2, { dim: 8, prefix: 'd' }));
  const lists = makeRecords(4, { dim: 4, prefix: 'l' }).map((record) => ({ ...record, metadata: { tags: ['a', 'b'] } }));
  await collection(source.url, 'lists', lists);
  embedder = await startEmbeddingsServer({ seed: 1, dim: 16 });
}, 180_000);
afterAll(async () => {
  await embedder?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('what a run compared with, and what the target cannot hold', () => {
  it('verify against the live source: the settings line says "at the source"', async () => {
    await runCli(['copy', '--source-url', source.url, '--url', target.url, '--collections', 'first', '--out', join(dir, 'first.jsonl')]);
    const run = await runCli(['verify', '--source-url', source.url, '--url', target.url, '--collections', 'first']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('embedding function, space, HNSW and schema as at the source');
    expect(run.stderr).not.toContain('backup');
  }, 120_000);

  it('sync into a collection of another dimension: one sentence with both dimensions and the fix, nothing sent', async () => {
    const run = await runCli(['sync', '--source-url', source.url, '--url', target.url, '--collections', 'dimx']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Collection "dimx" on the target holds 8-dimensional embeddings; the source\'s "dimx" holds 16-dimensional ones, and one collection cannot hold both. Nothing was written.');
    expect(run.stderr).toContain('--as NEW_NAME');
    expect(run.stderr).not.toMatch(/\b400\b/);
    const api = new ChromaApi(endpoint({ url: target.url }));
    expect(await api.count((await api.findCollection('dimx'))!.id)).toBe(2);
  }, 120_000);

  it('sync of lists into a server older than 1.5: says what it cannot hold, and leaves no collection it created', async () => {
    const run = await runCli(['sync', '--source-url', source.url, '--url', old.url, '--collections', 'lists']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Collection "lists" holds lists in metadata "tags" (4 records), but the target server is older than Chroma 1.5 and cannot store lists. Nothing was sent to "lists", nor was it created.');
    expect(run.stderr).not.toMatch(/\b422\b/);
    expect(await new ChromaApi(endpoint({ url: old.url })).findCollection('lists')).toBeNull();
  }, 120_000);

  it("export's progress: the total is exact once every collection is counted", async () => {
    const run = await runCli(['export', '--source-url', source.url, '--collections', 'first,second', '--out', join(dir, 'two.jsonl')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('2 of 2 collections · 33 of 33 records');
    // The second collection is counted ahead of its turn: the first's line knows the total too.
    expect(run.stderr).toContain('1 of 2 collections · 30 of 33 records');
    expect(run.stderr).not.toContain('of ~');
  }, 120_000);

  it('reembed into a collection of another dimension names the endpoint\'s embeddings, not a backup', async () => {
    const run = await runCli(['embeddings', 'reembed', '--collections', 'first', '--as', 'second', '--if-exists', 'append', '--endpoint', `${embedder.url}/v1`, '--model', 'm', '--url', source.url, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Collection "second" on the target holds 4-dimensional embeddings; the endpoint\'s are 16-dimensional.');
    expect(run.stderr).not.toContain("backup's");
  }, 120_000);
});
