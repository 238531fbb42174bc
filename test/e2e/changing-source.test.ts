/**
 * Offset paging is not a snapshot. Deleting 2,000 of 20,000 records while an export reads them
 * (pages of 100, one at a time, each delayed by a proxy) shifts the later pages: 2,000 records
 * never touched are skipped, and the 2,000 deleted ones were already read. The export's end check
 * brings the backup to what the source holds at the end; copy does the same for the target too.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { listIds } from '../../src/core/chroma/id-list.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { makeTempDir, readAll, removeDir } from '../helpers/backup.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { generateRecords } from '../helpers/fixtures.js';

const TOTAL = 20_000;
const DELETED = 2_000;

let dir = '';
const { source, target } = useTwoServers();
let slow: FaultProxy;
const sourceApi = () => new ChromaApi(endpoint({ url: source.server.url }));
const call = <T>(work: () => Promise<T>) => work();

async function seed(name: string): Promise<string> {
  const info = await sourceApi().createCollection({ name, metadata: null, space: 'l2' });
  let batch = [];
  for (const record of generateRecords(TOTAL, { dim: 16, prefix: name })) {
    batch.push(record);
    if (batch.length === 1000) {
      await sourceApi().upsert(info.id, batch, { base64: true });
      batch = [];
    }
  }
  return info.id;
}

/** Once 4,500 records have been read, deletes the even ones of the first 4,000 (all read already), 50 ids a request. */
async function deleteWhileReading(name: string, collectionId: string): Promise<string[]> {
  const pagesRead = () => slow.log.filter((entry) => entry.path.endsWith('/get')).length;
  const start = pagesRead();
  while (pagesRead() - start < 46) await new Promise((resolve) => setTimeout(resolve, 50));
  const ids = Array.from({ length: DELETED }, (_, i) => `${name}-${String(i * 2).padStart(6, '0')}`);
  for (let from = 0; from < ids.length; from += 50) await sourceApi().deleteRecords(collectionId, ids.slice(from, from + 50));
  return ids;
}

beforeAll(async () => {
  dir = await makeTempDir();
  slow = await startFaultProxy(source.server.url, { delayMs: 25, faultPaths: /\/get$/ });
}, 120_000);
afterAll(async () => {
  await slow?.close();
  await removeDir(dir);
});

const sorted = (ids: Iterable<string>) => [...ids].sort();

describe('a source that changes while it is read', () => {
  it('export: the backup ends equal to the source, and says so in numbers', async () => {
    const id = await seed('moving');
    const out = join(dir, 'export.jsonl');
    const exporting = exportCollections({ source: endpoint({ url: slow.url }), out, pageSize: 100, concurrency: 1, statePath: join(dir, 'export-state.json') });
    const [result, deleted] = await Promise.all([exporting, deleteWhileReading('moving', id)]);

    const atSource = await listIds(sourceApi(), id, { call });
    expect(atSource).toHaveLength(TOTAL - DELETED);
    const inBackup = (await readAll(out, 'moving')).map((record) => record.id);
    expect(sorted(inBackup)).toEqual(sorted(atSource));
    expect(result.collections[0]).toMatchObject({ name: 'moving', count: TOTAL - DELETED, added: DELETED, deleted: DELETED });
    expect(result.collections[0]!.deletedIds).toEqual(deleted.slice(0, 20));
  }, 600_000);

  it('copy: backup and target end equal to the source; verify from the source passes, and fails naming the id a target lacks', async () => {
    const id = await seed('moving_copy');
    const out = join(dir, 'copy.jsonl');
    const copying = runCli(['copy', '--collections', 'moving_copy', '--out', out, '--source-url', slow.url, '--url', target.server.url, '--page-size', '100', '--read-concurrency', '1', '--json']);
    const [run] = await Promise.all([copying, deleteWhileReading('moving_copy', id)]);
    expect(run.stderr).not.toMatch(/TypeError|Unexpected/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.exported[0]).toMatchObject({ name: 'moving_copy', count: TOTAL - DELETED, added: DELETED, deleted: DELETED });
    expect(result.verify[0]).toMatchObject({ ok: true, missing: 0, extra: 0 });
    // What the target holds, counted after the records the source deleted were dropped from it; those sent then deleted said apart.
    expect(result.imported[0]).toMatchObject({ collection: 'moving_copy', count: TOTAL - DELETED, expected: TOTAL - DELETED, missing: 0, deletedAtSource: DELETED });
    expect(run.stderr).toContain(`${(2000).toLocaleString('en-US')} added after they were missed, ${(2000).toLocaleString('en-US')} deleted during the export`);

    const atSource = sorted(await listIds(sourceApi(), id, { call }));
    expect(sorted((await readAll(out, 'moving_copy')).map((record) => record.id))).toEqual(atSource);
    const targetApi = new ChromaApi(endpoint({ url: target.server.url }));
    const targetInfo = (await targetApi.findCollection('moving_copy'))!;
    expect(sorted(await listIds(targetApi, targetInfo.id, { call }))).toEqual(atSource);

    const args = ['verify', '--source-url', source.server.url, '--url', target.server.url, '--collections', 'moving_copy'];
    const passed = await runCli(args);
    expect(passed.code).toBe(0);
    expect(passed.stderr).toContain(`✓ moving_copy: ${(TOTAL - DELETED).toLocaleString('en-US')} at the source, all equal`);

    await targetApi.deleteRecords(targetInfo.id, ['moving_copy-019999']);
    const failed = await runCli(args);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/missing\s+1: moving_copy-019999/);
  }, 600_000);
});
