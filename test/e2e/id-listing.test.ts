/**
 * Listing a collection's ids and reading records by id, several pages at a time through a proxy
 * that enforces Cloud's 300-a-read quota and adds a delay: every id once, in the server's order,
 * at most the read limit in flight; off Cloud, ids come 5,000 a page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { listIds, listIdsAgainst, recordsByIds } from '../../src/core/chroma/id-list.js';
import { CompactIdSet } from '../../src/core/util/compact-ids.js';
import type { IdsAgainst } from '../../src/core/util/ids-against.js';
import { startTestServer } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { generateRecords } from '../helpers/fixtures.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
let proxy: FaultProxy;
let plain: FaultProxy;
const direct = () => new ChromaApi(endpoint({ url: server.server.url }));
const viaProxy = () => new ChromaApi(endpoint({ url: proxy.url }));

/** A `call` that counts the requests in flight at once. */
function counting(): { call: <T>(work: () => Promise<T>) => Promise<T>; most: () => number } {
  let running = 0;
  let most = 0;
  return {
    most: () => most,
    call: async (work) => {
      most = Math.max(most, ++running);
      try {
        return await work();
      } finally {
        running--;
      }
    },
  };
}

async function seed(name: string, total: number): Promise<string> {
  const info = await direct().createCollection({ name, metadata: null, space: 'l2' });
  const records = [...generateRecords(total, { dim: 4, prefix: name })];
  for (let from = 0; from < records.length; from += 500) await direct().upsert(info.id, records.slice(from, from + 500), { base64: true });
  return info.id;
}

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startFaultProxy(server.server.url, { cloudQuota: true, delayMs: 20, faultPaths: /\/get$/ });
  plain = await startFaultProxy(server.server.url, {});
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await plain?.close();
  await server?.cleanup();
});

describe('ids and records read several pages at a time', () => {
  for (const total of [0, 1, 600, 1_000]) {
    it(`lists all ${total} ids once, in the server's order`, async () => {
      const id = await seed(`listed_${total}`, total);
      const sequential: string[] = [];
      for (let offset = 0; ; offset += 300) {
        const page = await direct().get(id, { limit: 300, offset, include: [] });
        sequential.push(...page.ids);
        if (page.ids.length < 300) break;
      }
      const counter = counting();
      const listed = await listIds(viaProxy(), id, { call: counter.call, reads: 3 });
      expect(listed).toEqual(sequential);
      expect(listed).toHaveLength(total);
      expect(counter.most()).toBeLessThanOrEqual(3);
      if (total > 600) expect(counter.most()).toBeGreaterThan(1);
    });
  }

  it('off Cloud lists in pages of 20,000 (each offset page skips every id before it); a server holding reads to Cloud\'s quota gets 300s', async () => {
    const id = await seed('large_pages', 1_000);
    plain.resetStats();
    expect(await listIds(new ChromaApi(endpoint({ url: plain.url })), id, { call: (work) => work() })).toHaveLength(1_000);
    expect(plain.log.filter((entry) => entry.path.endsWith('/get'))).toHaveLength(1);
    proxy.resetStats();
    expect(await listIds(viaProxy(), id, { call: (work) => work() })).toHaveLength(1_000);
    expect(proxy.stats.injected.quota).toBe(1);
    expect(proxy.log.filter((entry) => entry.path.endsWith('/get') && entry.status === 200)).toHaveLength(4);
  });

  it('reads every record asked for, the missing one absent, within the quota', async () => {
    const id = await seed('by_id', 1_000);
    const wanted = [...listIdsOf(1_000, 'by_id'), 'by_id-nowhere'];
    const counter = counting();
    const got: string[] = [];
    for await (const page of recordsByIds(viaProxy(), id, wanted, { call: counter.call })) got.push(...page.map((record) => record.id));
    expect(got.sort()).toEqual(listIdsOf(1_000, 'by_id').sort());
    expect(counter.most()).toBeGreaterThan(1);
  });
});

function listIdsOf(total: number, prefix: string): string[] {
  return [...generateRecords(total, { dim: 4, prefix })].map((record) => record.id);
}

describe('on Cloud, a collection listed against ids held already', () => {
  /** Through the quota proxy, marked as Cloud; each read's kind noted (by id, or a page by offset). */
  function cloudApi(): { api: ChromaApi; reads: Array<'ids' | 'offset'> } {
    const api = new ChromaApi(endpoint({ url: proxy.url, cloud: true }));
    const reads: Array<'ids' | 'offset'> = [];
    const get = api.get.bind(api);
    api.get = (...args: Parameters<ChromaApi['get']>) => {
      reads.push(args[1].ids ? 'ids' : 'offset');
      return get(...args);
    };
    return { api, reads };
  }
  const indexOf = (ids: string[]) => {
    const index = new CompactIdSet(ids.length);
    for (const id of ids) index.add(id);
    return index;
  };
  /** What the listing marked and kept, to compare with a plain listing's. */
  const shape = (listed: IdsAgainst) => ({
    marked: Array.from({ length: listed.index.size }, (_, at) => listed.has(at)),
    outside: listed.outside.slice(0, listed.outside.size).sort(),
  });
  const listedByOffset = async (id: string, index: CompactIdSet) => shape(await listIdsAgainst(new ChromaApi(endpoint({ url: server.server.url })), id, index, { call: (work) => work() }));

  it('proves the set by reading its own ids back by id, no page by offset: 1,000 ids, 30 of them gone', async () => {
    const id = await seed('against_by_id', 1_000);
    const index = indexOf([...listIdsOf(1_000, 'against_by_id'), ...Array.from({ length: 30 }, (_, k) => `gone-${k}`)]);
    const { api, reads } = cloudApi();
    const listed = await listIdsAgainst(api, id, index, { call: (work) => work() });
    expect(reads.every((kind) => kind === 'ids')).toBe(true);
    // And once more for the 30 the last answer left out: absent only when asked for on their own.
    expect(reads).toHaveLength(Math.ceil(1_030 / 300) + 1);
    expect(listed.size).toBe(1_000);
    expect(shape(listed)).toEqual(await listedByOffset(id, index));
  });

  it('lists by offset when the collection holds ids the index lacks', async () => {
    const id = await seed('against_extra', 1_000);
    const index = indexOf(listIdsOf(1_000, 'against_extra').slice(0, 900));
    const { api, reads } = cloudApi();
    const listed = await listIdsAgainst(api, id, index, { call: (work) => work() });
    expect(reads).not.toContain('ids'); // the count (1,000 > 900) already says a listing is needed
    expect(listed.outside.size).toBe(100);
    expect(shape(listed)).toEqual(await listedByOffset(id, index));
  });

  it('lists by offset when a record arrives while the ids are read back (the count moved)', async () => {
    const id = await seed('against_change', 1_000);
    const index = indexOf(listIdsOf(1_000, 'against_change'));
    const { api, reads } = cloudApi();
    let added = false;
    const call = async <T,>(work: () => Promise<T>): Promise<T> => {
      const answer = await work();
      if (!added && reads.length > 0) {
        added = true;
        await direct().upsert(id, [{ id: 'late-arrival', document: 'late', metadata: null, embedding: [1, 2, 3, 4], uri: null }], { base64: true });
      }
      return answer;
    };
    const listed = await listIdsAgainst(api, id, index, { call });
    expect(reads).toContain('ids');
    expect(reads).toContain('offset');
    expect(listed.outside.slice(0, listed.outside.size)).toEqual(['late-arrival']);
    expect(listed.size).toBe(1_001);
  });
});

