import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '../../src/core/backup/read.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { useTwoServers } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
const { source, target } = useTwoServers();
/** In front of the source: Cloud's quotas, and a log that proves nothing was written there. */
let cloud: FaultProxy;
/** In front of the target: slows writes so a run can be stopped in the middle. */
let slow: FaultProxy;

const WRITES = /\/(add|upsert|update|delete)$/;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-copy-'));
  cloud = await startFaultProxy(source.server.url, { cloudQuota: true });
  slow = await startFaultProxy(target.server.url);
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const audit = await api.createCollection({ name: 'cro_audit_issues', metadata: { team: 'audit' }, space: 'l2' });
  const records = makeRecords(1177, { dim: 16, nullDocEvery: 7, nullMetaEvery: 11, uriEvery: 5 });
  for (let i = 0; i < records.length; i += 300) await api.upsert(audit.id, records.slice(i, i + 300), { base64: true });
  const notes = await api.createCollection({ name: 'notes', metadata: null, space: 'cosine' });
  await api.upsert(notes.id, makeRecords(40, { dim: 8, prefix: 'note' }), { base64: true });
}, 180_000);
afterAll(async () => {
  await cloud?.close();
  await slow?.close();
  await rm(dir, { recursive: true, force: true });
});

/** An upsert's embedding (base64 of float32, or numbers) with the lowest bit of its last float flipped. */
function flipLastBit(embedding: string | number[]): string | number[] {
  const floats = typeof embedding === 'string' ? new Float32Array(Uint8Array.from(Buffer.from(embedding, 'base64')).buffer) : Float32Array.from(embedding);
  const bits = new Uint32Array(floats.buffer);
  bits[bits.length - 1]! ^= 1;
  return typeof embedding === 'string' ? Buffer.from(floats.buffer).toString('base64') : Array.from(floats);
}

async function stateOf(statePath: string): Promise<{ exports: Array<{ current: { offset: number } | null }>; imports: Array<{ collection: string; committed: number }> }> {
  try {
    return JSON.parse(await readFile(statePath, 'utf8'));
  } catch {
    return { exports: [], imports: [] }; // not written yet
  }
}
const exportedSoFar = async (statePath: string) => (await stateOf(statePath)).exports[0]?.current?.offset ?? 0;

