/**
 * sync after kill -9: it keeps no checkpoint, and needs none. Each run compares both sides
 * afresh, so what a killed run upserted or deleted no longer shows as a difference, and the
 * re-run sends only the rest. The target's writes go through a slow proxy, so the kill lands
 * between two upsert batches.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { useTwoServers } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

let dir = '';
const { source, target } = useTwoServers();
let proxy: FaultProxy;

const START = 6_000;
const ADDED = 3_000;
const CHANGED = 1_000;
const DELETED = 1_000;

function record(i: number, document = `document ${i}`): BackupRecord {
  return { id: `r${String(i).padStart(6, '0')}`, document, metadata: { i }, embedding: Array.from({ length: 8 }, (_, d) => Math.cos(i + d)), uri: null };
}

async function count(url: string): Promise<number> {
  const api = new ChromaApi(endpoint({ url }));
  return api.count((await api.findCollection('big'))!.id);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-sync-kill-'));
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const info = await api.createCollection({ name: 'big', metadata: null, space: 'l2' });
  const upsert = async (records: BackupRecord[]) => {
    for (let i = 0; i < records.length; i += 1_000) await api.upsert(info.id, records.slice(i, i + 1_000), { base64: true });
  };
  await upsert(Array.from({ length: START }, (_, i) => record(i)));
  const copied = await runCli(['copy', '--source-url', source.server.url, '--url', target.server.url, '--all', '--out', join(dir, 'copy.jsonl'), '--yes']);
  expect(copied.code, copied.stderr).toBe(0);
  await upsert(Array.from({ length: ADDED }, (_, i) => record(START + i)));
  await upsert(Array.from({ length: CHANGED }, (_, i) => record(i, `edited ${i}`)));
  await api.deleteRecords(info.id, Array.from({ length: DELETED }, (_, i) => record(START - 1 - i).id));
  // Only the target's writes are slowed: the comparison runs at full speed, the upserts crawl.
  proxy = await startFaultProxy(target.server.url, { delayMs: 1_500, faultPaths: /\/(upsert|delete)$/ });
}, 600_000);
afterAll(async () => {
  await proxy?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sync --prune after kill -9', () => {
  it('a re-run sends only what the killed run did not, and the target then verifies against the source', async () => {
    const state = join(dir, 'state.json');
    const args = ['sync', '--source-url', source.server.url, '--url', proxy.url, '--collections', 'big', '--prune', '--yes', '--state', state];
    const child = spawnCli(args);
    const upserts = () => proxy.log.filter((entry) => entry.path.endsWith('/upsert')).length;
    // Killed once the second upsert batch reached the proxy: the first has landed, the rest not.
    const deadline = Date.now() + 300_000;
    while (upserts() < 2 && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(child.exitCode, child.output()).toBeNull();
    child.kill('SIGKILL');
    await exitOf(child);
    const between = await count(target.server.url);
    // Some of the 3,000 new records are there (the first batch), and nothing was deleted yet.
    expect(between).toBeGreaterThan(START);
    expect(between).toBeLessThan(START + ADDED);

    const rerun = await runCli([...args, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const [big] = JSON.parse(rerun.stdout).collections;
    // What the killed run sent is no longer a difference: the re-run sends exactly the rest.
    expect(big.added + big.changed).toBeLessThan(ADDED + CHANGED);
    expect(big.added + big.changed).toBeGreaterThan(0);
    expect(big.upserted).toBe(big.added + big.changed);
    expect(big.added).toBe(START + ADDED - between);
    expect([big.removed, big.deleted]).toEqual([DELETED, DELETED]);
    expect([big.after.added, big.after.changed, big.after.removed]).toEqual([0, 0, 0]);
    expect(await count(target.server.url)).toBe(START + ADDED - DELETED);

    const verified = await runCli(['verify', '--source-url', source.server.url, '--url', target.server.url, '--collections', 'big']);
    expect(verified.code, verified.stderr).toBe(0);
  }, 900_000);
});
