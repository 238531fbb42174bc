import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ensureDatabase } from '../../src/core/chroma/databases.js';
import { inspectBackup } from '../../src/core/backup/read.js';
import { listBackups } from '../../src/core/schedule/run-backup.js';
import { startTestServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';
import { countOf, seedCollection } from '../helpers/ingest.js';

type Started = Awaited<ReturnType<typeof startTestServer>>;
let dir = '';
let app: Started;
let spare: Started;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-backup-scope-'));
  [app, spare] = await Promise.all([startTestServer(), startTestServer()]);
  await seedCollection(app.server.url, 'docs', 30, 8);
  // A second database, as an --all-databases import leaves on the server.
  const prod = endpoint({ url: app.server.url, database: 'prod' });
  await ensureDatabase(prod, 'prod');
  const api = new ChromaApi(prod);
  const info = await api.createCollection({ name: 'prod_docs', metadata: null, space: 'l2' });
  await api.upsert(info.id, makeRecords(3, { dim: 8, prefix: 'prod' }), { base64: false });
}, 120_000);
afterAll(async () => {
  await Promise.all([app?.cleanup(), spare?.cleanup()]);
  await rm(dir, { recursive: true, force: true });
});

async function countIn(url: string, database: string, name: string): Promise<number | null> {
  const api = new ChromaApi(endpoint({ url, database }));
  const info = await api.findCollection(name);
  return info ? api.count(info.id) : null;
}

describe('backup: what it covers, what --keep removes', () => {
  it('covers every database of the server, and its restore command brings each one back', async () => {
    const run = await runCli(['backup', '--dir', join(dir, 'all'), '--url', app.server.url, '--json']);
    expect(run.code).toBe(0);
    const { file } = JSON.parse(run.stdout) as { file: string };
    const held = (await inspectBackup(file)).collections.map((header) => `${header.database ?? '?'}/${header.name} ${header.count}`);
    expect(held.sort()).toEqual(['default_database/docs 30', 'prod/prod_docs 3']);

    const restored = await runCli(['import', '--input', file, '--url', spare.server.url]);
    expect(restored.code).toBe(0);
    expect(await countIn(spare.server.url, 'prod', 'prod_docs')).toBe(3);
    expect(await countIn(spare.server.url, 'default_database', 'docs')).toBe(30);
  }, 120_000);

  it('--keep never rotates away a backup of another server', async () => {
    const folder = join(dir, 'two servers');
    const small = await startTestServer();
    try {
      await seedCollection(small.server.url, 'docs', 2, 8);
      const first = await runCli(['backup', '--dir', folder, '--keep', '1', '--url', app.server.url, '--json']);
      expect(first.code).toBe(0);
      const firstFile = (JSON.parse(first.stdout) as { file: string }).file;
      const second = await runCli(['backup', '--dir', folder, '--keep', '1', '--url', small.server.url]);
      expect(second.code).toBe(0);
      expect(existsSync(firstFile)).toBe(true);
      expect(second.stderr).toMatch(/1 older backup .*another server/);
      expect(await listBackups(folder)).toHaveLength(2);
    } finally {
      await small.cleanup();
    }
  }, 120_000);

  it('--keep keeps an older backup that holds more than the new one, says why, and exits 1 when the server shrank a lot', async () => {
    const folder = join(dir, 'shrunk');
    const url = spare.server.url;
    const full = await runCli(['backup', '--dir', folder, '--keep', '1', '--url', url, '--json']);
    expect(full.code).toBe(0);
    const fullFile = (JSON.parse(full.stdout) as { file: string }).file;
    // A redeploy without a volume: the server comes back empty and the app seeds a little.
    await new ChromaApi(endpoint({ url })).deleteCollection('docs');
    await new ChromaApi(endpoint({ url, database: 'prod' })).deleteCollection('prod_docs');
    await seedCollection(url, 'docs', 2, 8);
    const shrunk = await runCli(['backup', '--dir', folder, '--keep', '1', '--url', url]);
    expect(shrunk.code).toBe(1);
    expect(existsSync(fullFile)).toBe(true);
    expect(shrunk.stderr).toMatch(/Kept .*: it holds 2 collections, 33 records; the new backup 1 collection, 2 records/s);

    // The next week's backup of the same small server replaces the small one, never the full one.
    const again = await runCli(['backup', '--dir', folder, '--keep', '1', '--url', url]);
    expect(again.code).toBe(1);
    expect(existsSync(fullFile)).toBe(true);
    expect(await listBackups(folder)).toHaveLength(2);
  }, 120_000);
});

describe('import --if-exists recreate into the server the backup was taken from', () => {
  it('says so, with the records there now and in the file, before it deletes', async () => {
    const file = join(dir, 'live.jsonl.gz');
    const url = app.server.url;
    const exported = await runCli(['export', '--source-url', url, '--collections', 'docs', '--out', file]);
    expect(exported.code).toBe(0);
    const api = new ChromaApi(endpoint({ url }));
    await api.upsert((await api.findCollection('docs'))!.id, makeRecords(2, { dim: 8, prefix: 'since' }), { base64: false });
    expect(await countOf(url, 'docs')).toBe(32);

    const run = await runCli(['import', '--input', file, '--url', url, '--if-exists', 'recreate']);
    expect(run.stderr).toMatch(/where this backup was taken.*32 records now.*30 in the backup/s);
    expect(run.code).toBe(0);
    expect(await countOf(url, 'docs')).toBe(30);
  }, 120_000);
});
