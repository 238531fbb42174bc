/**
 * A sync whose source changes while it runs ends with ✗ and exit 1, and its text says why, as its
 * --json does: the records still on the target though gone from the source, with the first ids,
 * and what to run. The target's deletes go through a slow proxy; the source deletes records while
 * the first of them waits there, after the sync compared both sides and before it compares again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const { source, target } = useTwoServers();
let proxy: FaultProxy;
let sourceId = '';

function record(i: number): BackupRecord {
  return { id: `r${String(i).padStart(4, '0')}`, document: `document ${i}`, metadata: { i }, embedding: Array.from({ length: 8 }, (_, d) => Math.cos(i + d)), uri: null };
}

const GONE_DURING = 11;

beforeAll(async () => {
  const records = Array.from({ length: 200 }, (_, i) => record(i));
  const sourceApi = new ChromaApi(endpoint({ url: source.url }));
  sourceId = (await sourceApi.createCollection({ name: 'docs', metadata: null, space: 'l2' })).id;
  await sourceApi.upsert(sourceId, records, { base64: true });
  // The target holds 5 more, which the source no longer has: --prune deletes them.
  const targetApi = new ChromaApi(endpoint({ url: target.url }));
  const targetId = (await targetApi.createCollection({ name: 'docs', metadata: null, space: 'l2' })).id;
  await targetApi.upsert(targetId, [...records, ...Array.from({ length: 5 }, (_, i) => record(900 + i))], { base64: true });
  proxy = await startFaultProxy(target.url, { delayMs: 1_500, faultPaths: /\/delete$/ });
}, 300_000);
afterAll(async () => {
  await proxy?.close();
});

/** A sync --prune during which the source deletes GONE_DURING records, from `first` on, once the target's first delete is under way. */
async function syncWhileSourceDeletes(first: number, ...args: string[]) {
  proxy.resetStats();
  const run = runCli(['sync', '--source-url', source.url, '--url', proxy.url, '--collections', 'docs', '--prune', '--yes', ...args]);
  const deadline = Date.now() + 120_000;
  while (!proxy.log.some((entry) => entry.path.endsWith('/delete')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await new ChromaApi(endpoint({ url: source.url })).deleteRecords(sourceId, Array.from({ length: GONE_DURING }, (_, i) => record(first + i).id));
  return run;
}

describe('sync --prune while the source deletes records', () => {
  it('says in words what is still on the target though gone from the source, with the first ids, and exits 1', async () => {
    const run = await syncWhileSourceDeletes(0);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/✗ docs/);
    expect(run.stderr).toMatch(/deleted\s+5/);
    expect(run.stderr).not.toContain('every source record is on the target, equal');
    expect(run.stderr).toContain('still on the target, not on the source 11: r0000, r0001, r0002, r0003, r0004, … (run sync --prune again to delete them)');
  }, 300_000);

  it('--json carries the same: ok false, the 11 still there after the sync', async () => {
    const run = await syncWhileSourceDeletes(100, '--json');
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(false);
    const [docs] = result.collections;
    expect([docs.ok, docs.deleted, docs.after.removed, docs.after.removedIds[0]]).toEqual([false, GONE_DURING, GONE_DURING, 'r0100']);
  }, 300_000);
});
