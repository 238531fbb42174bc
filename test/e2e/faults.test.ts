/**
 * Faults between the tool and a REAL Chroma server (the fault proxy in front of it): dropped
 * connections, bodies cut mid-response, 5xx, 429 with and without Retry-After, answers slower
 * than the client's timeout, Cloud's 422 quota answer, a fault that never clears, and the server
 * itself killed and restarted mid-import and mid-export. Every run that can finish ends with the
 * exact count and every record equal; one that cannot ends with a clear error and a checkpoint.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '../../src/core/backup/read.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { MigrateError } from '../../src/core/util/errors.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { importBackup } from '../../src/core/operations/import.js';
import type { ProgressEvent } from '../../src/core/util/progress.js';
import { startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { startFaultProxy, type FaultProxy, type FaultRules } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const N = 1177;
let dir = '';
let server: RunningServer;
let proxy: FaultProxy;
let input = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-faults-'));
  server = await startChromaServer({ path: join(dir, 'data') });
  proxy = await startFaultProxy(server.url);
  input = join(dir, 'backup.json');
  await writePythonRowsJson(input, 'faulty', makeRecords(N, { dim: 16, nullDocEvery: 13, nullMetaEvery: 17 }), { metadata: { 'hnsw:space': 'l2' } });
  // The export source: the same records, already on the server.
  const api = new ChromaApi(endpoint({ url: server.url }));
  const info = await api.createCollection({ name: 'export_source', metadata: { owner: 'faults' }, space: 'cosine' });
  const records = makeRecords(N, { dim: 16, prefix: 'src' });
  for (let i = 0; i < N; i += 300) await api.upsert(info.id, records.slice(i, i + 300), { base64: true });
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function collect(): { events: ProgressEvent[]; listener: (event: ProgressEvent) => void; retries: () => number } {
  const events: ProgressEvent[] = [];
  return { events, listener: (event) => events.push(event), retries: () => events.filter((event) => event.type === 'retry').length };
}

async function importThrough(name: string, rules: FaultRules, timeoutMs?: number, statePath = join(dir, `state-${name}.json`)) {
  proxy.setRules(rules);
  proxy.resetStats();
  const progress = collect();
  const started = Date.now();
  const result = await importBackup({
    ...shared(name, statePath),
    target: endpoint({ url: proxy.url, timeoutMs }),
    onProgress: progress.listener,
  });
  const ms = Date.now() - started;
  proxy.setRules({});
  const reasons = progress.events.flatMap((event) => (event.type === 'retry' ? [event.reason] : []));
  return { result, retries: progress.retries(), reasons, injected: { ...proxy.stats.injected }, ms };
}

/** What every import here shares: 50-record batches, 3 in flight, stop if the collection exists. */
function shared(name: string, statePath: string) {
  return { input, renameTo: name, ifExists: 'abort' as const, batchSize: 50, concurrency: 3, statePath };
}

async function checkpointOf(statePath: string, name: string) {
  const state = JSON.parse(await readFile(statePath, 'utf8')) as { imports: Array<{ collection: string; committed: number; done: boolean }> };
  return state.imports.find((entry) => entry.collection === name);
}

async function expectVerified(name: string): Promise<void> {
  // Straight to the server, not through the proxy: what landed, not what the proxy says.
  const verdict = await verifyBackup({ input, target: endpoint({ url: server.url }), renameTo: name, sample: 20 });
  expect(verdict.collections[0]?.count).toBe(N);
  expect(verdict.collections[0]?.missing).toBe(0);
  expect(verdict.collections[0]?.differing).toBe(0);
  expect(verdict.ok).toBe(true);
}

const upsertsOnly = /\/upsert$/;
const log: string[] = [];
afterAll(() => {
  // Numbers for the README table.
  console.log(`fault runs:\n${log.join('\n')}`);
});

