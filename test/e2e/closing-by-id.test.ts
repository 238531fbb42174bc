/**
 * A copy from Cloud proves a large collection's ids by reading them back by id, at its export's
 * end check and at its closing check (after its target side is listed): no page by offset of ids,
 * whose cost grows with the depth. The small last collection is there so the large one's closing
 * check is the one every collection but the last gets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { copyCollections } from '../../src/core/operations/copy.js';
import { useTwoServers } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

const LARGE = 10_050; // over the closing checks' "small" (10,000)
let dir = '';
let proxy: FaultProxy;
const { source, target } = useTwoServers();
const sourceApi = () => new ChromaApi(endpoint({ url: source.server.url }));

async function seed(name: string, count: number): Promise<string> {
  const info = await sourceApi().createCollection({ name, metadata: null, space: 'l2' });
  const records = makeRecords(count, { dim: 4, prefix: `${name}-` });
  for (let from = 0; from < records.length; from += 1_000) await sourceApi().upsert(info.id, records.slice(from, from + 1_000), { base64: true });
  return info.id;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-closing-by-id-'));
  proxy = await startFaultProxy(source.server.url, { keepBodies: true });
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a large collection copied from Cloud, not the last one', () => {
  it('has its ids proven by id at the end check and the closing check, and verifies', async () => {
    const largeId = await seed('large_first', LARGE);
    await seed('small_last', 200);
    const result = await copyCollections({
      source: endpoint({ url: proxy.url, cloud: true }),
      target: endpoint({ url: target.server.url }),
      out: join(dir, 'copy.jsonl.gz'),
      collections: ['large_first', 'small_last'],
      ifExists: 'abort',
      statePath: join(dir, 'state.json'),
    });
    expect(result.verify?.collections.map((verdict) => [verdict.collection, verdict.ok, verdict.missing, verdict.extra])).toEqual([
      ['large_first', true, 0, 0],
      ['small_last', true, 0, 0],
    ]);
    expect(result.ok).toBe(true);
    const idsOnly = proxy.log.filter((entry) => entry.path.endsWith(`/collections/${largeId}/get`) && entry.body?.includes('"include":[]'));
    expect(idsOnly.filter((entry) => entry.body!.includes('"offset"'))).toHaveLength(0);
    // The end check's and the closing check's: each every id, 300 a request.
    expect(idsOnly.filter((entry) => entry.body!.includes('"ids"')).length).toBe(2 * Math.ceil(LARGE / 300));
  }, 300_000);
});
