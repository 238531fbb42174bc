/**
 * sync's verdict covers the collection itself, as verify's does: a target whose records all match
 * but whose collection metadata, distance space or HNSW ef_search differs from the source's is not
 * "up to date". sync names each difference with ✗ and exits 1, before (--dry-run) and after.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord, Space } from '../../src/core/model/record.js';
import { COLLECTIONS_PATH, rawChroma, useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';

const { source, target } = useTwoServers();

function record(i: number): BackupRecord {
  return { id: `r${String(i).padStart(4, '0')}`, document: `document ${i}`, metadata: { i }, embedding: Array.from({ length: 8 }, (_, d) => Math.sin(i * 3 + d)), uri: null };
}

const RECORDS = Array.from({ length: 40 }, (_, i) => record(i));

async function seed(url: string, name: string, space: Space, records = RECORDS): Promise<string> {
  const api = new ChromaApi(endpoint({ url }));
  const info = await api.createCollection({ name, metadata: { owner: 'team', n: 2 }, space });
  await api.upsert(info.id, records, { base64: true });
  return info.id;
}

/** The source's records as it stores them, each embedding's first value one float32 step away. */
async function oneStepOff(sourceId: string): Promise<BackupRecord[]> {
  const got = JSON.parse(await rawChroma(source.url, 'POST', `${COLLECTIONS_PATH}/${sourceId}/get`, JSON.stringify({ include: ['embeddings', 'documents', 'metadatas'] })));
  return (got.ids as string[]).map((id, k) => {
    const embedding = [...(got.embeddings[k] as number[])];
    const bits = new Uint32Array(new Float32Array([embedding[0]!]).buffer);
    bits[0]! += 1;
    embedding[0] = new Float32Array(bits.buffer)[0]!;
    return { id, document: got.documents[k], metadata: got.metadatas[k], embedding, uri: null };
  });
}

function sync(name: string, ...args: string[]) {
  return runCli(['sync', '--source-url', source.url, '--url', target.url, '--collections', name, ...args]);
}

beforeAll(async () => {
  for (const [name, space] of [['meta', 'l2'], ['efs', 'cosine'], ['same', 'cosine']] as const) {
    await seed(source.url, name, space);
    await seed(target.url, name, space);
  }
  // The target's collection changed by hand: its metadata, its ef_search.
  const targetApi = new ChromaApi(endpoint({ url: target.url }));
  const meta = await targetApi.findCollection('meta');
  await rawChroma(target.url, 'PUT', `${COLLECTIONS_PATH}/${meta!.id}`, JSON.stringify({ new_metadata: { owner: 'me', n: 3 } }));
  const efs = await targetApi.findCollection('efs');
  await rawChroma(target.url, 'PUT', `${COLLECTIONS_PATH}/${efs!.id}`, JSON.stringify({ new_configuration: { hnsw: { ef_search: 50 } } }));
  // Recreated in l2 instead of the source's cosine, its embeddings a float32 step off the source's:
  // within cosine's tolerance, not within l2's (where the target stores what it is sent, exactly).
  const spaceId = await seed(source.url, 'space', 'cosine');
  await seed(target.url, 'space', 'l2', await oneStepOff(spaceId));
}, 300_000);

describe('sync compares the collection as verify does', () => {
  it('names changed collection metadata with ✗ and exits 1, before and after; verify agrees', async () => {
    const dry = await sync('meta', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(1);
    const before = JSON.parse(dry.stdout);
    expect(before.ok).toBe(false);
    expect(before.collections[0].settings.map((difference: { field: string }) => difference.field).sort()).toEqual(['metadata.n', 'metadata.owner']);

    const run = await sync('meta');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/✗ meta/);
    expect(run.stderr).toContain('✗ metadata.n: expected int 2, the target has int 3');
    expect(run.stderr).toContain('"new_metadata"');
    expect(run.stderr).not.toMatch(/✓ meta/);
    const verified = await runCli(['verify', '--source-url', source.url, '--url', target.url, '--collections', 'meta']);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain('metadata.n');
  }, 300_000);

  it('names a different distance space, says to recreate the collection, and compares embeddings by the stricter space', async () => {
    const dry = await sync('space', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(1);
    const [entry] = JSON.parse(dry.stdout).collections;
    expect(entry.settings).toContainEqual({ field: 'space', expected: 'cosine', actual: 'l2', fix: 'recreate' });
    // One float32 step passes in cosine only: the l2 target holds those values exactly, so they differ.
    expect(entry.changed).toBe(RECORDS.length);

    const run = await sync('space', '--json');
    expect(run.code, run.stderr).toBe(1);
    const [after] = JSON.parse(run.stdout).collections;
    expect([after.upserted, after.after.added, after.after.changed]).toEqual([RECORDS.length, 0, 0]);
    expect(after.after.settings.map((difference: { field: string }) => difference.field)).toContain('space');
    const text = await sync('space');
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('✗ space: expected cosine, the target has l2');
    expect(text.stderr).toMatch(/chroma-migrate copy .*--collections space --if-exists recreate/);
  }, 300_000);

  it('names a changed ef_search and how to set it back', async () => {
    const run = await sync('efs', '--json');
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(false);
    expect(result.collections[0].after.settings).toContainEqual({ field: 'hnsw.ef_search', expected: '100', actual: '50', fix: 'configuration' });
    const text = await sync('efs');
    expect(text.stderr).toContain('✗ hnsw.ef_search: expected 100, the target has 50');
    expect(text.stderr).toContain('{"new_configuration": {"hnsw": {"ef_search": 100}}}');
  }, 300_000);

  it('a collection equal in records and settings is ✓, exit 0, before and after', async () => {
    const dry = await sync('same', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/✓ same/);
    expect(dry.stderr).toContain('collection settings and metadata as the source has them');
    const run = await sync('same', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).ok).toBe(true);
  }, 300_000);
});