describe('copy: source → backup file + target in one command', () => {
  it('copies every collection, writes the backup, and verifies record by record', async () => {
    const out = join(dir, 'all.jsonl.gz');
    const statePath = join(dir, 'all-state.json');
    const run = await runCli(['copy', '--all', '--out', out, '--source-url', cloud.url, '--url', target.server.url, '--json'], { CHROMA_MIGRATE_STATE: statePath });
    expect(run.stderr).not.toContain('Error');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(true);
    expect(result.exported).toEqual([
      { name: 'cro_audit_issues', count: 1177 },
      { name: 'notes', count: 40 },
    ]);
    expect(result.verify.map((verdict: { collection: string; ok: boolean; compared: number }) => [verdict.collection, verdict.ok, verdict.compared])).toEqual([
      ['cro_audit_issues', true, 1177],
      ['notes', true, 40],
    ]);
    // The index's recall is measured beside the records (once the file is whole), not in the verdict.
    for (const verdict of result.verify) expect(verdict.recall).toMatchObject({ k: 10, sampled: 20, recall: expect.any(Number) });
    // The backup is a complete file of its own, and the source was only read.
    const summary = await inspectBackup(out);
    expect(summary.collections.map((header) => [header.name, header.count, header.space])).toEqual([
      ['cro_audit_issues', 1177, 'l2'],
      ['notes', 40, 'cosine'],
    ]);
    expect(cloud.log.some((entry) => WRITES.test(entry.path))).toBe(false);
    const notes = await new ChromaApi(endpoint({ url: target.server.url })).findCollection('notes');
    expect(notes?.configuration_json?.hnsw?.space ?? notes?.metadata?.['hnsw:space']).toBe('cosine');

    // Again, onto collections that now hold records: without a terminal it asks for a flag.
    const again = await runCli(['copy', '--all', '--out', join(dir, 'again.jsonl'), '--source-url', cloud.url, '--url', target.server.url], { CHROMA_MIGRATE_STATE: statePath });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--if-exists');
  }, 120_000);

  it('after Ctrl-C, the same command continues both the export and the import, and verifies', async () => {
    const out = join(dir, 'stopped.jsonl.gz');
    const statePath = join(dir, 'stopped-state.json');
    const args = ['copy', '--collections', 'cro_audit_issues', '--as', 'audit_copy', '--out', out, '--source-url', cloud.url, '--url', slow.url, '--batch', '100', '--page-size', '50'];
    const env = { CHROMA_MIGRATE_STATE: statePath };
    slow.setRules({ delayMs: 600, faultPaths: /\/upsert$/ });
    const stop = new AbortController();
    const first = runCli(args, env, stop.signal);
    const deadline = Date.now() + 60_000;
    while ((await exportedSoFar(statePath)) < 300 && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 50));
    stop.abort();
    const stopped = await first;
    expect(stopped.code).toBe(130);
    const at = await stateOf(statePath);
    const resumeAt = at.exports[0]?.current?.offset ?? 0;
    expect(resumeAt).toBeGreaterThanOrEqual(300);
    // The export never checkpoints past what the target has committed: the target holds at least
    // what a resume skips. (The state's import watermark is saved every 2 s in a copy, for status.)
    const onTarget = new ChromaApi(endpoint({ url: target.server.url }));
    expect(await onTarget.count((await onTarget.findCollection('audit_copy'))!.id)).toBeGreaterThanOrEqual(resumeAt);
    expect(existsSync(`${out}.partial`)).toBe(true);

    slow.setRules({});
    const gets = cloud.log.filter((entry) => entry.path.endsWith('/get')).length;
    const second = await runCli(args, env);
    expect(second.stderr).toContain(`resuming at ${resumeAt.toLocaleString('en-US')}`);
    expect(second.code).toBe(0);
    // Only what was not checkpointed is read again (plus the header's one-record read and the
    // ids-only listings of the export's end check and the copy's id-set check, 300 ids a page,
    // each after one 20,000-id page this Cloud-like proxy refuses for its quota).
    expect(cloud.log.filter((entry) => entry.path.endsWith('/get')).length - gets).toBeLessThanOrEqual(Math.ceil((1177 - resumeAt) / 50) + 2 + 2 * (Math.ceil(1177 / 300) + 1));
    expect(existsSync(`${out}.partial`)).toBe(false);
    const verdict = await verifyBackup({ input: out, target: endpoint({ url: target.server.url }), collections: ['cro_audit_issues'], renameTo: 'audit_copy' });
    expect(verdict.ok).toBe(true);
    expect(verdict.collections[0]?.count).toBe(1177);
  }, 180_000);

  it('stopped during its verify, the same command only verifies', async () => {
    const out = join(dir, 'verify-stopped.jsonl');
    const statePath = join(dir, 'verify-stopped-state.json');
    const args = ['copy', '--collections', 'notes', '--as', 'notes_verify', '--out', out, '--source-url', cloud.url, '--url', slow.url];
    const env = { CHROMA_MIGRATE_STATE: statePath };
    // Only verify reads records back from the target and queries it (the import's count follows
    // the last read back, so the recall's query is what is left once the import is done).
    slow.setRules({ delayMs: 5_000, faultPaths: /\/(get|query)$/ });
    const stop = new AbortController();
    const first = runCli(args, env, stop.signal);
    const deadline = Date.now() + 60_000;
    const imported = async () => JSON.parse(await readFile(statePath, 'utf8').catch(() => '{}')).steps?.import?.status === 'done';
    while (!(await imported()) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 50));
    stop.abort();
    expect((await first).code).toBe(130);

    slow.setRules({});
    const writes = slow.log.filter((entry) => WRITES.test(entry.path)).length;
    const second = await runCli([...args, '--json'], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('verifying');
    expect(JSON.parse(second.stdout).verify[0]).toMatchObject({ collection: 'notes_verify', ok: true, compared: 40 });
    expect(slow.log.filter((entry) => WRITES.test(entry.path)).length).toBe(writes);
  }, 120_000);

  it('verifies each batch as the target commits it, and names what a target stored other than it was sent', async () => {
    const out = join(dir, 'altered.jsonl');
    const statePath = join(dir, 'altered-state.json');
    // The target acknowledges every write, but keeps one record fewer and one other document.
    let first = true;
    slow.setRules({
      alterBody: {
        paths: /\/upsert$/,
        change: (body) => {
          if (!first) return body;
          first = false;
          const columns = ['ids', 'embeddings', 'documents', 'metadatas', 'uris'] as const;
          const out: Record<string, unknown> = { ...body };
          for (const column of columns) if (Array.isArray(body[column])) out[column] = (body[column] as unknown[]).filter((_, index) => index !== 3);
          (out.documents as Array<string | null>)[0] = 'changed on the way';
          // One bit of the last float of another record: the lowest, one float32 step (l2: exact).
          const embeddings = out.embeddings as Array<string | number[]>;
          embeddings[8] = flipLastBit(embeddings[8]!);
          return out;
        },
      },
    });
    slow.resetStats();
    const run = await runCli(['copy', '--collections', 'cro_audit_issues', '--as', 'audit_altered', '--out', out, '--source-url', cloud.url, '--url', slow.url, '--batch', '100', '--json'], {
      CHROMA_MIGRATE_STATE: statePath,
    });
    slow.setRules({});
    expect(run.code).toBe(1);
    const verdict = JSON.parse(run.stdout).verify[0];
    expect(verdict).toMatchObject({ collection: 'audit_altered', ok: false, compared: 1177, missing: 1, differing: 2, count: 1176 });
    const sent = makeRecords(1177, { dim: 16, nullDocEvery: 7, nullMetaEvery: 11, uriEvery: 5 });
    expect(verdict.missingIds).toEqual([sent[3]!.id]);
    expect(verdict.differingIds).toEqual([
      { id: sent[0]!.id, fields: ['document'] },
      { id: sent[9]!.id, fields: ['embedding'] },
    ]);
    // Read back while the copy went on: the first read of the target came before its last write.
    const paths = slow.log.map((entry) => entry.path);
    expect(paths.findIndex((path) => path.endsWith('/get'))).toBeLessThan(paths.findLastIndex((path) => path.endsWith('/upsert')));
    // Read back a batch at a time (--batch 100), and no second pass over the file (it would read
    // all 1,177 again, 250 at a time): each record was read back once; then the ids alone, 300 a page.
    expect(paths.filter((path) => path.endsWith('/get')).length).toBeLessThanOrEqual(Math.ceil(1177 / 100) + 1 + Math.ceil(1177 / 300));
  }, 120_000);

  it('a read back that fails does not fail the copy: that collection is compared from the finished file', async () => {
    const out = join(dir, 'readback-failed.jsonl');
    const statePath = join(dir, 'readback-failed-state.json');
    // The first read back is a request the target refuses (400: not retried).
    let first = true;
    slow.setRules({
      alterBody: {
        paths: /\/get$/,
        change: (body) => {
          if (!first) return body;
          first = false;
          return { ...body, ids: 'not a list' };
        },
      },
    });
    const run = await runCli(['copy', '--collections', 'notes', '--as', 'notes_readback', '--out', out, '--source-url', cloud.url, '--url', slow.url, '--json'], { CHROMA_MIGRATE_STATE: statePath });
    slow.setRules({});
    expect(first).toBe(false);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`comparing it from ${out} instead`);
    expect(JSON.parse(run.stdout).verify).toEqual([expect.objectContaining({ collection: 'notes_readback', ok: true, compared: 40 })]);
    expect(JSON.parse(await readFile(statePath, 'utf8')).steps.verify.status).toBe('done');
  }, 120_000);

  it('after kill -9, the same command finishes the copy with the exact count', async () => {
    const out = join(dir, 'killed.jsonl');
    const statePath = join(dir, 'killed-state.json');
    const args = ['copy', '--collections', 'cro_audit_issues', '--as', 'audit_killed', '--out', out, '--source-url', cloud.url, '--url', slow.url, '--batch', '100', '--page-size', '50', '--if-exists', 'abort'];
    slow.setRules({ delayMs: 600, faultPaths: /\/upsert$/ });
    const first = spawnCli(args, { env: { CHROMA_MIGRATE_STATE: statePath } });
    const deadline = Date.now() + 90_000;
    while ((await exportedSoFar(statePath)) < 300 && Date.now() < deadline && first.exitCode === null) await new Promise((wait) => setTimeout(wait, 50));
    first.kill('SIGKILL');
    await exitOf(first);
    expect(await exportedSoFar(statePath)).toBeGreaterThanOrEqual(300);

    slow.setRules({});
    // --if-exists abort: the collection the killed run made is recognised as its own.
    const second = spawnCli(args, { env: { CHROMA_MIGRATE_STATE: statePath } });
    expect(await exitOf(second)).toBe(0);
    expect(second.output()).toContain('1,177 of 1,177 records');
    const verdict = await verifyBackup({ input: out, target: endpoint({ url: target.server.url }), collections: ['cro_audit_issues'], renameTo: 'audit_killed' });
    expect(verdict.ok).toBe(true);
  }, 240_000);
});