describe('an import through a flaky network ends complete and verified', () => {
  const cases: Array<[string, FaultRules, number?]> = [
    ['drops 5% + mid-response cuts 5%', { dropRate: 0.05, dropMidResponseRate: 0.05, seed: 11 }],
    ['500/502/503 on 10%', { status5xxRate: 0.1, seed: 12 }],
    ['429 on 10% (every other with Retry-After: 1)', { rateLimitRate: 0.1, seed: 13 }],
    // The first three upserts (three different batches: 3 in flight) wait 12 s, far past a 4 s
    // timeout that an undelayed 50-record upsert meets with room to spare on a loaded machine;
    // their retries are not delayed, so the outcome depends on no timing luck.
    ['the first 3 upserts delayed 12 s past a 4 s client timeout', { delayMs: 12_000, maxDelays: 3, faultPaths: upsertsOnly, seed: 14 }, 4_000],
    ['everything at once', { dropRate: 0.05, dropMidResponseRate: 0.05, status5xxRate: 0.05, rateLimitRate: 0.05, seed: 15 }],
  ];
  it.each(cases)('%s', async (label, rules, timeoutMs) => {
    const name = `faults_${label.replace(/[^a-z0-9]+/gi, '_').slice(0, 30).replace(/_+$/, '')}`;
    const run = await importThrough(name, rules, timeoutMs);
    log.push(`import | ${label} | injected ${JSON.stringify(run.injected)} | ${run.retries} retries | ${run.ms} ms`);
    expect(Object.values(run.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(run.retries).toBeGreaterThan(0);
    if (timeoutMs) expect(run.reasons.some((reason) => reason.includes(`got no answer within ${timeoutMs / 1000} s`))).toBe(true);
    expect(run.result.collections[0]).toMatchObject({ count: N, expected: N, missing: 0 });
    await expectVerified(name);
  }, 60_000);
});

describe('a fault that never clears', () => {
  it('ends with a clear error in bounded time and a checkpoint the next run resumes from', async () => {
    const name = 'faults_never_clears';
    const statePath = join(dir, `state-${name}.json`);
    proxy.setRules({ delayMs: 60, faultPaths: upsertsOnly });
    let broken = false;
    let brokeAt = 0;
    const started = Date.now();
    const failure = await importBackup({
      ...shared(name, statePath),
      target: endpoint({ url: proxy.url }),
      onProgress: (event) => {
        if (!broken && event.type === 'batch' && event.done >= 200) {
          broken = true;
          brokeAt = Date.now();
          proxy.setRules({ status5xxRate: 1, faultPaths: upsertsOnly }); // every upsert: 500, 502, 503, …
        }
      },
    }).then(
      () => null,
      (error: unknown) => error,
    );
    const ms = Date.now() - brokeAt;
    proxy.setRules({});
    expect(broken).toBe(true);
    expect(failure).toBeInstanceOf(MigrateError);
    const error = failure as MigrateError;
    expect(error.code).toBe('SERVER');
    expect(error.message).toMatch(/kept failing/);
    expect(error.fix).toMatch(/run the same command again/i);
    // 6 retries with backoff capped at 10 s: well under half a minute, never a hang.
    expect(ms).toBeLessThan(30_000);
    const checkpoint = await checkpointOf(statePath, name);
    expect(checkpoint?.done).toBe(false);
    expect(checkpoint?.committed).toBeGreaterThanOrEqual(200);
    expect(checkpoint?.committed).toBeLessThan(N);
    log.push(`import | every upsert 5xx from record ${checkpoint?.committed} on | SERVER error after ${ms} ms (total ${Date.now() - started} ms), checkpoint kept`);

    const again = await importThrough(name, {}, undefined, statePath);
    expect(again.result.collections[0]).toMatchObject({ action: 'resumed', count: N, missing: 0 });
    expect(again.result.collections[0]?.resumedFrom).toBe(checkpoint?.committed);
    await expectVerified(name);
  }, 60_000);

  it('a server that stops answering: each request is tried three times, then a clear timeout error', async () => {
    const name = 'faults_hung_server';
    const statePath = join(dir, `state-${name}.json`);
    proxy.setRules({ delayMs: 60, faultPaths: upsertsOnly });
    proxy.resetStats();
    let hung = false;
    const progress = collect();
    const failure = await importBackup({
      ...shared(name, statePath),
      // 2 s: ample for a 50-record upsert on a loaded CI machine, short for a test of a hang.
      target: endpoint({ url: proxy.url, timeoutMs: 2_000 }),
      onProgress: (event) => {
        progress.listener(event);
        if (!hung && event.type === 'batch' && event.done >= 200) {
          hung = true;
          proxy.setRules({ delayMs: 60_000, faultPaths: upsertsOnly }); // answers nothing, for a minute
        }
      },
    }).then(
      () => null,
      (error: unknown) => error,
    );
    proxy.setRules({});
    expect(hung).toBe(true);
    expect(failure).toBeInstanceOf(MigrateError);
    expect((failure as MigrateError).message).toMatch(/no answer within 2 s/);
    expect((failure as MigrateError).fix).toMatch(/run the same command again/i);
    // Two retries after a timeout, not six: the first request to give up ends the run.
    const timeoutRetries = progress.events.filter((event) => event.type === 'retry' && event.reason.includes('no answer'));
    expect(Math.max(...timeoutRetries.map((event) => (event.type === 'retry' ? event.attempt : 0)))).toBeLessThanOrEqual(2);
    const checkpoint = await checkpointOf(statePath, name);
    expect(checkpoint).toMatchObject({ done: false });
    expect(checkpoint?.committed).toBeGreaterThanOrEqual(200);
    log.push(`import | every upsert unanswered from record ${checkpoint?.committed} on (2 s timeout) | ${(failure as MigrateError).code} error after ${timeoutRetries.length} timeout retries, checkpoint kept`);
  }, 60_000);

  it("Cloud's 422 quota answer is not retried: a clear QUOTA error at once", async () => {
    proxy.setRules({ cloudQuota: true });
    proxy.resetStats();
    const progress = collect();
    const started = Date.now();
    const failure = await exportCollections({
      onProgress: progress.listener,
      source: endpoint({ url: proxy.url }),
      out: join(dir, 'quota.jsonl'),
      collections: ['export_source'],
      pageSize: 500, // above Cloud's 300 (a non-Cloud endpoint is not clamped)
      statePath: join(dir, 'state-quota.json'),
    }).then(
      () => null,
      (error: unknown) => error,
    );
    proxy.setRules({});
    expect(failure).toBeInstanceOf(MigrateError);
    expect((failure as MigrateError).code).toBe('QUOTA');
    expect((failure as MigrateError).message).toMatch(/Quota exceeded/);
    // Each page read in flight was refused once, none retried.
    expect(proxy.stats.injected.quota).toBeGreaterThanOrEqual(1);
    expect(proxy.stats.injected.quota).toBeLessThanOrEqual(3);
    expect(progress.retries()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    log.push(`export | 422 quota (page 500) | QUOTA error, ${proxy.stats.injected.quota} refused reads, 0 retries, ${Date.now() - started} ms`);
  });
});

describe('an export through a flaky network ends complete and verified', () => {
  it('drops, cuts, 5xx, 429 and timeouts, under Cloud quotas', async () => {
    const out = join(dir, 'flaky-export.jsonl.gz');
    // Two reads wait 12 s, far past the 4 s timeout (which an undelayed read meets easily on a
    // loaded machine); their retries are not delayed. The other faults are seeded rates.
    proxy.setRules({ cloudQuota: true, dropRate: 0.05, dropMidResponseRate: 0.05, status5xxRate: 0.05, rateLimitRate: 0.05, delayMs: 12_000, delayRate: 0.1, maxDelays: 2, seed: 21 });
    proxy.resetStats();
    const progress = collect();
    const started = Date.now();
    const result = await exportCollections({
      source: endpoint({ url: proxy.url, timeoutMs: 4_000 }),
      out,
      collections: ['export_source'],
      pageSize: 50,
      concurrency: 4,
      statePath: join(dir, 'state-flaky-export.json'),
      onProgress: progress.listener,
    });
    const ms = Date.now() - started;
    const injected = { ...proxy.stats.injected };
    proxy.setRules({});
    log.push(`export | everything at once + 4 s timeout | injected ${JSON.stringify(injected)} | ${progress.retries()} retries | ${ms} ms`);
    expect(progress.retries()).toBeGreaterThan(0);
    expect(injected.delay).toBe(2);
    expect(progress.events.some((event) => event.type === 'retry' && event.reason.includes('got no answer within 4 s'))).toBe(true);
    expect(result.collections).toEqual([{ name: 'export_source', count: N }]);
    const summary = await inspectBackup(out);
    expect(summary.collections[0]?.count).toBe(N);
    // The file equals the source, record by record.
    const verdict = await verifyBackup({ input: out, target: endpoint({ url: server.url }), sample: 20 });
    expect(verdict.ok).toBe(true);
    expect(verdict.collections[0]).toMatchObject({ count: N, missing: 0, differing: 0 });
  }, 60_000);
});

async function restartServer(): Promise<number> {
  const started = Date.now();
  await server.stop();
  await new Promise((wait) => setTimeout(wait, 500));
  server = await startChromaServer({ path: server.path, port: server.port });
  return Date.now() - started;
}

describe('the server killed and restarted in the middle', () => {
  it('an import rides through it on retries (or resumes on a re-run) and verifies', async () => {
    const name = 'faults_server_restart';
    const statePath = join(dir, `state-${name}.json`);
    proxy.setRules({ delayMs: 80, faultPaths: upsertsOnly });
    proxy.resetStats();
    let restart: Promise<number> | null = null;
    const progress = collect();
    const first = await importBackup({
      ...shared(name, statePath),
      target: endpoint({ url: proxy.url }),
      onProgress: (event) => {
        progress.listener(event);
        if (!restart && event.type === 'batch' && event.done >= 300) restart = restartServer();
      },
    }).then(
      (result) => ({ result, error: null }),
      (error: unknown) => ({ result: null, error }),
    );
    proxy.setRules({});
    expect(restart).not.toBeNull();
    const downMs = await restart!;
    let outcome = `completed on retries (${progress.retries()} retries, server down ${downMs} ms)`;
    if (first.error) {
      expect(first.error).toBeInstanceOf(MigrateError);
      const again = await importThrough(name, {}, undefined, statePath);
      expect(again.result.collections[0]).toMatchObject({ action: 'resumed', count: N, missing: 0 });
      outcome = `failed clearly (${(first.error as MigrateError).code}), re-run resumed and completed`;
    } else {
      expect(first.result?.collections[0]).toMatchObject({ count: N, missing: 0 });
    }
    log.push(`import | server stopped (SIGINT) + restarted at 300/${N} | ${outcome}`);
    await expectVerified(name);
  }, 90_000);

  it('an export rides through it on retries (or resumes on a re-run) and the file verifies', async () => {
    const out = join(dir, 'restart-export.jsonl');
    const statePath = join(dir, 'state-restart-export.json');
    proxy.setRules({ cloudQuota: true, delayMs: 80, faultPaths: /\/get$/ });
    let restart: Promise<number> | null = null;
    const progress = collect();
    const options = {
      source: endpoint({ url: proxy.url }),
      out,
      collections: ['export_source'],
      pageSize: 50,
      concurrency: 2,
      checkpointEvery: 100,
      statePath,
    };
    const first = await exportCollections({
      ...options,
      onProgress: (event) => {
        progress.listener(event);
        if (!restart && event.type === 'batch' && event.done >= 300) restart = restartServer();
      },
    }).then(
      (result) => ({ result, error: null }),
      (error: unknown) => ({ result: null, error }),
    );
    proxy.setRules({});
    expect(restart).not.toBeNull();
    const downMs = await restart!;
    let outcome = `completed on retries (${progress.retries()} retries, server down ${downMs} ms)`;
    if (first.error) {
      expect(first.error).toBeInstanceOf(MigrateError);
      const again = await exportCollections(options);
      expect(again.resumed).toBe(true);
      outcome = `failed clearly (${(first.error as MigrateError).code}), re-run resumed and completed`;
    }
    log.push(`export | server stopped (SIGINT) + restarted at 300/${N} | ${outcome}`);
    const verdict = await verifyBackup({ input: out, target: endpoint({ url: server.url }), sample: 20 });
    expect(verdict.collections[0]).toMatchObject({ count: N, missing: 0, differing: 0 });
    expect(verdict.ok).toBe(true);
  }, 90_000);
});
