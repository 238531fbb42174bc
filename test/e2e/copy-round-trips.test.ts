import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { copyCollections } from '../../src/core/operations/copy.js';
import { useTwoServers } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { seedSmallCollections } from '../helpers/seed.js';

/**
 * What each small collection of a `copy --all` asks the target, counted at a proxy in front of
 * it: every check still runs (the read back, the count, the settings, the recall, the ids both
 * ways), with the collection looked up no more than the create and its checks need, and its
 * recall samples sent as one query.
 */
const names = ['few_a', 'few_b', 'few_c', 'few_d', 'few_e'];
const EACH = 40;

let dir = '';
const { source, target } = useTwoServers();
let counted: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-round-trips-'));
  await seedSmallCollections(source.server.url, dir, names, EACH, (k) => ({ k }));
  counted = await startFaultProxy(target.server.url);
}, 180_000);
afterAll(async () => {
  await counted?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('copy --all of small collections, request by request at the target', () => {
  it('verifies every collection with 3 lookups and 1 recall query each', async () => {
    const result = await copyCollections({
      source: endpoint({ url: source.server.url }),
      target: endpoint({ url: counted.url }),
      out: join(dir, 'copy.jsonl.gz'),
      collections: names,
      ifExists: 'abort',
      statePath: join(dir, 'state.json'),
    });
    expect(result.ok).toBe(true);
    expect(result.verify?.collections.map((verdict) => [verdict.collection, verdict.ok, verdict.count, verdict.recall?.sampled])).toEqual(names.map((name) => [name, true, EACH, 20]));
    const byName = new Map(names.map((name) => [name, { lookups: 0, queries: 0 }]));
    for (const entry of counted.log) {
      const lookup = /\/collections\/([^/]+)$/.exec(entry.path);
      if (entry.method === 'GET' && lookup) byName.get(decodeURIComponent(lookup[1]!))!.lookups++;
    }
    // Queries go by id: count them per collection id, each named once by the target's listing.
    const queries = counted.log.filter((entry) => entry.path.endsWith('/query'));
    expect(queries).toHaveLength(names.length);
    expect(new Set(queries.map((entry) => entry.path)).size).toBe(names.length);
    // Found before it is created, read back once created, read once all its records landed (count and settings).
    for (const name of names) expect([name, byName.get(name)!.lookups]).toEqual([name, 3]);
  }, 300_000);
});
