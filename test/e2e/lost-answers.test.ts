/**
 * A lost answer to a request that is not idempotent: the fault proxy forwards a create (or a
 * delete under --if-exists recreate) to a REAL Chroma server, which does it, then drops the
 * connection before the answer. A blind retry would get 409 "already exists" (or 404) for the
 * run's own work; the run reads the collection first, goes on, and verifies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { importBackup } from '../../src/core/operations/import.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import type { ProgressEvent } from '../../src/core/util/progress.js';
import { startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const N = 400;
let dir = '';
let server: RunningServer;
let proxy: FaultProxy;
let input = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-lost-'));
  server = await startChromaServer({ path: join(dir, 'data') });
  proxy = await startFaultProxy(server.url);
  input = join(dir, 'backup.json');
  await writePythonRowsJson(input, 'lost', makeRecords(N, { dim: 8 }), { metadata: { 'hnsw:space': 'cosine' } });
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function importThroughProxy(name: string, ifExists: 'abort' | 'recreate') {
  const retries: string[] = [];
  const result = await importBackup({
    input,
    renameTo: name,
    ifExists,
    target: endpoint({ url: proxy.url }),
    statePath: join(dir, `state-${name}-${ifExists}.json`),
    onProgress: (event: ProgressEvent) => {
      if (event.type === 'retry') retries.push(event.reason);
    },
  });
  return { result, retries };
}

async function expectVerified(name: string): Promise<void> {
  const verdict = await verifyBackup({ input, target: endpoint({ url: server.url }), renameTo: name, sample: 10 });
  expect(verdict.collections[0]).toMatchObject({ count: N, missing: 0, differing: 0 });
  expect(verdict.ok).toBe(true);
}

it('the answer to a create is lost: the retry finds the collection it made and goes on', async () => {
  proxy.setRules({ dropAnswer: { method: 'POST', path: /\/collections$/ } });
  const { result, retries } = await importThroughProxy('lost_create', 'abort');
  expect(proxy.stats.injected.dropAnswer).toBe(1);
  expect(retries.length).toBeGreaterThan(0);
  expect(result.collections[0]).toMatchObject({ action: 'created', count: N, expected: N, missing: 0 });
  await expectVerified('lost_create');
}, 120_000);

it('the answer to a delete under --if-exists recreate is lost: the retry sees it gone and goes on', async () => {
  proxy.setRules({});
  await importThroughProxy('lost_delete', 'abort');
  proxy.resetStats();
  proxy.setRules({ dropAnswer: { method: 'DELETE', path: /\/collections\/lost_delete$/ } });
  const { result, retries } = await importThroughProxy('lost_delete', 'recreate');
  expect(proxy.stats.injected.dropAnswer).toBe(1);
  expect(retries.length).toBeGreaterThan(0);
  expect(result.collections[0]).toMatchObject({ action: 'recreated', count: N, expected: N, missing: 0 });
  await expectVerified('lost_delete');
}, 120_000);
