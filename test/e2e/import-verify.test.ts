import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { importBackup } from '../../src/core/operations/import.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords, writePythonColumnsJson, writePythonRowsJson } from '../helpers/fixtures.js';

const chroma = useChromaServer();
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const records = makeRecords(1177, { dim: 16, nullDocEvery: 13, nullMetaEvery: 17, uriEvery: 29 });

describe('import and verify against a real Chroma server', () => {
  it('a 1,177-record backup in the guide\'s row-wise shape imports into an empty server and verifies', async () => {
    const input = join(dir, 'rows.json');
    await writePythonRowsJson(input, 'cro_audit_issues', records, { metadata: { 'hnsw:space': 'cosine', team: 'cro' } });
    const target = endpoint({ url: chroma.url });
    const statePath = join(dir, 'state-rows.json');

    const imported = await importBackup({ input, target, ifExists: 'abort', statePath });
    expect(imported.collections).toEqual([
      expect.objectContaining({ collection: 'cro_audit_issues', expected: 1177, count: 1177, missing: 0, action: 'created' }),
    ]);

    const verdict = await verifyBackup({ input, target, statePath });
    expect(verdict.ok).toBe(true);
    expect(verdict.collections[0]).toMatchObject({ count: 1177, compared: 1177, missing: 0, differing: 0 });
    expect(verdict.collections[0]?.recall.sampled).toBeGreaterThan(0);
    expect(verdict.collections[0]?.recall.recall).toBeGreaterThan(0.9);

    const info = await new ChromaApi(target).findCollection('cro_audit_issues');
    expect(info?.configuration_json?.hnsw?.space).toBe('cosine');
    expect(info?.metadata).toEqual({ team: 'cro' });
  });

  it('the same records in the column-wise shape import under another name and verify through the CLI', async () => {
    const input = join(dir, 'columns.json');
    await writePythonColumnsJson(input, 'cro_audit_issues', records);
    const env = { CHROMA_MIGRATE_STATE: join(dir, 'state-cols.json') };
    // The column-wise shape without collection metadata does not say which space: never a quiet l2.
    const unasked = await runCli(['import', '--input', input, '--as', 'columns_copy', '--url', chroma.url], env);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('does not record which distance space');
    expect(unasked.stderr).toContain('--space l2|cosine|ip');
    expect(await new ChromaApi(endpoint({ url: chroma.url })).findCollection('columns_copy')).toBeNull();

    const imported = await runCli(['import', '--input', input, '--as', 'columns_copy', '--space', 'cosine', '--url', chroma.url, '--json'], env);
    expect(imported.stderr).not.toMatch(/Unexpected/);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, collections: [{ collection: 'columns_copy', count: 1177, expected: 1177 }] });

    const verified = await runCli(['verify', '--input', input, '--as', 'columns_copy', '--url', chroma.url], env);
    expect(verified.code).toBe(0);
    expect(verified.stderr).toContain('✓ columns_copy');
    expect(verified.stderr).toMatch(/records equal\s+1,177 of 1,177/);
    expect(verified.stderr).toContain('✓ columns_copy: 1,177 from the backup, all equal');
    expect(verified.stderr).toContain("the backup does not record it; the target's is the one chosen at import");
    expect((await new ChromaApi(endpoint({ url: chroma.url })).findCollection('columns_copy'))?.configuration_json?.hnsw?.space).toBe('cosine');

    // One record ingested since: the words and --json say the same (a backup allows more).
    const api = new ChromaApi(endpoint({ url: chroma.url }));
    const info = await api.findCollection('columns_copy');
    await api.upsert(info!.id, makeRecords(1, { dim: records[0]!.embedding!.length, prefix: 'ingested' }), { base64: true });
    const text = await runCli(['verify', '--input', input, '--as', 'columns_copy', '--url', chroma.url], env);
    expect(text.stderr).toContain('✓ columns_copy: 1,177 from the backup, all equal, and 1 more that is not in it');
    const json = await runCli(['verify', '--input', input, '--as', 'columns_copy', '--url', chroma.url, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, collections: [{ collection: 'columns_copy', count: 1178, beyondBackup: 1 }] });
  });

  it('float32 embeddings (as our format reads them) upsert as base64 and as JSON numbers, and a query takes them', async () => {
    const api = new ChromaApi(endpoint({ url: chroma.url }));
    const sample = records.slice(0, 40).map((record) => ({ ...record, embedding: Float32Array.from(record.embedding!) }));
    for (const base64 of [true, false]) {
      const info = await api.createCollection({ name: `float32_${base64 ? 'base64' : 'numbers'}`, metadata: null, space: null });
      await api.upsert(info.id, sample, { base64 });
      const page = await api.get(info.id, { ids: sample.map((record) => record.id), include: ['embeddings'] });
      expect(page.ids).toHaveLength(40);
      page.ids.forEach((id, index) => {
        const want = sample.find((record) => record.id === id)!.embedding;
        expect(Array.from(page.embeddings![index]!)).toEqual(Array.from(want));
      });
      const answer = await api.query(info.id, { embeddings: [sample[3]!.embedding], nResults: 1 });
      expect(answer.ids[0]).toEqual([sample[3]!.id]);
    }
  });

  it('verify names missing and differing records and exits 1', async () => {
    const input = join(dir, 'rows-damaged.json');
    await writePythonRowsJson(input, 'damaged', records.slice(0, 200), { metadata: { 'hnsw:space': 'l2' } });
    const target = endpoint({ url: chroma.url });
    await importBackup({ input, target, ifExists: 'abort', statePath: join(dir, 'state-damaged.json') });
    const api = new ChromaApi(target);
    const info = await api.findCollection('damaged');
    await api.upsert(info!.id, [{ ...records[5]!, document: 'changed' }], { base64: false });
    await fetch(`${chroma.url}/api/v2/tenants/default_tenant/databases/default_database/collections/${info!.id}/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [records[7]!.id] }),
    });

    const result = await runCli(['verify', '--input', input, '--url', chroma.url], { CHROMA_MIGRATE_STATE: join(dir, 'state-verify-damaged.json') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`missing        1: ${records[7]!.id}`);
    expect(result.stderr).toContain(`${records[5]!.id} (document)`);
  });

  it('an existing collection is never deleted without a choice: no terminal and no --if-exists is a usage error', async () => {
    const input = join(dir, 'rows.json');
    const env = { CHROMA_MIGRATE_STATE: join(dir, 'state-exists.json') };
    const asked = await runCli(['import', '--input', input, '--url', chroma.url], env);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('already exists with 1,177 records');
    expect(asked.stderr).toContain('--if-exists');

    const aborted = await runCli(['import', '--input', input, '--url', chroma.url, '--if-exists', 'abort'], env);
    expect(aborted.code).toBe(1);
    expect(aborted.stderr).toContain('nothing was changed');

    const appended = await runCli(['import', '--input', input, '--url', chroma.url, '--if-exists', 'append'], env);
    expect(appended.code).toBe(0);
    expect(appended.stderr).toContain('1,177 records appended; the collection holds 1,177');

    const recreated = await runCli(['import', '--input', input, '--url', chroma.url, '--if-exists', 'recreate'], env);
    expect(recreated.code).toBe(0);
    expect(recreated.stderr).toContain('1,177 of 1,177 records (recreated)');
  });

  it('a backup with records that lack an embedding is refused before anything reaches the server', async () => {
    const input = join(dir, 'no-vectors.json');
    await writePythonRowsJson(input, 'half_vectors', makeRecords(30, { dim: 16, nullEmbeddingEvery: 3, prefix: 'nv' }), { metadata: { 'hnsw:space': 'l2' } });
    const result = await runCli(['import', '--input', input, '--url', chroma.url, '--if-exists', 'abort'], { CHROMA_MIGRATE_STATE: join(dir, 'state-nv.json') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Collection "half_vectors" in the backup has 10 of 30 records without an embedding');
    expect(result.stderr).toContain('include=["embeddings"');
    expect(result.stderr).not.toMatch(/\n\s+at /); // words, not a stack trace
    expect(await new ChromaApi(endpoint({ url: chroma.url })).findCollection('half_vectors')).toBeNull();
  });
});
