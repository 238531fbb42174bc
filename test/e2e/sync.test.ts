import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { COLLECTIONS_PATH, rawChroma, useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';

let dir = '';
const { source, target } = useTwoServers();
let sourceId = '';

const DIM = 8;
function record(i: number, version = 0): BackupRecord {
  return {
    id: `r${String(i).padStart(5, '0')}`,
    document: `document ${i}`,
    metadata: { n: 2, i, tag: i % 2 === 0 ? 'even' : 'odd' },
    embedding: Array.from({ length: DIM }, (_, d) => Math.sin(i * 7 + d + version)),
    uri: null,
  };
}

async function targetCount(): Promise<number> {
  const api = new ChromaApi(endpoint({ url: target.server.url }));
  const info = await api.findCollection('docs');
  return api.count(info!.id);
}

function sync(...args: string[]) {
  return runCli(['sync', '--source-url', source.server.url, '--url', target.server.url, '--collections', 'docs', ...args]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-sync-'));
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const info = await api.createCollection({ name: 'docs', metadata: null, space: 'l2' });
  sourceId = info.id;
  const records = Array.from({ length: 1000 }, (_, i) => record(i));
  for (let i = 0; i < records.length; i += 250) await api.upsert(info.id, records.slice(i, i + 250), { base64: true });
  const copied = await runCli(['copy', '--source-url', source.server.url, '--url', target.server.url, '--all', '--out', join(dir, 'copy.jsonl'), '--yes']);
  expect(copied.code, copied.stderr).toBe(0);

  // The source moves on: 100 new, 50 changed (documents, 2 → 2.0, embeddings), 30 deleted.
  await api.upsert(info.id, Array.from({ length: 100 }, (_, i) => record(1000 + i)), { base64: true });
  await api.upsert(info.id, Array.from({ length: 20 }, (_, i) => ({ ...record(i), document: `edited ${i}` })), { base64: true });
  await api.upsert(info.id, Array.from({ length: 15 }, (_, i) => ({ ...record(40 + i, 1) })), { base64: true });
  // JSON written by hand: only a body with "2.0" in it stores a float.
  const floats = Array.from({ length: 15 }, (_, k) => record(20 + k));
  await rawChroma(source.server.url, 'POST', `${COLLECTIONS_PATH}/${info.id}/upsert`, JSON.stringify({
    ids: floats.map((entry) => entry.id),
    embeddings: floats.map((entry) => entry.embedding),
    documents: floats.map((entry) => entry.document),
    metadatas: floats.map((entry) => ({ ...entry.metadata, n: 'FLOAT' })),
  }).replaceAll('"FLOAT"', '2.0'));
  await rawChroma(source.server.url, 'POST', `${COLLECTIONS_PATH}/${info.id}/delete`, JSON.stringify({ ids: Array.from({ length: 30 }, (_, i) => record(900 + i).id) }));
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sync', () => {
  it('--dry-run reports 100 added, 50 changed, 30 removed, writes nothing, and answers "a sync is needed" with ✗ and exit 1', async () => {
    const run = await sync('--dry-run', '--json');
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(false);
    const [docs] = result.collections;
    expect([docs.added, docs.changed, docs.removed]).toEqual([100, 50, 30]);
    expect(docs.addedIds[0]).toBe('r01000');
    expect(docs.removedIds[0]).toBe('r00900');
    expect(JSON.stringify(docs.changedIds)).toMatch(/metadata\.n: the source has float 2\.0, the target int 2|document|embedding/);
    expect(await targetCount()).toBe(1000);
    const text = await sync('--dry-run');
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/✗ docs/);
    expect(text.stderr).not.toMatch(/✓/);
    expect(text.stderr).toMatch(/added\s+100: r01000/);
    expect(text.stderr).toMatch(/Dry run: nothing was written/);
  }, 300_000);

  it('--prune without a terminal and without --yes exits 2 before writing', async () => {
    const run = await sync('--prune');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--yes/);
    expect(await targetCount()).toBe(1000);
  }, 120_000);

  it('without --prune upserts the 150 and keeps the 30, saying so', async () => {
    const run = await sync();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/upserted\s+150/);
    expect(run.stderr).toMatch(/kept\s+30 records on the target that are not on the source/);
    expect(await targetCount()).toBe(1100);
  }, 300_000);

  it('--prune --yes deletes the 30; the target then verifies against a fresh backup of the source', async () => {
    const out = join(dir, 'after-sync.jsonl');
    const run = await sync('--prune', '--yes', '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const [docs] = JSON.parse(run.stdout).collections;
    expect([docs.added, docs.changed, docs.removed, docs.deleted]).toEqual([0, 0, 30, 30]);
    expect([docs.after.added, docs.after.changed, docs.after.removed]).toEqual([0, 0, 0]);
    expect(await targetCount()).toBe(1070);
    const verified = await runCli(['verify', '--input', out, '--url', target.server.url]);
    expect(verified.code, verified.stderr).toBe(0);
    const again = await sync('--dry-run', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).ok).toBe(true);
    const [now] = JSON.parse(again.stdout).collections;
    expect([now.added, now.changed, now.removed]).toEqual([0, 0, 0]);
    expect(sourceId).not.toBe('');
  }, 300_000);

  it('creates a collection the target lacks with the source\'s settings, then fills it; verify against the source passes', async () => {
    const api = new ChromaApi(endpoint({ url: source.server.url }));
    const info = await api.createCollection({ name: 'fresh', metadata: { team: 'search', version: 2.5 }, space: 'cosine' });
    await api.upsert(info.id, Array.from({ length: 120 }, (_, i) => record(i)), { base64: true });
    const dry = await runCli(['sync', '--source-url', source.server.url, '--url', target.server.url, '--collections', 'fresh', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stderr).toMatch(/not on the target: would be created with the source's settings/);
    expect(await new ChromaApi(endpoint({ url: target.server.url })).findCollection('fresh')).toBeNull();
    const run = await runCli(['sync', '--source-url', source.server.url, '--url', target.server.url, '--collections', 'fresh', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const [fresh] = JSON.parse(run.stdout).collections;
    expect([fresh.added, fresh.upserted, fresh.after.added, fresh.after.changed]).toEqual([120, 120, 0, 0]);
    const made = await new ChromaApi(endpoint({ url: target.server.url })).findCollection('fresh');
    expect(made?.metadata).toEqual({ team: 'search', version: 2.5 });
    expect(JSON.stringify(made?.configuration_json)).toMatch(/"space":"cosine"/);
    const verified = await runCli(['verify', '--source-url', source.server.url, '--url', target.server.url, '--collections', 'fresh']);
    expect(verified.code, verified.stderr).toBe(0);
  }, 300_000);
});
