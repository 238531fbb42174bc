/**
 * verify against the live source: the id sets both ways, every record, the collection. A target
 * missing one record fails naming it; a record the source no longer holds is named too.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { verifyAgainstSource } from '../../src/core/sinks/verifier/source-pass.js';

let dir = '';
const { source, target } = useTwoServers();
const records = makeRecords(700, { dim: 8, prefix: 'doc', nullDocEvery: 9 });

beforeAll(async () => {
  dir = await makeTempDir();
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const info = await api.createCollection({ name: 'docs', metadata: { team: 'a', ratio: 0.5 }, space: 'cosine' });
  await api.upsert(info.id, records, { base64: true });
}, 300_000);
afterAll(async () => {
  await removeDir(dir);
});

describe('verify with the source flags in place of --input', () => {
  it('passes on a copy, fails naming the id a target lacks, and names ids the source does not hold', async () => {
    const copied = await runCli(['copy', '--all', '--out', join(dir, 'b.jsonl'), '--source-url', source.server.url, '--url', target.server.url]);
    expect(copied.code).toBe(0);
    const args = ['verify', '--source-url', source.server.url, '--url', target.server.url];

    const passed = await runCli([...args, '--json']);
    expect(passed.code).toBe(0);
    const verdict = JSON.parse(passed.stdout).collections[0];
    expect(verdict).toMatchObject({ collection: 'docs', against: 'source', expected: 700, compared: 700, missing: 0, extra: 0, differing: 0, ok: true });
    expect(verdict.recall.sampled).toBe(20);

    const api = new ChromaApi(endpoint({ url: target.server.url }));
    const info = (await api.findCollection('docs'))!;
    await api.deleteRecords(info.id, ['doc-000123']);
    const missing = await runCli(args);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('✗ docs: 699 of 700 at the source equal (1 missing)');
    expect(missing.stderr).toMatch(/missing\s+1: doc-000123/);

    await api.upsert(info.id, [records[123]!, { ...records[0]!, id: 'stray-1' }], { base64: true });
    const extra = await runCli(args);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toMatch(/not at source\s+1: stray-1/);

    // The printed mend deletes the stray record (asked, here answered by --yes), and then it passes.
    const prune = /Records on the target that the source does not hold.*\n\s+(chroma-migrate sync .*--prune.*)\n/.exec(extra.stderr)?.[1];
    expect(prune).toBe(`chroma-migrate sync --source-url ${source.server.url} --all --prune --url ${target.server.url}`);
    expect((await runCli([...prune!.split(' ').slice(1), '--yes'])).code).toBe(0);
    expect((await runCli(args)).code).toBe(0);

    // Neither or both: a usage error.
    expect((await runCli(['verify', '--url', target.server.url])).code).toBe(2);
    expect((await runCli([...args, '--input', join(dir, 'b.jsonl')])).code).toBe(2);
  }, 300_000);
});

/** The same records in a collection of this name on the source and on the target. */
async function seedBoth(name: string, records: BackupRecord[]): Promise<BackupRecord[]> {
  for (const url of [source.server.url, target.server.url]) {
    const api = new ChromaApi(endpoint({ url }));
    const info = await api.createCollection({ name, metadata: null, space: 'l2' });
    await api.upsert(info.id, records, { base64: true });
  }
  return records;
}

describe('verify against a source on Cloud', () => {
  it('reads the target\'s ids back from the source by id (no page of ids by offset), and still names a missing and a stray id', async () => {
    const onBoth = await seedBoth('cloudlike', makeRecords(1_000, { dim: 8, prefix: 'cl' }));
    const proxy = await startFaultProxy(source.server.url, { keepBodies: true });
    try {
      const options = { source: endpoint({ url: proxy.url, cloud: true }), target: endpoint({ url: target.server.url }), collections: ['cloudlike'] };
      const idsByOffset = (from: number) => proxy.log.slice(from).filter((entry) => entry.path.endsWith('/get') && entry.body?.includes('"include":[]') && entry.body.includes('"offset"')).length;
      const passed = await verifyAgainstSource(options);
      expect(passed.collections[0]).toMatchObject({ expected: 1_000, compared: 1_000, missing: 0, extra: 0, ok: true });
      expect(idsByOffset(0)).toBe(0);

      const api = new ChromaApi(endpoint({ url: target.server.url }));
      const info = (await api.findCollection('cloudlike'))!;
      await api.deleteRecords(info.id, ['cl-000321']);
      await api.upsert(info.id, [{ ...onBoth[0]!, id: 'cl-stray' }], { base64: true });
      const failed = await verifyAgainstSource(options);
      expect(failed.collections[0]).toMatchObject({ expected: 1_000, missing: 1, missingIds: ['cl-000321'], extra: 1, extraIds: ['cl-stray'], ok: false });
    } finally {
      await proxy.close();
    }
  }, 300_000);
});

describe('verify against a source that changes while verify reads it', () => {
  it('names a record gone from the source between its id listing and its read as the source changing, not as a loss, and does not pass', async () => {
    await seedBoth('changing', makeRecords(400, { dim: 8, prefix: 'ch' }));
    // The source answers the id listing whole, then no longer holds ch-000200 when its record is read.
    const proxy = await startFaultProxy(source.server.url, {
      alterBody: {
        paths: /\/get$/,
        change: (body) => (Array.isArray(body.ids) && Array.isArray(body.include) && body.include.includes('embeddings') ? { ...body, ids: (body.ids as string[]).filter((id) => id !== 'ch-000200') } : body),
      },
    });
    try {
      const result = await verifyAgainstSource({ source: endpoint({ url: proxy.url }), target: endpoint({ url: target.server.url }), collections: ['changing'] });
      expect(result.ok).toBe(false);
      expect(result.collections[0]).toMatchObject({ expected: 400, compared: 399, missing: 0, extra: 0, differing: 0, goneAtSource: { count: 1, ids: ['ch-000200'] }, ok: false });
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it('does not call a record missing from the target when the source deleted it before it was read', async () => {
    await seedBoth('changing-gone', makeRecords(400, { dim: 8, prefix: 'cg' }));
    const api = new ChromaApi(endpoint({ url: target.server.url }));
    await api.deleteRecords((await api.findCollection('changing-gone'))!.id, ['cg-000200']);
    // Listed at the source, then gone from it when read: the target lacking it lost nothing.
    const proxy = await startFaultProxy(source.server.url, {
      alterBody: {
        paths: /\/get$/,
        change: (body) => (Array.isArray(body.ids) && Array.isArray(body.include) && body.include.includes('embeddings') ? { ...body, ids: (body.ids as string[]).filter((id) => id !== 'cg-000200') } : body),
      },
    });
    try {
      const result = await verifyAgainstSource({ source: endpoint({ url: proxy.url }), target: endpoint({ url: target.server.url }), collections: ['changing-gone'] });
      expect(result.collections[0]).toMatchObject({ expected: 400, compared: 399, missing: 0, missingIds: [], extra: 0, goneAtSource: { count: 1, ids: ['cg-000200'] }, ok: false });
    } finally {
      await proxy.close();
    }
  }, 300_000);
});

