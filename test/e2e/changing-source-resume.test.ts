/**
 * A resume after the source changed ends as an uninterrupted export does: the ids written before
 * the interruption are read back from the partial file, and the end check adds what the pages
 * missed and drops what the source no longer holds.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { listIds } from '../../src/core/chroma/id-list.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { makeTempDir, readAll, removeDir } from '../helpers/backup.js';
import { startTestServer } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
let source: Awaited<ReturnType<typeof startTestServer>>;
let slow: FaultProxy;
const call = <T>(work: () => Promise<T>) => work();

beforeAll(async () => {
  dir = await makeTempDir();
  source = await startTestServer();
  slow = await startFaultProxy(source.server.url, { delayMs: 20, faultPaths: /\/get$/ });
}, 120_000);
afterAll(async () => {
  await slow?.close();
  await source?.cleanup();
  await removeDir(dir);
});

describe('an export resumed after the source changed', () => {
  it('ends with the source\'s ids, naming what was added and deleted', async () => {
    const api = new ChromaApi(endpoint({ url: source.server.url }));
    const info = await api.createCollection({ name: 'resumed', metadata: null, space: 'l2' });
    const records = makeRecords(3000, { dim: 8, prefix: 'r' });
    for (let from = 0; from < records.length; from += 1000) await api.upsert(info.id, records.slice(from, from + 1000), { base64: true });

    const out = join(dir, 'resumed.jsonl');
    const statePath = join(dir, 'state.json');
    const options = { source: endpoint({ url: slow.url }), out, pageSize: 100, concurrency: 1, statePath, checkpointEvery: 100 };
    const stop = new AbortController();
    const pages = () => slow.log.filter((entry) => entry.path.endsWith('/get')).length;
    const first = exportCollections({ ...options, signal: stop.signal });
    while (pages() < 15) await new Promise((resolve) => setTimeout(resolve, 20));
    stop.abort();
    await expect(first).rejects.toThrow(/interrupted/);

    // While it was stopped: 300 records it had read are deleted (so later pages shift), 50 are added.
    const deleted = records.slice(0, 600).filter((_, index) => index % 2 === 0).map((record) => record.id);
    await api.deleteRecords(info.id, deleted);
    await api.upsert(info.id, makeRecords(50, { dim: 8, prefix: 'late' }), { base64: true });

    const second = await exportCollections(options);
    expect(second.resumed).toBe(true);
    const atSource = (await listIds(api, info.id, { call })).sort();
    expect(atSource).toHaveLength(3000 - 300 + 50);
    expect((await readAll(out, 'resumed')).map((record) => record.id).sort()).toEqual(atSource);
    expect(second.collections[0]).toMatchObject({ name: 'resumed', count: 2750, deleted: 300 });
    expect(second.collections[0]!.added).toBeGreaterThan(0);
  }, 300_000);
});
