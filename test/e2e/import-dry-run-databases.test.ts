/**
 * `import --dry-run` of a backup holding several databases plans each collection against the
 * target database it would go into: one the target has is looked up there, one it lacks is
 * named as created. Nothing is written, the missing database included.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ensureDatabase, listDatabases } from '../../src/core/chroma/databases.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
const { source, target } = useTwoServers();
const backup = () => join(dir, 'all.jsonl.gz');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-dry-dbs-'));
  // The same collection name in both databases of the source.
  for (const [database, count] of [['default_database', 30], ['staging', 40]] as const) {
    const at = endpoint({ url: source.server.url, database });
    await ensureDatabase(at, database);
    const api = new ChromaApi(at);
    const info = await api.createCollection({ name: 'shared', metadata: { database }, space: 'cosine' });
    await api.upsert(info.id, makeRecords(count, { dim: 8, prefix: database }), { base64: true });
  }
  // The target has only its default database, whose "shared" already holds records.
  const api = new ChromaApi(endpoint({ url: target.server.url }));
  const held = await api.createCollection({ name: 'shared', metadata: { held: true }, space: 'cosine' });
  await api.upsert(held.id, makeRecords(5, { dim: 8, prefix: 'held' }), { base64: true });
  const exported = await runCli(['export', '--all-databases', '--source-url', source.server.url, '--out', backup(), '--state', join(dir, 'state.json')]);
  expect(exported.code, exported.stderr).toBe(0);
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('import --dry-run of a backup of several databases', () => {
  it('plans each collection in its own target database, and writes nothing', async () => {
    const run = await runCli(['import', '--dry-run', '--input', backup(), '--url', target.server.url, '--if-exists', 'append', '--state', join(dir, 'state.json')]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const text = run.stdout + run.stderr;
    expect(text).toContain('Database default_database: exists on the target');
    expect(text).toMatch(/"shared" in database default_database: 30 records\n\s+target\s+exists with 5 records, space cosine → upsert into it/);
    expect(text).toContain('Database staging: absent on the target → create it');
    expect(text).toMatch(/"shared" in database staging: 40 records\n\s+target\s+absent → create it/);
    expect((await listDatabases(endpoint({ url: target.server.url }))).map((database) => database.name)).toEqual(['default_database']);
  }, 300_000);

  it('--database-map and --json: the mapped name is the one planned', async () => {
    const run = await runCli(['import', '--dry-run', '--json', '--input', backup(), '--url', target.server.url, '--database-map', 'default_database=restored', '--state', join(dir, 'state.json')]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as { databases: Array<{ source: string; name: string; exists: boolean }>; collections: Array<{ name: string; database: string; action: string; records: number }> };
    expect(plan.databases).toEqual([
      { source: 'default_database', name: 'restored', exists: false },
      { source: 'staging', name: 'staging', exists: false },
    ]);
    expect(plan.collections.map(({ name, database, action, records }) => ({ name, database, action, records }))).toEqual([
      { name: 'shared', database: 'restored', action: 'create', records: 30 },
      { name: 'shared', database: 'staging', action: 'create', records: 40 },
    ]);
  }, 300_000);
});
